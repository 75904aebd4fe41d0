import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../../src/core/index.ts'
import { envNameOf, relativeName, secretEnv, TtlCache } from '../../../src/client/index.ts'

describe('TtlCache', () => {
  it('serves fresh values without loading, stale ones while one reload runs, and waits after the window', async () => {
    const clock = new ManualClock(0)
    const cache = new TtlCache({ ttlMs: 100, staleWhileRevalidateMs: 50 }, clock)
    let n = 0
    const load = async () => ++n
    expect(await cache.get('k', load)).toBe(1)
    clock.advance(99)
    expect(await cache.get('k', load)).toBe(1)
    clock.advance(1) // stale: the old value, and one background load shared by concurrent reads
    expect(await Promise.all([cache.get('k', load), cache.get('k', load)])).toEqual([1, 1])
    await new Promise((r) => setImmediate(r))
    expect(n).toBe(2)
    expect(await cache.get('k', load)).toBe(2)
    clock.advance(150)
    expect(await cache.get('k', load)).toBe(3)
  })

  it('refresh() reloads matching entries and a read waits for the new value; a late old load does not win', async () => {
    const clock = new ManualClock(0)
    const cache = new TtlCache({ ttlMs: 1000 }, clock)
    let value = 'a'
    await cache.get('p:/x', async () => value)
    value = 'b'
    expect(cache.refresh((k) => k === 'p:/x')).toEqual(['p:/x'])
    expect(await cache.get('p:/x', async () => 'unused')).toBe('b')
  })
})

describe('env names', () => {
  it('maps parameter names below a path and secrets to variables', () => {
    expect(envNameOf(relativeName('/app/prod/db/url', '/app/prod'))).toBe('DB_URL')
    expect(envNameOf(relativeName('/app/prod/api-key.v2', '/app/prod/'), 'APP_')).toBe('APP_API_KEY_V2')
    expect(envNameOf('9lives')).toBe('_9LIVES')
    expect(relativeName('/x/y', '/')).toBe('x/y')
    expect(secretEnv('prod/db', '{"user-name":"u","port":5432,"opts":{"ssl":true}}')).toEqual({ USER_NAME: 'u', PORT: '5432', OPTS: '{"ssl":true}' })
    expect(secretEnv('prod/stripe-key', 'sk_1', 'X_')).toEqual({ X_STRIPE_KEY: 'sk_1' })
    expect(secretEnv('prod/list', '["a"]')).toEqual({ LIST: '["a"]' })
  })
})
