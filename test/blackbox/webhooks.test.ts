import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AppEnv, AuthenticatedPrincipal } from '../../src/api/rest/env.ts'
import { createWebhookRoutes } from '../../src/api/rest/routes/webhooks.ts'
import { ManualClock, MS, silentLogger } from '../../src/core/index.ts'
import { type Notify, createNotify } from '../../src/services/notify/index.ts'
import { type Scheduler, createJobs, createScheduler } from '../../src/services/scheduler/index.ts'
import { createTestDatabase, rawDatabaseBytes, type TestDatabase } from '../support/db.ts'
import { testBarrier } from '../unit/services/identity/support.ts'
import { type Receiver, startReceiver, verifyLikeAReceiver } from '../unit/services/notify/support.ts'

const DEFAULT = '111111111111'
const TENANT = '222222222222'

const principal = (account: string, name: string, admin: boolean): AuthenticatedPrincipal => ({
  id: `AIDA${name.toUpperCase()}`,
  account,
  kind: 'user',
  name,
  arn: `arn:aws:iam::${account}:user/${name}`,
  admin,
  tags: {},
})
const tokens: Record<string, AuthenticatedPrincipal> = {
  operator: principal(DEFAULT, 'admin', true),
  reader: principal(DEFAULT, 'reader', false),
  tenant: principal(TENANT, 'admin', true),
}

let t: TestDatabase
let clock: ManualClock
let notify: Notify
let scheduler: Scheduler
let receiver: Receiver
let base: string
let closeApi: () => Promise<void>

async function startApi(n: Notify) {
  const app = new Hono<AppEnv>()
  app.use('*', async (c, next) => {
    const who = tokens[(c.req.header('authorization') ?? '').replace(/^Bearer /, '')]
    if (who) c.set('principal', who)
    await next()
  })
  app.route('/v1/webhooks', createWebhookRoutes(n.webhooks, { defaultAccount: DEFAULT, log: silentLogger }))
  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 })
  await new Promise<void>((r) => server.once('listening', () => r()))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/webhooks`
  closeApi = () => new Promise<void>((r) => server.close(() => r()))
}

async function call(who: string, method: string, path = '', body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${who}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, type: res.headers.get('content-type'), body: text ? (JSON.parse(text) as any) : undefined }
}

function setup(allowPrivate = false) {
  notify = createNotify({ db: t.db, caps: t.caps, clock, barrier: testBarrier(), logger: silentLogger, allowPrivate })
  scheduler = createScheduler({ db: t.db, clock, nodeId: 'n1', logger: silentLogger, jobs: createJobs({ kms: { jobs: { rotateDueKeys: async () => 0, deleteDueKeys: async () => 0, expireImportedMaterial: async () => 0 } }, notify }) })
}

beforeEach(async () => {
  t = await createTestDatabase()
  clock = new ManualClock()
  setup()
  receiver = await startReceiver()
  await startApi(notify)
})
afterEach(async () => {
  await scheduler.stop()
  notify.close()
  await closeApi()
  await receiver.close()
  await t.dispose()
})

describe('/v1/webhooks', () => {
  it('creates a webhook (secret shown once), lists, reads, updates and deletes it', async () => {
    const created = await call('operator', 'POST', '', { url: receiver.url, pattern: { source: ['aws.kms'], detailType: ['KMS CMK Rotation'] } })
    expect(created.status).toBe(201)
    expect(created.body).toEqual({
      id: expect.any(String),
      account: DEFAULT,
      url: receiver.url,
      pattern: { source: ['aws.kms'], detailType: ['KMS CMK Rotation'] },
      enabled: true,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9_-]{43}$/),
    })
    const { id, secret } = created.body as { id: string; secret: string }

    const list = await call('operator', 'GET')
    expect(list.body.webhooks).toHaveLength(1)
    const got = await call('operator', 'GET', `/${id}`)
    expect(got.body).toEqual({ ...created.body, secret: undefined })
    expect(JSON.stringify([list.body, got.body])).not.toContain(secret)
    // The secret is at rest only under the root key.
    expect((await rawDatabaseBytes(t)).includes(secret)).toBe(false)

    clock.advance(MS.minute)
    const patched = await call('operator', 'PATCH', `/${id}`, { enabled: false, pattern: { resourcePrefix: 'arn:aws:kms:' } })
    expect(patched.status).toBe(200)
    expect(patched.body).toMatchObject({ enabled: false, pattern: { resourcePrefix: 'arn:aws:kms:' }, updatedAt: '2026-01-01T00:01:00.000Z' })

    expect((await call('operator', 'DELETE', `/${id}`)).status).toBe(204)
    expect((await call('operator', 'GET', `/${id}`)).status).toBe(404)
    expect((await call('operator', 'DELETE', `/${id}`)).status).toBe(404)
  })

  it('delivers signed events and shows every attempt under /deliveries', async () => {
    receiver.respond = (_r, i) => (i < 3 ? 500 : 204)
    const { body } = await call('operator', 'POST', '', { url: receiver.url })
    const stored = await t.db.transaction().execute((tx) =>
      notify.recordEvent(tx, { source: 'aws.kms', detailType: 'KMS CMK Rotation', account: DEFAULT, region: 'us-east-1', resources: ['arn:aws:kms:us-east-1:111111111111:key/k'], detail: { 'key-id': 'k' } }),
    )
    await scheduler.tick()
    for (let i = 0; i < 4; i++) {
      clock.advance(MS.hour)
      await scheduler.tick()
    }
    expect(receiver.received.map((r) => r.status)).toEqual([500, 500, 500, 204])
    expect(receiver.received.every((r) => verifyLikeAReceiver(body.secret, r) && JSON.parse(r.body).id === stored.event.id)).toBe(true)

    const page = await call('operator', 'GET', `/${body.id}/deliveries`)
    expect(page.status).toBe(200)
    expect(page.body.attempts).toHaveLength(4)
    expect(page.body.attempts[0]).toEqual({
      id: expect.any(String),
      eventId: stored.event.id,
      deliveryId: expect.any(String),
      deliveryState: 'delivered',
      attemptedAt: expect.stringMatching(/^2026-01-01T0\d:\d\d:\d\d\.\d{3}Z$/),
      statusCode: 204,
      error: null,
      durationMs: expect.any(Number),
      success: true,
    })
    expect(page.body.attempts.slice(1).map((a: { statusCode: number; error: string }) => [a.statusCode, a.error])).toEqual([
      [500, 'HTTP 500'],
      [500, 'HTTP 500'],
      [500, 'HTTP 500'],
    ])
    const first = await call('operator', 'GET', `/${body.id}/deliveries?limit=3`)
    expect(first.body.attempts).toHaveLength(3)
    const rest = await call('operator', 'GET', `/${body.id}/deliveries?limit=3&nextToken=${encodeURIComponent(first.body.nextToken)}`)
    expect(rest.body.attempts.map((a: { id: string }) => a.id)).toEqual([page.body.attempts[3].id])
    expect(rest.body.nextToken).toBeUndefined()
  })

  it('refuses bad targets: other schemes, credentials, private and link-local addresses', async () => {
    for (const url of ['ftp://127.0.0.1/x', 'file:///etc/passwd', 'not a url', 'http://user:pw@127.0.0.1/']) {
      const res = await call('operator', 'POST', '', { url })
      expect(res.status, url).toBe(400)
      expect(res.type).toBe('application/problem+json')
      expect(res.body).toMatchObject({ code: 'Validation', field: 'url' })
    }
    for (const url of ['http://10.1.2.3/', 'http://169.254.169.254/latest/meta-data/', 'http://[fd00::1]/', 'http://192.168.1.1:8080/', 'http://[::ffff:10.0.0.1]/']) {
      const res = await call('operator', 'POST', '', { url })
      expect(res.status, url).toBe(400)
      expect(res.body.detail).toContain('ARCA_WEBHOOK_ALLOW_PRIVATE')
    }
    for (const url of ['http://0.0.0.0/', 'http://224.0.0.1/']) expect((await call('operator', 'POST', '', { url })).status, url).toBe(400)
    // Loopback, by address or by name, is allowed.
    for (const url of ['http://127.0.0.1:9/', 'http://[::1]:9/', 'http://localhost:9/']) expect((await call('operator', 'POST', '', { url })).status, url).toBe(201)
  })

  it('allows private targets when the operator enabled them', async () => {
    await scheduler.stop()
    notify.close()
    await closeApi()
    setup(true)
    await startApi(notify)
    expect((await call('operator', 'POST', '', { url: 'http://10.1.2.3/' })).status).toBe(201)
    expect((await call('operator', 'POST', '', { url: 'http://0.0.0.0/' })).status).toBe(400)
  })

  it('validates bodies and patterns, naming the field', async () => {
    const cases: [unknown, string][] = [
      [{}, 'url'],
      [{ url: receiver.url, extra: 1 }, 'extra'],
      [{ url: receiver.url, enabled: 'yes' }, 'enabled'],
      [{ url: receiver.url, pattern: { source: ['aws.s3'] } }, 'pattern.source'],
      [{ url: receiver.url, pattern: { source: 'aws.kms', colour: 'red' } }, 'pattern.colour'],
      [{ url: receiver.url, pattern: { detailType: [''] } }, 'pattern.detailType'],
      [{ url: receiver.url, pattern: [] }, 'pattern'],
    ]
    for (const [body, field] of cases) {
      const res = await call('operator', 'POST', '', body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.body.field).toBe(field)
    }
    expect((await call('operator', 'POST', '', '{"url": ')).body.code).toBe('Serialization')
  })

  it('is for account administrators, each in its own account', async () => {
    const { body } = await call('operator', 'POST', '', { url: receiver.url })
    const denied = await call('reader', 'GET')
    expect(denied.status).toBe(403)
    expect(denied.body.detail).toContain('arn:aws:iam::111111111111:user/reader')
    expect((await call('nobody', 'GET')).status).toBe(401)
    // Another account's administrator neither sees nor touches it.
    expect((await call('tenant', 'GET')).body).toEqual({ webhooks: [] })
    expect((await call('tenant', 'GET', `/${body.id}`)).status).toBe(404)
    expect((await call('tenant', 'DELETE', `/${body.id}`)).status).toBe(404)
    expect((await call('tenant', 'GET', `/${body.id}/deliveries`)).status).toBe(404)
    expect((await call('tenant', 'GET', `?account=${DEFAULT}`)).status).toBe(403)
    // The operator may act in a tenant's account.
    const made = await call('operator', 'POST', `?account=${TENANT}`, { url: receiver.url })
    expect(made.body.account).toBe(TENANT)
    expect((await call('tenant', 'GET')).body.webhooks.map((w: { id: string }) => w.id)).toEqual([made.body.id])
  })
})

describe('arca webhooks (CLI)', () => {
  /** Runs the command in-process (main.ts wiring is the lead's), capturing stdout and stderr. */
  async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const { runWebhooks } = await import('../../src/cli/webhooks.ts')
    const out: string[] = []
    const err: string[] = []
    const saved = { out: process.stdout.write, err: process.stderr.write, env: { ...process.env } }
    process.stdout.write = ((s: string) => (out.push(s), true)) as typeof process.stdout.write
    process.stderr.write = ((s: string) => (err.push(s), true)) as typeof process.stderr.write
    process.env.ARCA_TOKEN = 'operator'
    process.env.ARCA_ENDPOINT = base.replace(/\/v1\/webhooks$/, '')
    try {
      return { code: await runWebhooks(args), stdout: out.join(''), stderr: err.join('') }
    } finally {
      process.stdout.write = saved.out
      process.stderr.write = saved.err
      process.env = saved.env
    }
  }

  it('creates, lists, updates, shows deliveries and deletes', async () => {
    const made = await cli(['create', '--url', receiver.url, '--source', 'aws.kms', '--detail-type', 'KMS CMK Rotation', '--detail-type', 'KMS CMK Deletion', '--output', 'json'])
    expect(made.code).toBe(0)
    const hook = JSON.parse(made.stdout)
    expect(hook).toMatchObject({ url: receiver.url, enabled: true, pattern: { source: ['aws.kms'], detailType: ['KMS CMK Rotation', 'KMS CMK Deletion'] } })
    expect(hook.secret).toMatch(/^whsec_/)
    const human = await cli(['create', '--url', receiver.url, '--disabled'])
    expect(human.stderr).toContain('shown only now')
    expect(JSON.parse(human.stdout).enabled).toBe(false)

    const list = JSON.parse((await cli(['list', '--output', 'json'])).stdout)
    expect(list.webhooks).toHaveLength(2)
    const updated = JSON.parse((await cli(['update', hook.id, '--disable', '--resource-prefix', 'arn:aws:kms:', '--output', 'json'])).stdout)
    expect(updated).toMatchObject({ enabled: false, pattern: { resourcePrefix: 'arn:aws:kms:' } })
    expect(JSON.parse((await cli(['deliveries', hook.id, '--output', 'json'])).stdout)).toEqual({ attempts: [] })
    expect((await cli(['delete', hook.id])).code).toBe(0)
    await expect(cli(['get', hook.id])).rejects.toMatchObject({ code: 'NotFound' })
    await expect(cli(['create'])).rejects.toMatchObject({ code: 'Validation' })
    await expect(cli(['update', 'x'])).rejects.toMatchObject({ code: 'Validation' })
    await expect(cli(['frobnicate'])).rejects.toMatchObject({ code: 'Validation' })
  })
})
