import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MS } from '../../../../src/core/index.ts'
import { MAX_GRANTS_PER_KEY } from '../../../../src/kms/grants/index.ts'
import { rawDatabaseBytes } from '../../../support/db.ts'
import { ACCOUNT, type KmsHarness, REGION, caller, createKmsHarness } from '../../../support/kms-core.ts'
import { alice, bob, bulkGrants, carol, code } from './fixtures.ts'

let h: KmsHarness
beforeEach(async () => {
  h = await createKmsHarness()
})
afterEach(async () => {
  await h.dispose()
})

const symmetricKey = async () => (await h.kms.createKey(caller, {})).keyMetadata

describe('CreateGrant', () => {
  it('returns a 64-hex grant id and a token, and ListGrants shows the grant as AWS does', async () => {
    const key = await symmetricKey()
    const out = await h.kms.createGrant(caller, {
      keyId: key.keyId,
      granteePrincipal: alice.principalArn,
      retiringPrincipal: bob.principalArn,
      operations: ['Decrypt', 'GenerateDataKey'],
      constraints: { encryptionContextSubset: { Department: 'IT' } },
      name: 'app-decrypt',
    })
    expect(out.grantId).toMatch(/^[0-9a-f]{64}$/)
    expect(out.grantToken.length).toBeGreaterThan(64)
    const list = await h.kms.listGrants(caller, { keyId: key.arn })
    expect(list.truncated).toBe(false)
    expect(list.grants).toEqual([
      {
        keyId: key.arn,
        grantId: out.grantId,
        name: 'app-decrypt',
        creationDate: new Date(h.clock.now()),
        granteePrincipal: alice.principalArn,
        retiringPrincipal: bob.principalArn,
        issuingAccount: `arn:aws:iam::${ACCOUNT}:root`,
        operations: ['Decrypt', 'GenerateDataKey'],
        constraints: { encryptionContextSubset: { Department: 'IT' } },
      },
    ])
  })

  it('is idempotent by name: same name and parameters give the same grant id and a new token; both tokens name it', async () => {
    const key = await symmetricKey()
    const input = { keyId: key.keyId, granteePrincipal: alice.principalArn, operations: ['Encrypt', 'Decrypt'], name: 'retry-me' }
    const first = await h.kms.createGrant(caller, input)
    const again = await h.kms.createGrant(caller, { ...input, operations: ['Decrypt', 'Encrypt'] })
    expect(again.grantId).toBe(first.grantId)
    expect(again.grantToken).not.toBe(first.grantToken)
    expect((await h.kms.listGrants(caller, { keyId: key.keyId })).grants).toHaveLength(1)
    // Another parameter, or no name, makes a new grant.
    const other = await h.kms.createGrant(caller, { ...input, operations: ['Decrypt'] })
    expect(other.grantId).not.toBe(first.grantId)
    const unnamed = { keyId: key.keyId, granteePrincipal: alice.principalArn, operations: ['Decrypt'] }
    expect((await h.kms.createGrant(caller, unnamed)).grantId).not.toBe((await h.kms.createGrant(caller, unnamed)).grantId)
    // Tokens are interchangeable: the second retires the grant, then the first finds nothing.
    await h.kms.retireGrant(alice, { grantToken: again.grantToken })
    expect(await code(h.kms.retireGrant(alice, { grantToken: first.grantToken }))).toBe('NotFound')
  })

  it('refuses operations the key cannot perform, and malformed input, with ValidationException', async () => {
    const key = await symmetricKey()
    const sign = (await h.kms.createKey(caller, { keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY' })).keyMetadata
    const rsa = (await h.kms.createKey(caller, { keySpec: 'RSA_2048', keyUsage: 'ENCRYPT_DECRYPT' })).keyMetadata
    const make = (keyId: string, operations: unknown, extra: Record<string, unknown> = {}) =>
      code(h.kms.createGrant(caller, { keyId, granteePrincipal: alice.principalArn, operations: operations as string[], ...extra }))
    expect(await make(key.keyId, ['Sign'])).toBe('Validation')
    expect(await make(sign.keyId, ['Encrypt'])).toBe('Validation')
    expect(await make(sign.keyId, ['Sign', 'Verify', 'GetPublicKey', 'DescribeKey'])).toBe('no error')
    expect(await make(rsa.keyId, ['GenerateDataKey'])).toBe('Validation')
    expect(await make(rsa.keyId, ['Decrypt', 'GetPublicKey'])).toBe('no error')
    expect(await make(key.keyId, ['Frobnicate'])).toBe('Validation')
    expect(await make(key.keyId, [])).toBe('Validation')
    expect(await make(key.keyId, undefined)).toBe('Validation')
    const both = { encryptionContextSubset: { a: 'b' }, encryptionContextEquals: { a: 'b' } }
    expect(await make(key.keyId, ['Decrypt'], { constraints: both })).toBe('Validation')
    const nine = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, 'v']))
    expect(await make(key.keyId, ['Decrypt'], { constraints: { encryptionContextSubset: nine } })).toBe('Validation')
    expect(await make(key.keyId, ['Decrypt'], { constraints: { encryptionContextEquals: { k: 'v'.repeat(384) } } })).toBe('Validation')
    expect(await make(rsa.keyId, ['Decrypt'], { constraints: { encryptionContextSubset: { a: 'b' } } })).toBe('Validation')
    expect(await make(key.keyId, ['Decrypt'], { name: 'has space' })).toBe('Validation')
    expect(await code(h.kms.createGrant(caller, { keyId: key.keyId, granteePrincipal: 'not a principal', operations: ['Decrypt'] }))).toBe('Validation')
    expect(await code(h.kms.createGrant(caller, { keyId: key.keyId, granteePrincipal: 'alice', operations: ['Decrypt'] }))).toBe('Validation')
    expect(await code(h.kms.createGrant(caller, { keyId: key.keyId, granteePrincipal: alice.principalArn, retiringPrincipal: '', operations: ['Decrypt'] }))).toBe(
      'Validation',
    )
    expect(await code(h.kms.createGrant(caller, { keyId: 'alias/x', granteePrincipal: alice.principalArn, operations: ['Decrypt'] }))).toBe('NotFound')
    expect((await h.kms.listGrants(caller, { keyId: key.keyId })).grants).toHaveLength(0)
  })

  it('accepts account roots, roles, assumed roles and service principals as grantees', async () => {
    const key = await symmetricKey()
    for (const p of [`arn:aws:iam::${ACCOUNT}:root`, `arn:aws:iam::${ACCOUNT}:role/app`, `arn:aws:sts::${ACCOUNT}:assumed-role/app/session-1`, 'ssm.us-east-1.amazonaws.com'])
      await h.kms.createGrant(caller, { keyId: key.keyId, granteePrincipal: p, operations: ['Decrypt'] })
    expect((await h.kms.listGrants(caller, { keyId: key.keyId })).grants.map((g) => g.granteePrincipal).sort()).toHaveLength(4)
  })

  it('follows the key-state "use" rule: DisabledException, KMSInvalidState when pending deletion', async () => {
    const key = await symmetricKey()
    const input = { keyId: key.keyId, granteePrincipal: alice.principalArn, operations: ['Decrypt'] }
    await h.kms.disableKey(caller, { keyId: key.keyId })
    expect(await code(h.kms.createGrant(caller, input))).toBe('Disabled')
    await h.kms.scheduleKeyDeletion(caller, { keyId: key.keyId, pendingWindowInDays: 7 })
    expect(await code(h.kms.createGrant(caller, input))).toBe('InvalidState')
    const ext = (await h.kms.createKey(caller, { origin: 'EXTERNAL' })).keyMetadata
    expect(await code(h.kms.createGrant(caller, { ...input, keyId: ext.keyId }))).toBe('InvalidState')
  })

  it('answers DryRun without making the grant', async () => {
    const key = await symmetricKey()
    expect(await code(h.kms.createGrant(caller, { keyId: key.keyId, granteePrincipal: alice.principalArn, operations: ['Decrypt'], dryRun: true }))).toBe('DryRun')
    expect((await h.kms.listGrants(caller, { keyId: key.keyId })).grants).toHaveLength(0)
  })

  it('refuses a key of another account (default key policy: no cross-account use)', async () => {
    const key = await symmetricKey()
    expect(await code(h.kms.createGrant(carol, { keyId: key.arn, granteePrincipal: carol.principalArn, operations: ['Decrypt'] }))).toBe('AccessDenied')
  })

  it(`stops at ${MAX_GRANTS_PER_KEY} grants per key (AWS quota), but a named retry still answers`, async () => {
    const key = await symmetricKey()
    const named = await h.kms.createGrant(caller, { keyId: key.keyId, granteePrincipal: alice.principalArn, operations: ['Decrypt'], name: 'kept' })
    await bulkGrants(h.db, key.keyId, MAX_GRANTS_PER_KEY - 1, h.clock.now())
    expect(await code(h.kms.createGrant(caller, { keyId: key.keyId, granteePrincipal: bob.principalArn, operations: ['Decrypt'] }))).toBe('LimitExceeded')
    const retry = await h.kms.createGrant(caller, { keyId: key.keyId, granteePrincipal: alice.principalArn, operations: ['Decrypt'], name: 'kept' })
    expect(retry.grantId).toBe(named.grantId)
    await h.kms.revokeGrant(caller, { keyId: key.keyId, grantId: named.grantId })
    await h.kms.createGrant(caller, { keyId: key.keyId, granteePrincipal: bob.principalArn, operations: ['Decrypt'] })
  }, 120_000)

  it('stores no usable token: neither the token nor its text is in the database', async () => {
    const key = await symmetricKey()
    const { grantToken } = await h.kms.createGrant(caller, { keyId: key.keyId, granteePrincipal: alice.principalArn, operations: ['Decrypt'] })
    const raw = await rawDatabaseBytes(h.db)
    expect(raw.includes(Buffer.from(grantToken))).toBe(false)
    expect(raw.includes(Buffer.from(grantToken, 'base64url').subarray(49))).toBe(false)
  })

  it('keeps grants usable by token across a restart, and deletes them with their key', async () => {
    const key = await symmetricKey()
    const g = await h.kms.createGrant(caller, { keyId: key.keyId, granteePrincipal: alice.principalArn, retiringPrincipal: bob.principalArn, operations: ['Decrypt'] })
    await h.kms.createGrant(caller, { keyId: key.keyId, granteePrincipal: bob.principalArn, operations: ['Encrypt'] })
    const kms = await h.restart()
    await kms.retireGrant(bob, { grantToken: g.grantToken })
    expect((await kms.listGrants(caller, { keyId: key.keyId })).grants).toHaveLength(1)
    await kms.scheduleKeyDeletion(caller, { keyId: key.keyId, pendingWindowInDays: 7 })
    h.clock.advance(7 * MS.day)
    expect(await kms.jobs.deleteDueKeys()).toBe(1)
    const left = await h.db.db.selectFrom('kms_grants').select('grant_id').where('key_id', '=', key.keyId).where('region', '=', REGION).execute()
    expect(left).toEqual([])
  })
})
