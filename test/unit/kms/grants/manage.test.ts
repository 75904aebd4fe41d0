import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { OTHER_ACCOUNT, type KmsHarness, caller, createKmsHarness, otherCaller } from '../../../support/kms-core.ts'
import { alice, bob, carol, code, user } from './fixtures.ts'

let h: KmsHarness
beforeEach(async () => {
  h = await createKmsHarness()
})
afterEach(async () => {
  await h.dispose()
})

const symmetricKey = async () => (await h.kms.createKey(caller, {})).keyMetadata

describe('ListGrants', () => {
  it('filters by grant id and grantee, and pages in creation order with markers', async () => {
    const key = await symmetricKey()
    const ids: string[] = []
    for (let i = 0; i < 5; i++) {
      ids.push((await h.kms.createGrant(caller, { keyId: key.keyId, granteePrincipal: i === 2 ? bob.principalArn : alice.principalArn, operations: ['Decrypt'] })).grantId)
      h.clock.advance(1000)
    }
    const seen: string[] = []
    let marker: string | undefined
    for (let pages = 1; ; pages++) {
      const page = await h.kms.listGrants(caller, { keyId: key.keyId, limit: 2, marker })
      seen.push(...page.grants.map((g) => g.grantId))
      if (!page.truncated) {
        expect(page.nextMarker).toBeUndefined()
        expect(pages).toBe(3)
        break
      }
      marker = page.nextMarker
    }
    expect(seen).toEqual(ids)
    expect((await h.kms.listGrants(caller, { keyId: key.keyId, granteePrincipal: bob.principalArn })).grants.map((g) => g.grantId)).toEqual([ids[2]])
    expect((await h.kms.listGrants(caller, { keyId: key.keyId, grantId: ids[4] })).grants.map((g) => g.grantId)).toEqual([ids[4]])
    expect((await h.kms.listGrants(caller, { keyId: key.keyId, grantId: 'f'.repeat(64) })).grants).toEqual([])
  })

  it('answers AWS errors: InvalidGrantId, InvalidMarker, Limit range, unknown key', async () => {
    const key = await symmetricKey()
    expect(await code(h.kms.listGrants(caller, { keyId: key.keyId, grantId: 'nope' }))).toBe('InvalidGrantId')
    expect(await code(h.kms.listGrants(caller, { keyId: key.keyId, marker: 'garbage' }))).toBe('InvalidMarker')
    expect(await code(h.kms.listGrants(caller, { keyId: key.keyId, limit: 101 }))).toBe('Validation')
    expect(await code(h.kms.listGrants(caller, { keyId: key.keyId, limit: 0 }))).toBe('Validation')
    expect(await code(h.kms.listGrants(caller, { keyId: '00000000-0000-4000-8000-000000000000' }))).toBe('NotFound')
    expect(await code(h.kms.listGrants(otherCaller, { keyId: key.arn }))).toBe('AccessDenied')
  })

  it('works in every key state', async () => {
    const key = await symmetricKey()
    const g = await h.kms.createGrant(caller, { keyId: key.keyId, granteePrincipal: alice.principalArn, operations: ['Decrypt'] })
    await h.kms.disableKey(caller, { keyId: key.keyId })
    expect((await h.kms.listGrants(caller, { keyId: key.keyId })).grants).toHaveLength(1)
    await h.kms.scheduleKeyDeletion(caller, { keyId: key.keyId, pendingWindowInDays: 7 })
    expect((await h.kms.listGrants(caller, { keyId: key.keyId })).grants).toHaveLength(1)
    await h.kms.revokeGrant(caller, { keyId: key.keyId, grantId: g.grantId })
    expect((await h.kms.listGrants(caller, { keyId: key.keyId })).grants).toHaveLength(0)
  })
})

describe('ListRetirableGrants', () => {
  it('lists the grants a principal may retire, across keys and accounts, in the caller region only', async () => {
    const k1 = await symmetricKey()
    const k2 = await symmetricKey()
    const theirs = (await h.kms.createKey(otherCaller, {})).keyMetadata
    const g1 = await h.kms.createGrant(caller, { keyId: k1.keyId, granteePrincipal: alice.principalArn, retiringPrincipal: bob.principalArn, operations: ['Decrypt'] })
    const g2 = await h.kms.createGrant(caller, { keyId: k2.keyId, granteePrincipal: alice.principalArn, retiringPrincipal: bob.principalArn, operations: ['Encrypt'] })
    const g3 = await h.kms.createGrant(otherCaller, { keyId: theirs.keyId, granteePrincipal: bob.principalArn, retiringPrincipal: bob.principalArn, operations: ['Decrypt'] })
    await h.kms.createGrant(caller, { keyId: k1.keyId, granteePrincipal: bob.principalArn, retiringPrincipal: alice.principalArn, operations: ['Decrypt'] })
    const out = await h.kms.listRetirableGrants(bob, { retiringPrincipal: bob.principalArn })
    expect(out.grants.map((g) => g.grantId).sort()).toEqual([g1.grantId, g2.grantId, g3.grantId].sort())
    expect(out.grants.find((g) => g.grantId === g3.grantId)?.issuingAccount).toBe(`arn:aws:iam::${OTHER_ACCOUNT}:root`)
    const page = await h.kms.listRetirableGrants(bob, { retiringPrincipal: bob.principalArn, limit: 2 })
    expect(page).toMatchObject({ truncated: true })
    const rest = await h.kms.listRetirableGrants(bob, { retiringPrincipal: bob.principalArn, limit: 2, marker: page.nextMarker })
    expect([...page.grants, ...rest.grants].map((g) => g.grantId).sort()).toEqual(out.grants.map((g) => g.grantId).sort())
    expect((await h.kms.listRetirableGrants({ ...bob, region: 'eu-west-1' }, { retiringPrincipal: bob.principalArn })).grants).toEqual([])
  })

  it('refuses a retiring principal of another account, and a malformed one', async () => {
    expect(await code(h.kms.listRetirableGrants(bob, { retiringPrincipal: carol.principalArn }))).toBe('AccessDenied')
    expect(await code(h.kms.listRetirableGrants(bob, { retiringPrincipal: 'not a principal' }))).toBe('Validation')
  })
})

describe('RetireGrant', () => {
  it('lets the retiring principal retire by token, even from another account', async () => {
    const key = await symmetricKey()
    const g = await h.kms.createGrant(caller, { keyId: key.keyId, granteePrincipal: alice.principalArn, retiringPrincipal: carol.principalArn, operations: ['Decrypt'] })
    await h.kms.retireGrant(carol, { grantToken: g.grantToken })
    expect((await h.kms.listGrants(caller, { keyId: key.keyId })).grants).toEqual([])
  })

  it('lets the grantee retire only a grant that lists RetireGrant; the key account may always', async () => {
    const key = await symmetricKey()
    const carolAt = user('carol', OTHER_ACCOUNT)
    const plain = await h.kms.createGrant(caller, { keyId: key.keyId, granteePrincipal: carolAt.principalArn, operations: ['Decrypt'] })
    const retirable = await h.kms.createGrant(caller, { keyId: key.keyId, granteePrincipal: carolAt.principalArn, operations: ['Decrypt', 'RetireGrant'] })
    expect(await code(h.kms.retireGrant(carolAt, { keyId: key.arn, grantId: plain.grantId }))).toBe('AccessDenied')
    expect(await code(h.kms.retireGrant(carolAt, { grantToken: plain.grantToken }))).toBe('AccessDenied')
    await h.kms.retireGrant(carolAt, { keyId: key.arn, grantId: retirable.grantId })
    // The key's own account (its policy allows kms:*) retires the other one.
    await h.kms.retireGrant(caller, { keyId: key.keyId, grantId: plain.grantId })
    expect((await h.kms.listGrants(caller, { keyId: key.keyId })).grants).toEqual([])
  })

  it('answers InvalidGrantToken, InvalidGrantId, NotFound and ValidationException as AWS does', async () => {
    const key = await symmetricKey()
    const g = await h.kms.createGrant(caller, { keyId: key.keyId, granteePrincipal: alice.principalArn, retiringPrincipal: bob.principalArn, operations: ['Decrypt'] })
    expect(await code(h.kms.retireGrant(bob, { grantToken: 'not-a-token' }))).toBe('InvalidGrantToken')
    const raw = Buffer.from(g.grantToken, 'base64url')
    raw[raw.length - 1] ^= 1
    expect(await code(h.kms.retireGrant(bob, { grantToken: raw.toString('base64url') }))).toBe('InvalidGrantToken')
    expect(await code(h.kms.retireGrant(bob, {}))).toBe('Validation')
    expect(await code(h.kms.retireGrant(bob, { keyId: key.keyId }))).toBe('Validation')
    expect(await code(h.kms.retireGrant(bob, { keyId: key.keyId, grantId: 'xyz' }))).toBe('InvalidGrantId')
    expect(await code(h.kms.retireGrant(bob, { keyId: key.keyId, grantId: 'a'.repeat(64) }))).toBe('NotFound')
    expect(await code(h.kms.retireGrant(bob, { grantToken: g.grantToken, dryRun: true }))).toBe('DryRun')
    await h.kms.retireGrant(bob, { keyId: key.keyId, grantId: g.grantId })
    expect(await code(h.kms.retireGrant(bob, { keyId: key.keyId, grantId: g.grantId }))).toBe('NotFound')
    expect(await code(h.kms.retireGrant(bob, { grantToken: g.grantToken }))).toBe('NotFound')
  })

  it('does not retire a grant through a key it does not belong to', async () => {
    const key = await symmetricKey()
    const other = await symmetricKey()
    const g = await h.kms.createGrant(caller, { keyId: key.keyId, granteePrincipal: alice.principalArn, retiringPrincipal: bob.principalArn, operations: ['Decrypt'] })
    expect(await code(h.kms.retireGrant(bob, { keyId: other.keyId, grantId: g.grantId }))).toBe('NotFound')
    expect(await code(h.kms.retireGrant(bob, { grantToken: g.grantToken, keyId: other.keyId }))).toBe('NotFound')
    expect((await h.kms.listGrants(caller, { keyId: key.keyId })).grants).toHaveLength(1)
  })
})

describe('RevokeGrant', () => {
  it('deletes a grant for the key account; others are refused; errors as AWS', async () => {
    const key = await symmetricKey()
    const g = await h.kms.createGrant(caller, { keyId: key.keyId, granteePrincipal: carol.principalArn, operations: ['Decrypt', 'RetireGrant'] })
    expect(await code(h.kms.revokeGrant(carol, { keyId: key.arn, grantId: g.grantId }))).toBe('AccessDenied')
    expect(await code(h.kms.revokeGrant(caller, { keyId: key.keyId, grantId: 'zz' }))).toBe('InvalidGrantId')
    expect(await code(h.kms.revokeGrant(caller, { keyId: key.keyId, grantId: 'b'.repeat(64) }))).toBe('NotFound')
    expect(await code(h.kms.revokeGrant(caller, { keyId: key.keyId, grantId: g.grantId, dryRun: true }))).toBe('DryRun')
    await h.kms.revokeGrant(alice, { keyId: key.keyId, grantId: g.grantId })
    expect(await code(h.kms.revokeGrant(caller, { keyId: key.keyId, grantId: g.grantId }))).toBe('NotFound')
    expect(await code(h.kms.retireGrant(carol, { grantToken: g.grantToken }))).toBe('NotFound')
  })
})
