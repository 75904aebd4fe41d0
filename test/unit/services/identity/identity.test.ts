import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ManualClock, MS } from '../../../../src/core/index.ts'
import {
  type AdminCredentials,
  createIdentity,
  type Identity,
  MAX_POLICIES_PER_PRINCIPAL,
  TOKEN_TTL_DEFAULT_SECONDS,
  TOKEN_TTL_MAX_SECONDS,
} from '../../../../src/services/identity/index.ts'
import { createTestDatabase, rawDatabaseBytes, type TestDatabase } from '../../../support/db.ts'
import { rejection, testBarrier } from './support.ts'

const ACCOUNT = '111122223333'
const OTHER = '444455556666'
const POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] })

let t: TestDatabase
let clock: ManualClock
let identity: Identity
let barrier: ReturnType<typeof testBarrier>
let generated: AdminCredentials

beforeEach(async () => {
  t = await createTestDatabase()
  clock = new ManualClock()
  barrier = testBarrier()
  identity = createIdentity({ db: t.db, barrier, clock })
  generated = (await identity.bootstrap({ accountId: ACCOUNT })).generated!
})
afterEach(async () => {
  await t.dispose()
})

describe('identity: accounts', () => {
  it('creates an account with a given id, with its administrator', async () => {
    expect(await identity.createAccount(OTHER)).toEqual({ id: OTHER })
    const admin = await identity.getPrincipal('user', OTHER, 'admin')
    expect(admin).toMatchObject({ account: OTHER, kind: 'user', name: 'admin', admin: true, arn: `arn:aws:iam::${OTHER}:user/admin` })
    expect(await identity.listAccounts()).toEqual([{ id: ACCOUNT }, { id: OTHER }])
  })

  it('draws 12 random digits when no id is given', async () => {
    const a = await identity.createAccount()
    const b = await identity.createAccount()
    expect(a.id).toMatch(/^\d{12}$/)
    expect(b.id).not.toBe(a.id)
    expect((await identity.listAccounts()).map((x) => x.id)).toContain(a.id)
  })

  it('refuses a duplicate (AlreadyExists) and a malformed id (Validation)', async () => {
    expect(await rejection(identity.createAccount(ACCOUNT))).toMatchObject({ code: 'AlreadyExists', field: 'id' })
    for (const bad of ['12345678901', '1234567890123', 'abcdefghijkl', '', '12345678901 ']) {
      expect(await rejection(identity.createAccount(bad))).toMatchObject({ code: 'Validation', field: 'id' })
    }
  })
})

describe('identity: principals', () => {
  it('creates users and roles with AWS ARNs, ids and tags', async () => {
    const user = await identity.createPrincipal('user', { name: 'app', account: ACCOUNT, tags: { team: 'blue', 'cost:center': '42' } })
    expect(user).toMatchObject({ kind: 'user', name: 'app', account: ACCOUNT, admin: false, arn: `arn:aws:iam::${ACCOUNT}:user/app`, tags: { team: 'blue', 'cost:center': '42' } })
    expect(user.id).toMatch(/^AIDA[A-Z2-7]{17}$/)
    const role = await identity.createPrincipal('role', { name: 'app', account: ACCOUNT })
    expect(role).toMatchObject({ kind: 'role', arn: `arn:aws:iam::${ACCOUNT}:role/app`, tags: {} })
    expect(role.id).toMatch(/^AROA[A-Z2-7]{17}$/)
  })

  it('accepts every IAM name character and refuses others', async () => {
    const ok = 'a_Z9+=,.@-' + 'x'.repeat(54)
    expect((await identity.createPrincipal('user', { name: ok, account: ACCOUNT })).name).toBe(ok)
    for (const bad of ['', 'x'.repeat(65), 'a/b', 'a b', 'é', 'a:b']) {
      expect(await rejection(identity.createPrincipal('user', { name: bad, account: ACCOUNT }))).toMatchObject({ code: 'Validation', field: 'name' })
    }
  })

  it('refuses duplicates without regard to case, and unknown or malformed accounts', async () => {
    await identity.createPrincipal('user', { name: 'App', account: ACCOUNT })
    expect(await rejection(identity.createPrincipal('user', { name: 'app', account: ACCOUNT }))).toMatchObject({ code: 'AlreadyExists' })
    expect(await rejection(identity.createPrincipal('user', { name: 'ADMIN', account: ACCOUNT }))).toMatchObject({ code: 'AlreadyExists' })
    expect(await rejection(identity.createPrincipal('user', { name: 'app', account: OTHER }))).toMatchObject({ code: 'NotFound', field: 'account' })
    expect(await rejection(identity.createPrincipal('user', { name: 'app', account: '12' }))).toMatchObject({ code: 'Validation', field: 'account' })
  })

  it('validates tags like IAM', async () => {
    const bad: Record<string, string>[] = [
      { 'aws:x': 'v' },
      { '': 'v' },
      { ['k'.repeat(129)]: 'v' },
      { k: 'v'.repeat(257) },
      { k: 'a;b' },
      { K: '1', k: '2' },
      Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])),
      { k: 1 as unknown as string },
    ]
    for (const tags of bad) {
      expect(await rejection(identity.createPrincipal('user', { name: 'x', account: ACCOUNT, tags }))).toMatchObject({ code: 'Validation' })
    }
    expect(await rejection(identity.createPrincipal('user', { name: 'x', account: ACCOUNT, tags: [] as unknown as Record<string, string> }))).toMatchObject({
      code: 'Validation',
      field: 'tags',
    })
  })

  it('gets a principal with its keys and policies, by name in any case', async () => {
    await identity.createPrincipal('user', { name: 'App', account: ACCOUNT })
    const key = await identity.createAccessKey('user', ACCOUNT, 'App')
    clock.advance(1000)
    await identity.putPolicy('user', ACCOUNT, 'app', 'zeta', POLICY)
    await identity.putPolicy('user', ACCOUNT, 'app', 'alpha', POLICY)
    const got = await identity.getPrincipal('user', ACCOUNT, 'app')
    expect(got).toMatchObject({ name: 'App', arn: `arn:aws:iam::${ACCOUNT}:user/App`, policies: ['alpha', 'zeta'] })
    expect(got?.accessKeys).toEqual([{ accessKeyId: key.accessKeyId, createdAt: new Date(Date.UTC(2026, 0, 1)) }])
    expect(await identity.getPrincipal('user', ACCOUNT, 'nobody')).toBeUndefined()
    expect(await identity.getPrincipal('role', ACCOUNT, 'App')).toBeUndefined()
  })

  it('lists one kind of one account, by name', async () => {
    await identity.createAccount(OTHER)
    await identity.createPrincipal('user', { name: 'b', account: ACCOUNT })
    await identity.createPrincipal('user', { name: 'a', account: ACCOUNT })
    await identity.createPrincipal('role', { name: 'r', account: ACCOUNT })
    await identity.createPrincipal('user', { name: 'c', account: OTHER })
    expect((await identity.listPrincipals('user', ACCOUNT)).map((p) => p.name)).toEqual(['a', 'admin', 'b'])
    expect((await identity.listPrincipals('role', ACCOUNT)).map((p) => p.name)).toEqual(['r'])
    expect((await identity.listPrincipals('user', OTHER)).map((p) => p.name)).toEqual(['admin', 'c'])
    expect(await rejection(identity.listPrincipals('user', '999999999999'))).toMatchObject({ code: 'NotFound' })
  })

  it('deletes a principal with its keys, tokens and policies; never the administrator', async () => {
    await identity.createPrincipal('user', { name: 'app', account: ACCOUNT })
    const key = await identity.createAccessKey('user', ACCOUNT, 'app')
    const { token } = await identity.createToken('user', ACCOUNT, 'app')
    await identity.putPolicy('user', ACCOUNT, 'app', 'p', POLICY)
    const p = (await identity.accessKey(key.accessKeyId))!.principal
    expect(await identity.authenticateToken(token)).toEqual(p)
    expect(await identity.policiesOf(p)).toEqual([POLICY])

    await identity.deletePrincipal('user', ACCOUNT, 'app')
    expect(await identity.getPrincipal('user', ACCOUNT, 'app')).toBeUndefined()
    expect(await identity.accessKey(key.accessKeyId)).toBeUndefined()
    expect(await identity.authenticateToken(token)).toBeUndefined()
    expect(await identity.policiesOf(p)).toEqual([])
    for (const table of ['iam_access_keys', 'iam_tokens', 'iam_policies'] as const) {
      expect(await t.db.selectFrom(table).selectAll().where('principal_id', '=', p.id).execute()).toEqual([])
    }
    expect(await rejection(identity.deletePrincipal('user', ACCOUNT, 'app'))).toMatchObject({ code: 'NotFound' })
    expect(await rejection(identity.deletePrincipal('user', ACCOUNT, 'admin'))).toMatchObject({ code: 'Conflict' })
    expect(await identity.getPrincipal('user', ACCOUNT, 'admin')).toBeDefined()
  })
})

describe('identity: access keys', () => {
  beforeEach(async () => {
    await identity.createPrincipal('user', { name: 'app', account: ACCOUNT, tags: { team: 'blue' } })
  })

  it('makes AWS-shaped keys that authenticate their principal', async () => {
    const key = await identity.createAccessKey('user', ACCOUNT, 'app')
    expect(key.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/)
    expect(key.secretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/)
    const found = await identity.accessKey(key.accessKeyId)
    expect(found?.secretAccessKey).toBe(key.secretAccessKey)
    expect(found?.principal).toMatchObject({ name: 'app', kind: 'user', account: ACCOUNT, admin: false, tags: { team: 'blue' } })
    expect(await identity.accessKey('AKIAAAAAAAAAAAAAAAAA')).toBeUndefined()
    expect(await identity.accessKey('')).toBeUndefined()
  })

  it('allows two keys per principal, like IAM', async () => {
    await identity.createAccessKey('user', ACCOUNT, 'app')
    const second = await identity.createAccessKey('user', ACCOUNT, 'app')
    expect(await rejection(identity.createAccessKey('user', ACCOUNT, 'app'))).toMatchObject({ code: 'LimitExceeded' })
    await identity.deleteAccessKey('user', ACCOUNT, 'app', second.accessKeyId)
    await identity.createAccessKey('user', ACCOUNT, 'app')
  })

  it('holds the two-key limit under concurrent creation', async () => {
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => identity.createAccessKey('user', ACCOUNT, 'app')))
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2)
    expect((await identity.getPrincipal('user', ACCOUNT, 'app'))?.accessKeys).toHaveLength(2)
  })

  it('deletes a key: it stops authenticating at once', async () => {
    const key = await identity.createAccessKey('user', ACCOUNT, 'app')
    expect(await identity.accessKey(key.accessKeyId)).toBeDefined()
    await identity.deleteAccessKey('user', ACCOUNT, 'app', key.accessKeyId)
    expect(await identity.accessKey(key.accessKeyId)).toBeUndefined()
    expect(await rejection(identity.deleteAccessKey('user', ACCOUNT, 'app', key.accessKeyId))).toMatchObject({ code: 'NotFound' })
  })

  it("refuses to delete another principal's key (NotFound) and keys of unknown principals", async () => {
    await identity.createPrincipal('user', { name: 'other', account: ACCOUNT })
    const key = await identity.createAccessKey('user', ACCOUNT, 'app')
    expect(await rejection(identity.deleteAccessKey('user', ACCOUNT, 'other', key.accessKeyId))).toMatchObject({ code: 'NotFound' })
    expect(await rejection(identity.createAccessKey('user', ACCOUNT, 'ghost'))).toMatchObject({ code: 'NotFound' })
    expect(await identity.accessKey(key.accessKeyId)).toBeDefined()
  })

  it('keeps secrets bound to their key id: a wrapped secret moved to another row fails to open', async () => {
    const a = await identity.createAccessKey('user', ACCOUNT, 'app')
    const b = await identity.createAccessKey('user', ACCOUNT, 'app')
    const rowA = await t.db.selectFrom('iam_access_keys').select('secret').where('id', '=', a.accessKeyId).executeTakeFirstOrThrow()
    await t.db.updateTable('iam_access_keys').set({ secret: rowA.secret }).where('id', '=', b.accessKeyId).execute()
    // A fresh instance (empty cache), same barrier key: only the AAD tells the rows apart.
    const fresh = createIdentity({ db: t.db, barrier, clock })
    expect((await fresh.accessKey(a.accessKeyId))?.secretAccessKey).toBe(a.secretAccessKey)
    await expect(fresh.accessKey(b.accessKeyId)).rejects.toThrow()
  })
})

describe('identity: secrets at rest', () => {
  it('never stores a secret access key or an API token in clear', async () => {
    await identity.createPrincipal('user', { name: 'app', account: ACCOUNT })
    const key = await identity.createAccessKey('user', ACCOUNT, 'app')
    const { token } = await identity.createToken('user', ACCOUNT, 'app')
    const raw = await rawDatabaseBytes(t)
    for (const secret of [key.secretAccessKey, token, generated.secretAccessKey, generated.token, token.slice(5)]) {
      expect(raw.includes(Buffer.from(secret))).toBe(false)
    }
    // Sanity: the scan does see what is stored in clear.
    expect(raw.includes(Buffer.from(key.accessKeyId))).toBe(true)
  })
})

describe('identity: API tokens', () => {
  beforeEach(async () => {
    await identity.createPrincipal('role', { name: 'ci', account: ACCOUNT })
  })

  it('authenticates until it expires (default 30 days)', async () => {
    const { token, expiresAt } = await identity.createToken('role', ACCOUNT, 'ci')
    expect(token).toMatch(/^arca_[0-9A-Za-z]{40}$/)
    expect(expiresAt.getTime()).toBe(clock.now() + TOKEN_TTL_DEFAULT_SECONDS * 1000)
    expect(await identity.authenticateToken(token)).toMatchObject({ kind: 'role', name: 'ci', account: ACCOUNT })
    clock.advance(TOKEN_TTL_DEFAULT_SECONDS * 1000 - 1)
    expect(await identity.authenticateToken(token)).toBeDefined()
    clock.advance(1)
    expect(await identity.authenticateToken(token)).toBeUndefined()
  })

  it('honours a custom TTL, also for a token already in the cache', async () => {
    const { token, expiresAt } = await identity.createToken('role', ACCOUNT, 'ci', 60)
    expect(expiresAt.toISOString()).toBe('2026-01-01T00:01:00.000Z')
    expect(await identity.authenticateToken(token)).toBeDefined()
    clock.advance(60 * MS.second)
    expect(await identity.authenticateToken(token)).toBeUndefined()
  })

  it('refuses TTLs outside 60 s … 1 year', async () => {
    for (const bad of [0, 59, 1.5, -60, TOKEN_TTL_MAX_SECONDS + 1, '60' as unknown as number, Number.NaN]) {
      expect(await rejection(identity.createToken('role', ACCOUNT, 'ci', bad))).toMatchObject({ code: 'Validation', field: 'ttlSeconds' })
    }
    const { expiresAt } = await identity.createToken('role', ACCOUNT, 'ci', TOKEN_TTL_MAX_SECONDS)
    expect(expiresAt.getTime() - clock.now()).toBe(TOKEN_TTL_MAX_SECONDS * 1000)
    expect(await rejection(identity.createToken('role', ACCOUNT, 'ghost'))).toMatchObject({ code: 'NotFound' })
  })

  it('ignores unknown and malformed tokens', async () => {
    const { token } = await identity.createToken('role', ACCOUNT, 'ci')
    for (const bad of ['', 'arca_', token.slice(0, -1), token + 'x', token.replace('arca_', 'arcb_'), `arca_${'A'.repeat(40)}`]) {
      expect(await identity.authenticateToken(bad)).toBeUndefined()
    }
  })

  it('purges expired tokens of a principal when a new one is made', async () => {
    await identity.createToken('role', ACCOUNT, 'ci', 60)
    await identity.createToken('role', ACCOUNT, 'ci', 120)
    clock.advance(90 * MS.second)
    await identity.createToken('role', ACCOUNT, 'ci')
    const ci = (await identity.getPrincipal('role', ACCOUNT, 'ci'))!
    expect(await t.db.selectFrom('iam_tokens').select('expires_at').where('principal_id', '=', ci.id).execute()).toHaveLength(2)
  })
})

describe('identity: policies', () => {
  beforeEach(async () => {
    await identity.createPrincipal('user', { name: 'app', account: ACCOUNT })
  })

  it('puts, gets, lists, replaces and deletes policies', async () => {
    await identity.putPolicy('user', ACCOUNT, 'app', 'read', POLICY)
    expect(await identity.getPolicy('user', ACCOUNT, 'app', 'read')).toBe(POLICY)
    const other = JSON.stringify({ Statement: { Effect: 'Deny', NotAction: 'kms:Decrypt', NotResource: '*' } })
    await identity.putPolicy('user', ACCOUNT, 'app', 'read', other)
    await identity.putPolicy('user', ACCOUNT, 'app', 'a.b@c', POLICY)
    expect(await identity.getPolicy('user', ACCOUNT, 'app', 'read')).toBe(other)
    expect(await identity.listPolicies('user', ACCOUNT, 'app')).toEqual(['a.b@c', 'read'])
    await identity.deletePolicy('user', ACCOUNT, 'app', 'read')
    expect(await identity.getPolicy('user', ACCOUNT, 'app', 'read')).toBeUndefined()
    expect(await identity.listPolicies('user', ACCOUNT, 'app')).toEqual(['a.b@c'])
    expect(await rejection(identity.deletePolicy('user', ACCOUNT, 'app', 'read'))).toMatchObject({ code: 'NotFound' })
  })

  it('names an unknown principal NotFound', async () => {
    expect(await rejection(identity.putPolicy('user', ACCOUNT, 'ghost', 'p', POLICY))).toMatchObject({ code: 'NotFound' })
    expect(await rejection(identity.getPolicy('user', ACCOUNT, 'ghost', 'p'))).toMatchObject({ code: 'NotFound' })
    expect(await rejection(identity.listPolicies('role', ACCOUNT, 'app'))).toMatchObject({ code: 'NotFound' })
  })

  it('refuses bad policy names', async () => {
    for (const bad of ['', 'p'.repeat(129), 'a/b', 'a b']) {
      expect(await rejection(identity.putPolicy('user', ACCOUNT, 'app', bad, POLICY))).toMatchObject({ code: 'Validation', field: 'policyName' })
    }
    await identity.putPolicy('user', ACCOUNT, 'app', 'p'.repeat(128), POLICY)
  })

  it('refuses malformed documents with MalformedPolicyDocument', async () => {
    const bad = [
      '',
      '{',
      '[]',
      '"x"',
      '{}',
      '{"Statement": []}',
      '{"Statement": [1]}',
      '{"Version": "2020-01-01", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}',
      '{"Statement": {"Effect": "allow", "Action": "*", "Resource": "*"}}',
      '{"Statement": {"Effect": "Allow", "Resource": "*"}}',
      '{"Statement": {"Effect": "Allow", "Action": "*"}}',
      '{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}}',
    ]
    for (const doc of bad) {
      const e = await rejection(identity.putPolicy('user', ACCOUNT, 'app', 'p', doc))
      expect(e, doc).toMatchObject({ code: 'MalformedPolicyDocument', field: 'document' })
    }
    expect(await identity.listPolicies('user', ACCOUNT, 'app')).toEqual([])
  })

  it('bounds a document at 6144 characters, white space not counted', async () => {
    const statement = (n: number) => JSON.stringify({ Statement: { Effect: 'Allow', Action: 'kms:Decrypt', Resource: `arn:${'x'.repeat(n)}` } })
    const base = statement(0).length
    await identity.putPolicy('user', ACCOUNT, 'app', 'fits', statement(6144 - base))
    await identity.putPolicy('user', ACCOUNT, 'app', 'spaced', statement(6144 - base).replace('{', '{' + ' \n'.repeat(5000)))
    expect(await rejection(identity.putPolicy('user', ACCOUNT, 'app', 'big', statement(6145 - base)))).toMatchObject({ code: 'Validation', field: 'document' })
  })

  it(`allows at most ${MAX_POLICIES_PER_PRINCIPAL} policies per principal, replacing one still works`, async () => {
    for (let i = 0; i < MAX_POLICIES_PER_PRINCIPAL; i++) await identity.putPolicy('user', ACCOUNT, 'app', `p${i}`, POLICY)
    expect(await rejection(identity.putPolicy('user', ACCOUNT, 'app', 'one-more', POLICY))).toMatchObject({ code: 'LimitExceeded' })
    await identity.putPolicy('user', ACCOUNT, 'app', 'p0', POLICY)
  })

  it('serves policiesOf from the cache and refreshes it on every change made here', async () => {
    const app = (await identity.getPrincipal('user', ACCOUNT, 'app'))!
    expect(await identity.policiesOf(app)).toEqual([])
    await identity.putPolicy('user', ACCOUNT, 'app', 'b', POLICY)
    expect(await identity.policiesOf(app)).toEqual([POLICY])
    const deny = JSON.stringify({ Statement: { Effect: 'Deny', Action: '*', Resource: '*' } })
    await identity.putPolicy('user', ACCOUNT, 'app', 'a', deny)
    expect(await identity.policiesOf(app)).toEqual([deny, POLICY])
    await identity.deletePolicy('user', ACCOUNT, 'app', 'b')
    expect(await identity.policiesOf(app)).toEqual([deny])
  })
})
