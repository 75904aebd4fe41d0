import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type Authorizer, type AuthzRequest, accountAuthorizer, createKms } from '../../../../src/kms/index.ts'
import { MAX_CACHED_GRANTS_PER_KEY } from '../../../../src/kms/grants/store.ts'
import { ACCOUNT, type KmsHarness, caller, createKmsHarness, utf8 } from '../../../support/kms-core.ts'
import { alice, bob, bulkGrants, code } from './fixtures.ts'

// The core loads candidate grants into the AuthzRequest; the policy engine decides with them.
// A recording authorizer (typed against the real interface) shows what it was given.

let h: KmsHarness
let seen: AuthzRequest[]
const recorder: Authorizer = {
  authorize(req) {
    seen.push(req)
    // Let grantees in: these tests are about what the authorizer is given, not what it decides.
    if (req.grants?.length) return
    return accountAuthorizer.authorize(req)
  },
}
const last = (action: string) => [...seen].reverse().find((r) => r.action === action)
const grantIds = (action: string) => (last(action)?.grants ?? []).map((g) => g.grantId).sort()

beforeEach(async () => {
  seen = []
  h = await createKmsHarness({ authorizer: recorder })
})
afterEach(async () => {
  await h.dispose()
})

async function setup() {
  const key = (await h.kms.createKey(caller, {})).keyMetadata
  const forAlice = await h.kms.createGrant(caller, {
    keyId: key.keyId,
    granteePrincipal: alice.principalArn,
    operations: ['Encrypt', 'Decrypt'],
    constraints: { encryptionContextSubset: { app: 'a' } },
  })
  const forBob = await h.kms.createGrant(caller, { keyId: key.keyId, granteePrincipal: bob.principalArn, operations: ['Encrypt'] })
  return { key, forAlice, forBob }
}

describe('grant loading into AuthzRequest', () => {
  it("gives the authorizer the caller's own grants on the key, as Grant objects", async () => {
    const { key, forAlice, forBob } = await setup()
    await h.kms.encrypt(alice, { keyId: key.keyId, plaintext: utf8('x'), encryptionContext: { app: 'a' } })
    const req = last('kms:Encrypt')
    expect(req?.grantOperation).toBe('Encrypt')
    expect(req?.grants).toEqual([
      {
        grantId: forAlice.grantId,
        keyId: key.keyId,
        region: key.arn.split(':')[3],
        account: ACCOUNT,
        granteePrincipal: alice.principalArn,
        operations: ['Encrypt', 'Decrypt'],
        constraints: { encryptionContextSubset: { app: 'a' } },
        creationDate: h.clock.now(),
      },
    ])
    await h.kms.encrypt(bob, { keyId: key.keyId, plaintext: utf8('x') })
    expect(grantIds('kms:Encrypt')).toEqual([forBob.grantId])
  })

  it('includes grants whose grantee is the caller account root', async () => {
    const { key, forAlice } = await setup()
    const toAccount = await h.kms.createGrant(caller, { keyId: key.keyId, granteePrincipal: `arn:aws:iam::${ACCOUNT}:root`, operations: ['DescribeKey'] })
    await h.kms.describeKey(alice, { keyId: key.keyId })
    expect(grantIds('kms:DescribeKey')).toEqual([forAlice.grantId, toAccount.grantId].sort())
  })

  it("adds grants named by grant tokens, whoever passes them (another principal's token included)", async () => {
    const { key, forAlice, forBob } = await setup()
    await h.kms.encrypt(bob, { keyId: key.keyId, plaintext: utf8('x'), grantTokens: [forAlice.grantToken] })
    expect(grantIds('kms:Encrypt')).toEqual([forAlice.grantId, forBob.grantId].sort())
    expect(last('kms:Encrypt')?.caller.grantTokens).toEqual([forAlice.grantToken])
    // A token of a grant on another key is no grant here.
    const other = (await h.kms.createKey(caller, {})).keyMetadata
    const elsewhere = await h.kms.createGrant(caller, { keyId: other.keyId, granteePrincipal: bob.principalArn, operations: ['Encrypt'] })
    await h.kms.encrypt(alice, { keyId: key.keyId, plaintext: utf8('x'), encryptionContext: { app: 'a' }, grantTokens: [elsewhere.grantToken] })
    expect(grantIds('kms:Encrypt')).toEqual([forAlice.grantId])
  })

  it('refuses malformed and forged grant tokens with InvalidGrantTokenException', async () => {
    const { key, forAlice } = await setup()
    expect(await code(h.kms.encrypt(bob, { keyId: key.keyId, plaintext: utf8('x'), grantTokens: ['garbage'] }))).toBe('InvalidGrantToken')
    const forged = Buffer.from(forAlice.grantToken, 'base64url')
    forged[60] ^= 0x40
    expect(await code(h.kms.encrypt(bob, { keyId: key.keyId, plaintext: utf8('x'), grantTokens: [forged.toString('base64url')] }))).toBe('InvalidGrantToken')
  })

  it('loads nothing for actions grants cannot allow', async () => {
    const { key } = await setup()
    await h.kms.listGrants(caller, { keyId: key.keyId })
    await h.kms.updateKeyDescription(alice, { keyId: key.keyId, description: 'd' })
    expect(last('kms:ListGrants')?.grants).toBeUndefined()
    expect(last('kms:UpdateKeyDescription')?.grants).toBeUndefined()
    expect(last('kms:ListGrants')?.conditions).toMatchObject({ 'kms:GrantIsForAWSResource': false })
  })

  it('sees grant changes on this node at once: created, retired, revoked', async () => {
    const key = (await h.kms.createKey(caller, {})).keyMetadata
    await h.kms.describeKey(alice, { keyId: key.keyId })
    expect(last('kms:DescribeKey')?.grants).toEqual([])
    const g = await h.kms.createGrant(caller, { keyId: key.keyId, granteePrincipal: alice.principalArn, operations: ['DescribeKey'] })
    await h.kms.describeKey(alice, { keyId: key.keyId })
    expect(grantIds('kms:DescribeKey')).toEqual([g.grantId])
    await h.kms.revokeGrant(caller, { keyId: key.keyId, grantId: g.grantId })
    await h.kms.describeKey(alice, { keyId: key.keyId })
    expect(last('kms:DescribeKey')?.grants).toEqual([])
  })

  it("on another node: a token works at once, the cached 'no grants' lasts one key-row TTL", async () => {
    const key = (await h.kms.createKey(caller, {})).keyMetadata
    const other = createKms({ db: h.db.db, barrier: h.seal, clock: h.clock, authorizer: recorder })
    await other.describeKey(alice, { keyId: key.keyId })
    const g = await h.kms.createGrant(caller, { keyId: key.keyId, granteePrincipal: alice.principalArn, operations: ['DescribeKey'] })
    await other.describeKey(alice, { keyId: key.keyId })
    expect(last('kms:DescribeKey')?.grants).toEqual([])
    await other.describeKey(alice, { keyId: key.keyId, grantTokens: [g.grantToken] })
    expect(grantIds('kms:DescribeKey')).toEqual([g.grantId])
    h.clock.advance(1001)
    await other.describeKey(alice, { keyId: key.keyId })
    expect(grantIds('kms:DescribeKey')).toEqual([g.grantId])
  })

  it(`still finds the caller's grants on a key with more than ${MAX_CACHED_GRANTS_PER_KEY} grants`, async () => {
    const { key, forAlice, forBob } = await setup()
    await bulkGrants(h.db, key.keyId, MAX_CACHED_GRANTS_PER_KEY + 10, h.clock.now())
    h.kms.clearCaches()
    await h.kms.decrypt(alice, {
      ciphertextBlob: (await h.kms.encrypt(caller, { keyId: key.keyId, plaintext: utf8('x'), encryptionContext: { app: 'a' } })).ciphertextBlob,
      encryptionContext: { app: 'a' },
      grantTokens: [forBob.grantToken],
    })
    expect(grantIds('kms:Decrypt')).toEqual([forAlice.grantId, forBob.grantId].sort())
  })

  it('passes CreateGrant only the grants that could parent the new one', async () => {
    const key = (await h.kms.createKey(caller, {})).keyMetadata
    const parent = await h.kms.createGrant(caller, {
      keyId: key.keyId,
      granteePrincipal: alice.principalArn,
      operations: ['Decrypt', 'CreateGrant'],
      constraints: { encryptionContextSubset: { dept: 'IT' } },
    })
    await h.kms.createGrant(alice, { keyId: key.keyId, granteePrincipal: bob.principalArn, operations: ['Decrypt'], constraints: { encryptionContextEquals: { dept: 'IT' } } })
    expect(grantIds('kms:CreateGrant')).toEqual([parent.grantId])
    expect(last('kms:CreateGrant')).toMatchObject({
      grantOperation: 'CreateGrant',
      conditions: {
        'kms:GrantOperations': ['Decrypt'],
        'kms:GranteePrincipal': bob.principalArn,
        'kms:GrantIsForAWSResource': false,
        'kms:GrantConstraintType': 'EncryptionContextEquals',
      },
    })
    await code(h.kms.createGrant(alice, { keyId: key.keyId, granteePrincipal: bob.principalArn, operations: ['Encrypt'] }))
    expect(last('kms:CreateGrant')?.grants).toEqual([])
    await code(h.kms.createGrant(alice, { keyId: key.keyId, granteePrincipal: bob.principalArn, operations: ['Decrypt'] }))
    expect(last('kms:CreateGrant')?.grants).toEqual([])
  })

  it('gives RetireGrant only the grant being retired, and only to its grantee', async () => {
    const key = (await h.kms.createKey(caller, {})).keyMetadata
    const g = await h.kms.createGrant(caller, { keyId: key.keyId, granteePrincipal: `arn:aws:iam::${ACCOUNT}:root`, operations: ['Decrypt', 'RetireGrant'] })
    await h.kms.createGrant(caller, { keyId: key.keyId, granteePrincipal: alice.principalArn, operations: ['Decrypt', 'RetireGrant'] })
    await h.kms.retireGrant(alice, { grantToken: g.grantToken })
    expect(last('kms:RetireGrant')).toMatchObject({ grantOperation: 'RetireGrant' })
    expect(grantIds('kms:RetireGrant')).toEqual([g.grantId])
  })
})
