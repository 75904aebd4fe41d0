import type { KyselyPlugin } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../../../src/core/index.ts'
import { BoundedCache, IdentityCache } from '../../../../src/services/identity/cache.ts'
import {
  CACHE_MAX_AGE_MS,
  CACHE_MAX_ENTRIES,
  createIdentity,
  type Identity,
  VERSION_CHECK_INTERVAL_MS,
} from '../../../../src/services/identity/index.ts'
import type { Database } from '../../../../src/store/index.ts'
import { createTestDatabase, type TestDatabase } from '../../../support/db.ts'
import { testBarrier } from './support.ts'

const ACCOUNT = '111122223333'
const POLICY = JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] })

let t: TestDatabase
let clock: ManualClock
let barrier: ReturnType<typeof testBarrier>
let a: Identity
let second: Database
let metaReads: number
let b: Identity

/** Counts queries that touch the meta table (the version check). */
const countMeta: KyselyPlugin = {
  transformQuery(args) {
    if (JSON.stringify(args.node).includes('"meta"')) metaReads++
    return args.node
  },
  async transformResult(args) {
    return args.result
  },
}

const version = async () => (await t.db.selectFrom('meta').select('value').where('key', '=', 'identity.version').executeTakeFirst())?.value

beforeEach(async () => {
  t = await createTestDatabase()
  clock = new ManualClock()
  barrier = testBarrier()
  a = createIdentity({ db: t.db, barrier, clock })
  await a.bootstrap({ accountId: ACCOUNT })
  await a.createPrincipal('user', { name: 'app', account: ACCOUNT })
  // Node B: its own connection(s) to the same database, its own caches.
  second = await t.reopen()
  metaReads = 0
  b = createIdentity({ db: second.db.withPlugin(countMeta), barrier, clock })
})
afterEach(async () => {
  await second.close()
  await t.dispose()
})

describe('identity cache: bounds', () => {
  it('drops an entry at its maximum age', () => {
    const c = new BoundedCache<number>(clock, 5000, 10)
    c.set('k', 1)
    clock.advance(4999)
    expect(c.get('k')).toBe(1)
    clock.advance(1)
    expect(c.get('k')).toBeUndefined()
    expect(c.size).toBe(0)
  })

  it('evicts the oldest entry when full', () => {
    const c = new BoundedCache<number>(clock, 5000, 3)
    for (const k of ['a', 'b', 'c', 'd']) c.set(k, 1)
    expect([c.get('a'), c.get('b'), c.get('d')]).toEqual([undefined, 1, 1])
    expect(c.size).toBe(3)
  })

  it('holds at most CACHE_MAX_ENTRIES access keys (10 000) for at most CACHE_MAX_AGE_MS (5 s)', () => {
    expect(CACHE_MAX_ENTRIES).toBe(10_000)
    expect(CACHE_MAX_AGE_MS).toBe(5_000)
    const cache = new IdentityCache(t.db, clock)
    for (let i = 0; i < CACHE_MAX_ENTRIES + 5; i++) cache.keys.set(`k${i}`, { secretAccessKey: 's', principal: {} as never })
    expect(cache.keys.size).toBe(CACHE_MAX_ENTRIES)
  })

  it('serves a cached key for at most 5 s when the row changes behind its back', async () => {
    const key = await a.createAccessKey('user', ACCOUNT, 'app')
    expect(await a.accessKey(key.accessKeyId)).toBeDefined()
    // Not through the service: no version bump, so only the age bound applies.
    await t.db.deleteFrom('iam_access_keys').where('id', '=', key.accessKeyId).execute()
    clock.advance(CACHE_MAX_AGE_MS - 1)
    expect(await a.accessKey(key.accessKeyId)).toBeDefined()
    clock.advance(1)
    expect(await a.accessKey(key.accessKeyId)).toBeUndefined()
  })

  it('does not store a load that was running when an invalidation happened', async () => {
    const cache = new IdentityCache(t.db, clock)
    let release!: (v: number) => void
    const loading = cache.through(cache.policies as unknown as BoundedCache<number>, 'p1', () => new Promise<number>((r) => (release = r)))
    await new Promise((r) => setTimeout(r, 20))
    cache.dropPrincipal('p1')
    release(7)
    expect(await loading).toBe(7)
    expect(cache.policies.size).toBe(0)
  })
})

describe('identity cache: invalidation', () => {
  it('bumps identity.version by one in every identity write, and not on a failed one', async () => {
    const v0 = Number(await version())
    await a.createPrincipal('role', { name: 'r', account: ACCOUNT })
    expect(Number(await version())).toBe(v0 + 1)
    await a.createPrincipal('role', { name: 'r', account: ACCOUNT }).catch(() => {})
    expect(Number(await version())).toBe(v0 + 1)
    await a.putPolicy('role', ACCOUNT, 'r', 'p', POLICY)
    expect(Number(await version())).toBe(v0 + 2)
  })

  it('a key deleted on this node stops authenticating at once', async () => {
    const key = await a.createAccessKey('user', ACCOUNT, 'app')
    expect(await a.accessKey(key.accessKeyId)).toBeDefined()
    await a.deleteAccessKey('user', ACCOUNT, 'app', key.accessKeyId)
    expect(await a.accessKey(key.accessKeyId)).toBeUndefined()
  })

  it('a key deleted on another node stops authenticating after the version check interval', async () => {
    const key = await a.createAccessKey('user', ACCOUNT, 'app')
    expect(await b.accessKey(key.accessKeyId)).toBeDefined()
    await a.deleteAccessKey('user', ACCOUNT, 'app', key.accessKeyId)
    expect(await b.accessKey(key.accessKeyId)).toBeDefined()
    clock.advance(VERSION_CHECK_INTERVAL_MS - 1)
    expect(await b.accessKey(key.accessKeyId)).toBeDefined()
    clock.advance(1)
    expect(await b.accessKey(key.accessKeyId)).toBeUndefined()
  })

  it('a principal deleted on another node loses its tokens and policies there within the interval', async () => {
    const { token } = await a.createToken('user', ACCOUNT, 'app')
    await a.putPolicy('user', ACCOUNT, 'app', 'p', POLICY)
    const principal = (await b.authenticateToken(token))!
    expect(await b.policiesOf(principal)).toEqual([POLICY])
    await a.deletePrincipal('user', ACCOUNT, 'app')
    expect(await b.authenticateToken(token)).toBeDefined()
    clock.advance(VERSION_CHECK_INTERVAL_MS)
    expect(await b.authenticateToken(token)).toBeUndefined()
    expect(await b.policiesOf(principal)).toEqual([])
  })

  it('a policy changed on another node is seen there within the interval', async () => {
    const app = (await a.getPrincipal('user', ACCOUNT, 'app'))!
    expect(await b.policiesOf(app)).toEqual([])
    await a.putPolicy('user', ACCOUNT, 'app', 'p', POLICY)
    expect(await b.policiesOf(app)).toEqual([])
    clock.advance(VERSION_CHECK_INTERVAL_MS)
    expect(await b.policiesOf(app)).toEqual([POLICY])
  })

  it('reads the version at most once per interval, however many requests', async () => {
    const key = await a.createAccessKey('user', ACCOUNT, 'app')
    await Promise.all(Array.from({ length: 50 }, () => b.accessKey(key.accessKeyId)))
    for (let i = 0; i < 50; i++) await b.accessKey(key.accessKeyId)
    expect(metaReads).toBe(1)
    clock.advance(VERSION_CHECK_INTERVAL_MS)
    for (let i = 0; i < 50; i++) await b.accessKey(key.accessKeyId)
    expect(metaReads).toBe(2)
  })
})
