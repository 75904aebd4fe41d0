import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { atLeastAsStrict, grantAllows, isGrantee, operationsForKey } from '../../../../src/kms/grants/index.ts'
import type { Grant } from '../../../../src/kms/index.ts'

const grant = (operations: string[], constraints?: Grant['constraints']) => ({ operations, constraints })

describe('grantAllows', () => {
  it('allows only the operations the grant names', () => {
    const g = grant(['Decrypt', 'DescribeKey'])
    expect(grantAllows(g, 'Decrypt')).toBe(true)
    expect(grantAllows(g, 'DescribeKey')).toBe(true)
    expect(grantAllows(g, 'Encrypt')).toBe(false)
    expect(grantAllows(g, 'decrypt')).toBe(false)
  })

  it('EncryptionContextSubset: every listed pair present, more allowed; keys without case, values with case (AWS API_GrantConstraints)', () => {
    const g = grant(['Decrypt'], { encryptionContextSubset: { Department: 'IT' } })
    expect(grantAllows(g, 'Decrypt', { Department: 'IT' })).toBe(true)
    expect(grantAllows(g, 'Decrypt', { Department: 'IT', Purpose: 'Test' })).toBe(true)
    expect(grantAllows(g, 'Decrypt', { department: 'IT' })).toBe(true)
    expect(grantAllows(g, 'Decrypt', { Department: 'it' })).toBe(false)
    expect(grantAllows(g, 'Decrypt', { Purpose: 'Test' })).toBe(false)
    expect(grantAllows(g, 'Decrypt', {})).toBe(false)
    expect(grantAllows(g, 'Decrypt')).toBe(false)
  })

  it('EncryptionContextEquals: exactly the listed pairs', () => {
    const g = grant(['Encrypt', 'GenerateDataKey'], { encryptionContextEquals: { Department: 'IT', App: 'x' } })
    expect(grantAllows(g, 'Encrypt', { App: 'x', Department: 'IT' })).toBe(true)
    expect(grantAllows(g, 'GenerateDataKey', { APP: 'x', department: 'IT' })).toBe(true)
    expect(grantAllows(g, 'Encrypt', { Department: 'IT' })).toBe(false)
    expect(grantAllows(g, 'Encrypt', { Department: 'IT', App: 'x', Purpose: 'Test' })).toBe(false)
    expect(grantAllows(g, 'Encrypt', { Department: 'IT', App: 'X' })).toBe(false)
    expect(grantAllows(grant(['Decrypt'], { encryptionContextEquals: {} }), 'Decrypt')).toBe(true)
    expect(grantAllows(grant(['Decrypt'], { encryptionContextEquals: {} }), 'Decrypt', { a: 'b' })).toBe(false)
  })

  it('does not apply constraints to operations without an encryption context', () => {
    const g = grant(['DescribeKey', 'RetireGrant', 'CreateGrant'], { encryptionContextSubset: { a: 'b' } })
    expect(grantAllows(g, 'DescribeKey')).toBe(true)
    expect(grantAllows(g, 'RetireGrant')).toBe(true)
    expect(grantAllows(g, 'CreateGrant')).toBe(true)
  })

  it('lets a grant with CreateGrant parent only narrower grants (AWS create-grant-overview)', () => {
    const parent = grant(['GenerateDataKey', 'Decrypt', 'CreateGrant'], { encryptionContextSubset: { Department: 'IT' } })
    const ok = (operations: string[], constraints?: Grant['constraints']) => grantAllows(parent, 'CreateGrant', undefined, { operations, constraints })
    expect(ok(['Decrypt', 'CreateGrant'], { encryptionContextEquals: { Department: 'IT' } })).toBe(true)
    expect(ok(['Decrypt'], { encryptionContextSubset: { department: 'IT', Team: 'a' } })).toBe(true)
    expect(ok(['Decrypt', 'Encrypt'], { encryptionContextSubset: { Department: 'IT' } })).toBe(false)
    expect(ok(['Decrypt'])).toBe(false)
    expect(ok(['Decrypt'], { encryptionContextSubset: { Team: 'a' } })).toBe(false)
    expect(grantAllows(grant(['Decrypt']), 'CreateGrant', undefined, { operations: ['Decrypt'] })).toBe(false)
  })

  it('orders constraint strictness as AWS does', () => {
    const eq = { encryptionContextEquals: { a: '1' } }
    const sub = { encryptionContextSubset: { a: '1' } }
    expect(atLeastAsStrict(undefined, undefined)).toBe(true)
    expect(atLeastAsStrict(sub, undefined)).toBe(true)
    expect(atLeastAsStrict(eq, sub)).toBe(true)
    expect(atLeastAsStrict(sub, eq)).toBe(false)
    expect(atLeastAsStrict({ encryptionContextEquals: { A: '1' } }, eq)).toBe(true)
    expect(atLeastAsStrict({ encryptionContextEquals: { a: '1', b: '2' } }, eq)).toBe(false)
    expect(atLeastAsStrict({ encryptionContextSubset: { a: '1', b: '2' } }, sub)).toBe(true)
  })

  it('property: a Subset grant allows any context that holds its pairs, and none that changes one of their values', () => {
    const map = fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 5 })
    fc.assert(
      fc.property(map, map, (required, extra) => {
        const lower = new Set(Object.keys(required).map((k) => k.toLowerCase()))
        if (lower.size !== Object.keys(required).length) return
        const g = grant(['Decrypt'], { encryptionContextSubset: required })
        const others = Object.fromEntries(Object.entries(extra).filter(([k]) => !lower.has(k.toLowerCase())))
        expect(grantAllows(g, 'Decrypt', { ...others, ...required })).toBe(true)
        const [first] = Object.keys(required)
        if (first !== undefined) expect(grantAllows(g, 'Decrypt', { ...others, ...required, [first]: `${required[first]}!` })).toBe(false)
      }),
    )
  })
})

describe('isGrantee and operationsForKey', () => {
  it('matches the caller or its account root', () => {
    const alice = { account: '111111111111', principalArn: 'arn:aws:iam::111111111111:user/alice' }
    expect(isGrantee({ granteePrincipal: alice.principalArn }, alice)).toBe(true)
    expect(isGrantee({ granteePrincipal: 'arn:aws:iam::111111111111:root' }, alice)).toBe(true)
    expect(isGrantee({ granteePrincipal: 'arn:aws:iam::111111111111:user/bob' }, alice)).toBe(false)
    expect(isGrantee({ granteePrincipal: 'arn:aws:iam::222222222222:root' }, alice)).toBe(false)
  })

  it('offers each key only the operations it can perform', () => {
    const sym = operationsForKey({ spec: 'SYMMETRIC_DEFAULT', usage: 'ENCRYPT_DECRYPT' })
    expect(sym.has('GenerateDataKey')).toBe(true)
    expect(sym.has('GenerateDataKeyPairWithoutPlaintext')).toBe(true)
    expect(sym.has('Sign')).toBe(false)
    expect(sym.has('GetPublicKey')).toBe(false)
    const rsa = operationsForKey({ spec: 'RSA_2048', usage: 'ENCRYPT_DECRYPT' })
    expect(rsa.has('Encrypt') && rsa.has('GetPublicKey')).toBe(true)
    expect(rsa.has('GenerateDataKey')).toBe(false)
    const sign = operationsForKey({ spec: 'ECC_NIST_P256', usage: 'SIGN_VERIFY' })
    expect([...sign].sort()).toEqual(['CreateGrant', 'DescribeKey', 'GetPublicKey', 'RetireGrant', 'Sign', 'Verify'])
    expect([...operationsForKey({ spec: 'HMAC_256', usage: 'GENERATE_VERIFY_MAC' })].sort()).toEqual(['CreateGrant', 'DescribeKey', 'GenerateMac', 'RetireGrant', 'VerifyMac'])
    expect(operationsForKey({ spec: 'ECC_NIST_P256', usage: 'KEY_AGREEMENT' }).has('DeriveSharedSecret')).toBe(true)
  })
})
