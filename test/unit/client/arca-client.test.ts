import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../../src/core/index.ts'
import { type ArcaClientOptions, createArcaClient, type Fetch, RestClient } from '../../../src/client/index.ts'
import { type TestServer, startTestServer } from '../../support/server.ts'

let t: TestServer
let admin: RestClient
let dir: string
const KEY = Buffer.alloc(32, 7).toString('base64')

beforeAll(async () => {
  t = await startTestServer()
  admin = new RestClient({ endpoint: t.url, auth: { kind: 'sigv4', credentials: t.admin, region: 'us-east-1' } })
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arca-client-'))
  await admin.request('PUT', '/v1/parameters/app/prod/db/url', { value: 'postgres://db:5432/app', type: 'String' })
  await admin.request('PUT', '/v1/parameters/app/prod/api-key', { value: 'k-123', type: 'SecureString' })
  await admin.request('POST', '/v1/secrets', { name: 'prod/db', value: JSON.stringify({ username: 'app', password: 's3cr3t-pw' }) })
})
afterAll(async () => {
  await t.stop()
  fs.rmSync(dir, { recursive: true, force: true })
})

/** A fetch that counts the requests it makes (the event stream aside). */
function counting(): { fetch: Fetch; count: () => number } {
  let n = 0
  const f: Fetch = (input, init) => {
    if (!String(input).includes('/v1/events/')) n++
    return fetch(input, init)
  }
  return { fetch: f, count: () => n }
}

const make = (o: Partial<ArcaClientOptions> = {}) => createArcaClient({ endpoint: t.url, credentials: t.admin, env: {}, ...o })

async function until(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = performance.now() + ms
  while (!(await check())) {
    if (performance.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 25))
  }
}

describe('createArcaClient', () => {
  it('reads parameters (decrypted), subtrees and secrets; loadEnv names them like arca exec', async () => {
    const c = make()
    expect(await c.getParameter('/app/prod/api-key')).toBe('k-123')
    expect(await c.getParametersByPath('/app/prod')).toEqual({ '/app/prod/db/url': 'postgres://db:5432/app', '/app/prod/api-key': 'k-123' })
    expect(JSON.parse(await c.getSecret('prod/db'))).toEqual({ username: 'app', password: 's3cr3t-pw' })
    expect(await c.loadEnv('/app/prod', { secrets: ['prod/db'] })).toEqual({ DB_URL: 'postgres://db:5432/app', API_KEY: 'k-123', USERNAME: 'app', PASSWORD: 's3cr3t-pw' })
  })

  it('makes no request for a second read within the TTL; serves stale while revalidating; refetches after', async () => {
    const clock = new ManualClock(0)
    const { fetch: f, count } = counting()
    const c = make({ clock, fetch: f, cache: { ttlMs: 10_000, staleWhileRevalidateMs: 5_000 } })
    expect(await c.getParameter('/app/prod/db/url')).toBe('postgres://db:5432/app')
    expect(count()).toBe(1)
    clock.advance(9_999)
    expect(await c.getParameter('/app/prod/db/url')).toBe('postgres://db:5432/app')
    expect(count()).toBe(1)

    await admin.request('PUT', '/v1/parameters/app/prod/db/url', { value: 'postgres://db2:5432/app', type: 'String' })
    clock.advance(2_000) // stale, inside the stale-while-revalidate window: old value now, one refresh behind it
    expect(await c.getParameter('/app/prod/db/url')).toBe('postgres://db:5432/app')
    expect(count()).toBe(2)
    await until(async () => (await c.getParameter('/app/prod/db/url')) === 'postgres://db2:5432/app')
    expect(count()).toBe(2)

    clock.advance(16_000) // past TTL + SWR: the read waits for the server
    expect(await c.getParameter('/app/prod/db/url')).toBe('postgres://db2:5432/app')
    expect(count()).toBe(3)
    await admin.request('PUT', '/v1/parameters/app/prod/db/url', { value: 'postgres://db:5432/app', type: 'String' })
  })

  it('starts from the encrypted fallback file when the server is down, and says so', async () => {
    const file = path.join(dir, 'fallback.json')
    const first = make({ fallbackFile: file, fallbackKey: KEY })
    await first.getSecret('prod/db')
    await first.getParameter('/app/prod/api-key')
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    const raw = fs.readFileSync(file, 'utf8')
    expect(raw).not.toContain('s3cr3t-pw')
    expect(raw).not.toContain('k-123')

    const warnings: string[] = []
    const down = make({ endpoint: 'http://127.0.0.1:9', fallbackFile: file, env: { ARCA_FALLBACK_KEY: KEY }, onWarning: (m) => warnings.push(m) })
    expect(JSON.parse(await down.getSecret('prod/db')).password).toBe('s3cr3t-pw')
    expect(await down.getParameter('/app/prod/api-key')).toBe('k-123')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/cannot reach Arca.*FALLBACK FILE/)
    await expect(down.getParameter('/app/prod/never-read')).rejects.toThrow(/cannot reach Arca/)

    const wrongKey = make({ endpoint: 'http://127.0.0.1:9', fallbackFile: file, fallbackKey: Buffer.alloc(32, 8).toString('base64'), onWarning: () => {} })
    await expect(wrongKey.getSecret('prod/db')).rejects.toThrow(/fallback file .* cannot be opened/)
    expect(() => make({ fallbackFile: file })).toThrow(/ARCA_FALLBACK_KEY/)
  })

  it('refreshes a cached value when a change event arrives (no clock movement)', async () => {
    const clock = new ManualClock(0)
    const c = make({ clock, cache: { ttlMs: 3_600_000 } })
    const sub = c.subscribe()
    await sub.ready
    try {
      expect(await c.getParameter('/app/prod/api-key')).toBe('k-123')
      expect(await c.getSecret('prod/db')).toContain('s3cr3t-pw')
      await admin.request('PUT', '/v1/parameters/app/prod/api-key', { value: 'k-456', type: 'SecureString' })
      await admin.request('PUT', '/v1/secrets/prod/db', { value: JSON.stringify({ username: 'app', password: 'rotated-pw' }) })
      await until(async () => (await c.getParameter('/app/prod/api-key')) === 'k-456')
      await until(async () => (await c.getSecret('prod/db')).includes('rotated-pw'))
    } finally {
      c.close()
    }
  })

  it('reports a denied read as AccessDenied naming the action', async () => {
    await t.services.identity.createPrincipal('user', { name: 'nobody', account: '111111111111' })
    const key = await t.services.identity.createAccessKey('user', '111111111111', 'nobody')
    const c = make({ credentials: key })
    await expect(c.getSecret('prod/db')).rejects.toMatchObject({ code: 'AccessDenied', message: expect.stringMatching(/secretsmanager:GetSecretValue/) })
  })
})
