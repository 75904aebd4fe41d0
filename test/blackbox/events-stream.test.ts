import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AppEnv, AuthenticatedPrincipal } from '../../src/api/rest/env.ts'
import { createEventRoutes } from '../../src/api/rest/routes/events.ts'
import { ManualClock, silentLogger } from '../../src/core/index.ts'
import { type EventInput, type Notify, createNotify } from '../../src/services/notify/index.ts'
import { createTestDatabase, type TestDatabase } from '../support/db.ts'
import { type SseClient, openSse } from '../support/sse.ts'
import { testBarrier } from '../unit/services/identity/support.ts'

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
const operator = principal(DEFAULT, 'admin', true)
const reader = principal(DEFAULT, 'reader', false)
const tenant = principal(TENANT, 'admin', true)
const tokens: Record<string, AuthenticatedPrincipal> = { operator, reader, tenant }

const param = (name: string, account = DEFAULT): EventInput => ({
  source: 'aws.ssm',
  detailType: 'Parameter Store Change',
  account,
  region: 'us-east-1',
  resources: [`arn:aws:ssm:us-east-1:${account}:parameter${name}`],
  detail: { name, type: 'String', operation: 'Update' },
})

let t: TestDatabase
let notify: Notify
let url: string
let close: () => Promise<void>
const clients: SseClient[] = []

/** The route as the lead mounts it at /v1/events, behind a stand-in for bearer authentication. */
async function startApi(n: Notify, heartbeatMs?: number): Promise<{ url: string; close: () => Promise<void> }> {
  const app = new Hono<AppEnv>()
  app.use('*', async (c, next) => {
    const who = tokens[(c.req.header('authorization') ?? '').replace(/^Bearer /, '')]
    if (who) c.set('principal', who)
    await next()
  })
  app.route('/v1/events', createEventRoutes(n, { defaultAccount: DEFAULT, log: silentLogger, heartbeatMs }))
  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 })
  await new Promise<void>((r) => server.once('listening', () => r()))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        ;(server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.()
        server.close(() => r())
      }),
  }
}

async function stream(who: string, query = '', headers: Record<string, string> = {}): Promise<SseClient> {
  const c = await openSse(`${url}/v1/events/stream${query}`, { authorization: `Bearer ${who}`, ...headers })
  clients.push(c)
  if (c.status === 200) await c.waitFor((x) => x.comments.some((m) => m.startsWith('ready')))
  return c
}

/** Waits for a condition the server reaches on its own (a disconnect noticed), failing after 5 s. */
async function eventually(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10))
  expect(cond()).toBe(true)
}

const seqs = (c: SseClient) => c.messages.filter((m) => m.event === undefined).map((m) => Number(m.id))
const names = (c: SseClient) => c.messages.filter((m) => m.event === undefined).map((m) => (JSON.parse(m.data) as { detail: { name: string } }).detail.name)

beforeEach(async () => {
  t = await createTestDatabase()
  notify = createNotify({ db: t.db, caps: t.caps, clock: new ManualClock(), barrier: testBarrier(), feedPollMs: 50 })
  ;({ url, close } = await startApi(notify))
})
afterEach(async () => {
  for (const c of clients.splice(0)) c.close()
  await close()
  notify.close()
  await t.dispose()
})

describe('GET /v1/events/stream', () => {
  it('streams the account events live as EventBridge JSON with the sequence as the SSE id', async () => {
    const c = await stream('operator')
    expect(c.status).toBe(200)
    expect(c.contentType).toMatch(/^text\/event-stream/)
    const a = await t.db.transaction().execute((tx) => notify.recordEvent(tx, param('/a')))
    await notify.recordEvent(t.db, param('/b'))
    await c.waitFor((x) => x.messages.length >= 2)
    expect(c.messages[0]).toEqual({ id: String(a.seq), data: JSON.stringify(a.event) })
    expect(names(c)).toEqual(['/a', '/b'])
  })

  it('resumes with Last-Event-ID: exactly the missed events, in order, then live ones', async () => {
    const first = await stream('operator')
    await notify.recordEvent(t.db, param('/1'))
    await notify.recordEvent(t.db, param('/2'))
    await first.waitFor((x) => x.messages.length === 2)
    const lastSeen = first.messages.at(-1)!.id!
    first.close()
    await first.ended
    // The server notices the disconnect and drops the stream's feed listener.
    await eventually(() => notify.feed.listeners() === 0)

    // While disconnected: three changes in this account, one in another.
    await notify.recordEvent(t.db, param('/3'))
    await notify.recordEvent(t.db, param('/x', TENANT))
    await notify.recordEvent(t.db, param('/4'))
    await notify.recordEvent(t.db, param('/5'))

    const again = await stream('operator', '', { 'last-event-id': lastSeen })
    await again.waitFor((x) => x.messages.length >= 3)
    await notify.recordEvent(t.db, param('/6'))
    await again.waitFor((x) => names(x).includes('/6'))
    expect(names(again)).toEqual(['/3', '/4', '/5', '/6'])
    expect(seqs(again)).toEqual([3, 5, 6, 7])
    // ?lastEventId= does the same for clients that cannot set headers.
    const viaQuery = await stream('operator', `?lastEventId=${lastSeen}`)
    await viaQuery.waitFor((x) => x.messages.length >= 4)
    expect(names(viaQuery)).toEqual(['/3', '/4', '/5', '/6'])
  })

  it('delivers events written by another node through the database poll', async () => {
    const c = await stream('operator')
    const other = createNotify({ db: t.db, caps: t.caps, clock: new ManualClock(), barrier: testBarrier() })
    try {
      await other.recordEvent(t.db, param('/from-node-2'))
      await c.waitFor((x) => x.messages.length === 1)
      expect(names(c)).toEqual(['/from-node-2'])
    } finally {
      other.close()
    }
  })

  it('filters by source, detailType and resourcePrefix', async () => {
    const prefix = encodeURIComponent(`arn:aws:ssm:us-east-1:${DEFAULT}:parameter/app/`)
    const c = await stream('operator', `?source=aws.ssm&detailType=Parameter%20Store%20Change&resourcePrefix=${prefix}`)
    await notify.recordEvent(t.db, param('/other/a'))
    await notify.recordEvent(t.db, { ...param('/app/kms'), source: 'aws.kms' })
    await notify.recordEvent(t.db, { ...param('/app/policy'), detailType: 'Parameter Store Policy Action' })
    await notify.recordEvent(t.db, param('/app/b'))
    await c.waitFor((x) => x.messages.length === 1)
    expect(names(c)).toEqual(['/app/b'])
    const bad = await stream('operator', '?source=aws.s3')
    expect(bad.status).toBe(400)
  })

  it('keeps accounts apart: a principal sees only its account; only the operator may name another', async () => {
    const own = await stream('reader')
    const other = await stream('tenant')
    await notify.recordEvent(t.db, param('/mine'))
    await notify.recordEvent(t.db, param('/theirs', TENANT))
    await own.waitFor((x) => x.messages.length === 1)
    await other.waitFor((x) => x.messages.length === 1)
    expect(names(own)).toEqual(['/mine'])
    expect(names(other)).toEqual(['/theirs'])

    const denied = await stream('tenant', `?account=${DEFAULT}`)
    expect(denied.status).toBe(403)
    expect(await stream('reader', `?account=${TENANT}`).then((c) => c.status)).toBe(403)
    const unauthenticated = await openSse(`${url}/v1/events/stream`)
    expect(unauthenticated.status).toBe(401)
    const operatorView = await stream('operator', `?account=${TENANT}&lastEventId=0`)
    await operatorView.waitFor((x) => x.messages.length === 1)
    expect(names(operatorView)).toEqual(['/theirs'])
  })

  it('ends open streams when notifications close (server shutdown), so the server can stop', async () => {
    const c = await stream('operator')
    notify.close()
    await c.ended
    expect(c.messages).toEqual([])
  })

  it('sends heartbeat comments on an idle stream', async () => {
    await close()
    ;({ url, close } = await startApi(notify, 20))
    const c = await stream('reader')
    await c.waitFor((x) => x.comments.filter((m) => m === 'keepalive').length >= 2)
    expect(c.messages).toEqual([])
  })

  it('says so when events after Last-Event-ID were already pruned', async () => {
    await notify.recordEvent(t.db, param('/old'))
    await notify.recordEvent(t.db, param('/kept'))
    await t.db.deleteFrom('events').where('seq', '=', 1).execute()
    const c = await stream('operator', '', { 'last-event-id': '0' })
    await c.waitFor((x) => x.messages.length === 2)
    expect(c.messages[0].event).toBe('truncated')
    expect(names(c)).toEqual(['/kept'])
    // An id this server never gave (ahead of it): told so, then live events from now.
    const ahead = await stream('operator', '', { 'last-event-id': '99' })
    await ahead.waitFor((x) => x.messages.length === 1)
    expect(ahead.messages[0].event).toBe('truncated')
    await notify.recordEvent(t.db, param('/next'))
    await ahead.waitFor((x) => x.messages.length === 2)
    expect(names(ahead)).toEqual(['/next'])
    const bad = await stream('operator', '', { 'last-event-id': 'abc' })
    expect(bad.status).toBe(400)
  })
})
