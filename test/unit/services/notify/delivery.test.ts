import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ManualClock, MS, silentLogger } from '../../../../src/core/index.ts'
import { type EventInput, type Notify, RETRY_CAP_MS, RETRY_WINDOW_MS, createNotify, verifySignature } from '../../../../src/services/notify/index.ts'
import { createTestDatabase, type TestDatabase } from '../../../support/db.ts'
import { testBarrier } from '../identity/support.ts'
import { type Receiver, startReceiver, verifyLikeAReceiver } from './support.ts'

const ACCOUNT = '111111111111'
const OTHER = '222222222222'

const rotation = (keyId: string, account = ACCOUNT): EventInput => ({
  source: 'aws.kms',
  detailType: 'KMS CMK Rotation',
  account,
  region: 'us-east-1',
  resources: [`arn:aws:kms:us-east-1:${account}:key/${keyId}`],
  detail: { 'key-id': keyId, 'rotation-type': 'AUTOMATIC' },
})

let t: TestDatabase
let clock: ManualClock
let notify: Notify
let receiver: Receiver
const barrier = testBarrier()

function makeNotify(extra: Partial<Parameters<typeof createNotify>[0]> = {}) {
  return createNotify({ db: t.db, caps: t.caps, clock, barrier, logger: silentLogger, ...extra })
}

beforeEach(async () => {
  t = await createTestDatabase()
  clock = new ManualClock()
  notify = makeNotify()
  receiver = await startReceiver()
})
afterEach(async () => {
  notify.close()
  await receiver.close()
  await t.dispose()
})

describe('webhook delivery', () => {
  it('POSTs the signed event to a real loopback receiver; the documented recipe verifies it', async () => {
    const { webhook, secret } = await notify.webhooks.create(ACCOUNT, { url: receiver.url })
    const stored = await t.db.transaction().execute((tx) => notify.recordEvent(tx, rotation('k1')))
    const run = await notify.jobs.deliver()
    expect(run).toMatchObject({ fannedOut: 1, attempted: 1, delivered: 1, failed: 0 })

    expect(receiver.received).toHaveLength(1)
    const [req] = receiver.received
    expect(JSON.parse(req.body)).toEqual(stored.event)
    expect(req.headers['content-type']).toBe('application/json')
    expect(req.headers['arca-event-id']).toBe(stored.event.id)
    expect(req.headers['arca-webhook-id']).toBe(webhook.id)
    expect(req.headers['arca-timestamp']).toBe(String(clock.now() / 1000))
    expect(req.headers['arca-signature']).toMatch(/^v1=[0-9a-f]{64}$/)
    expect(verifyLikeAReceiver(secret, req)).toBe(true)
    expect(verifySignature(secret, { timestamp: String(req.headers['arca-timestamp']), signature: String(req.headers['arca-signature']) }, req.body, clock.now() / 1000)).toBe(true)
    // A changed body, another secret or a stale timestamp fail.
    expect(verifyLikeAReceiver(secret, { ...req, body: req.body.replace('k1', 'k2') })).toBe(false)
    expect(verifyLikeAReceiver(secret.slice(0, -1) + 'x', req)).toBe(false)
    expect(verifySignature(secret, { timestamp: String(req.headers['arca-timestamp']), signature: String(req.headers['arca-signature']) }, req.body, clock.now() / 1000 + 600)).toBe(false)

    // Delivered once: later runs send nothing more.
    clock.advance(MS.hour)
    expect(await notify.jobs.deliver()).toMatchObject({ attempted: 0 })
    expect(receiver.received).toHaveLength(1)
  })

  it('retries a receiver that fails 3 times, then records one success and 4 attempts', async () => {
    receiver.respond = (_req, i) => (i < 3 ? 500 : 200)
    const { webhook } = await notify.webhooks.create(ACCOUNT, { url: receiver.url })
    const stored = await notify.recordEvent(t.db, rotation('k1'))

    await notify.jobs.deliver()
    for (let i = 0; i < 3; i++) {
      // Not yet due: nothing is sent before the backoff delay has passed.
      await notify.jobs.deliver()
      expect(receiver.received).toHaveLength(i + 1)
      clock.advance(RETRY_CAP_MS)
      await notify.jobs.deliver()
    }
    clock.advance(RETRY_CAP_MS)
    await notify.jobs.deliver()

    expect(receiver.received.map((r) => r.status)).toEqual([500, 500, 500, 200])
    expect(new Set(receiver.received.map((r) => r.headers['arca-event-id']))).toEqual(new Set([stored.event.id]))
    expect(receiver.received.filter((r) => r.status < 300)).toHaveLength(1)

    const { attempts } = await notify.webhooks.attempts(ACCOUNT, webhook.id)
    expect(attempts).toHaveLength(4)
    expect(attempts.map((a) => [a.statusCode, a.success, a.error])).toEqual([
      [200, true, null],
      [500, false, 'HTTP 500'],
      [500, false, 'HTTP 500'],
      [500, false, 'HTTP 500'],
    ])
    expect(attempts.every((a) => a.deliveryState === 'delivered' && a.eventId === stored.event.id && a.durationMs >= 0)).toBe(true)
    expect(attempts[0].attemptedAt).toBeGreaterThan(attempts[3].attemptedAt)
  })

  it('backs off exponentially with jitter and gives up after 24 hours', async () => {
    receiver.respond = () => 503
    const { webhook } = await notify.webhooks.create(ACCOUNT, { url: receiver.url })
    await notify.recordEvent(t.db, rotation('k1'))
    const start = clock.now()
    while (clock.now() - start <= RETRY_WINDOW_MS + RETRY_CAP_MS) {
      await notify.jobs.deliver()
      clock.advance(15 * MS.minute)
    }
    const { attempts } = await notify.webhooks.attempts(ACCOUNT, webhook.id, { limit: 500 })
    expect(attempts[0].deliveryState).toBe('failed')
    // 30 s · 2^n capped at an hour, looked at every 15 minutes: an attempt at least every
    // 75 minutes through the first day, and none after it.
    expect(attempts.length).toBeGreaterThanOrEqual(19)
    expect(attempts.every((a) => a.attemptedAt < start + RETRY_WINDOW_MS)).toBe(true)
    const count = receiver.received.length
    clock.advance(RETRY_WINDOW_MS)
    await notify.jobs.deliver()
    expect(receiver.received).toHaveLength(count)
  })

  it('sends only matching events of the webhook account, and nothing to a disabled webhook', async () => {
    const other = await startReceiver()
    try {
      await notify.webhooks.create(ACCOUNT, { url: receiver.url, pattern: { detailType: ['KMS CMK Deletion'] } })
      const off = await notify.webhooks.create(ACCOUNT, { url: other.url, enabled: false })
      await notify.recordEvent(t.db, rotation('k1'))
      await notify.recordEvent(t.db, { ...rotation('k2'), detailType: 'KMS CMK Deletion' })
      await notify.recordEvent(t.db, { ...rotation('k3', OTHER), detailType: 'KMS CMK Deletion' })
      await notify.jobs.deliver()
      expect(receiver.received.map((r) => JSON.parse(r.body).resources[0])).toEqual([`arn:aws:kms:us-east-1:${ACCOUNT}:key/k2`])
      expect(other.received).toHaveLength(0)
      expect((await notify.webhooks.attempts(ACCOUNT, off.webhook.id)).attempts).toEqual([])
    } finally {
      await other.close()
    }
  })

  it('times out a slow receiver without holding up another subscriber', async () => {
    const slow = await startReceiver(() => new Promise((res) => setTimeout(() => res(200), 2000)))
    try {
      notify.close()
      notify = makeNotify({ deliveryTimeoutMs: 200 })
      const s = await notify.webhooks.create(ACCOUNT, { url: slow.url })
      await notify.webhooks.create(ACCOUNT, { url: receiver.url })
      await notify.recordEvent(t.db, rotation('k1'))
      const run = await notify.jobs.deliver()
      expect(run).toMatchObject({ attempted: 2, delivered: 1 })
      expect(receiver.received).toHaveLength(1)
      const [a] = (await notify.webhooks.attempts(ACCOUNT, s.webhook.id)).attempts
      expect(a).toMatchObject({ success: false, statusCode: null, error: 'timed out after 200 ms', deliveryState: 'pending' })
    } finally {
      await slow.close()
    }
  })

  it('records a refused connection and does not follow redirects', async () => {
    const gone = await startReceiver()
    const deadUrl = gone.url
    await gone.close()
    receiver.respond = () => 302
    const dead = await notify.webhooks.create(ACCOUNT, { url: deadUrl })
    const redirecting = await notify.webhooks.create(ACCOUNT, { url: receiver.url })
    await notify.recordEvent(t.db, rotation('k1'))
    await notify.jobs.deliver()
    expect((await notify.webhooks.attempts(ACCOUNT, dead.webhook.id)).attempts[0]).toMatchObject({ statusCode: null, error: 'connection refused' })
    expect((await notify.webhooks.attempts(ACCOUNT, redirecting.webhook.id)).attempts[0]).toMatchObject({ statusCode: 302, error: 'HTTP 302 (redirects are not followed)' })
  })

  it('re-checks the target at delivery time: a name that now resolves to a private address is refused', async () => {
    let answer = '127.0.0.1'
    notify.close()
    notify = makeNotify({ lookup: async () => [{ address: answer, family: 4 }] })
    const port = new URL(receiver.url).port
    const { webhook } = await notify.webhooks.create(ACCOUNT, { url: `http://receiver.test:${port}/hook` })
    answer = '10.0.0.7'
    await notify.recordEvent(t.db, rotation('k1'))
    await notify.jobs.deliver()
    const [a] = (await notify.webhooks.attempts(ACCOUNT, webhook.id)).attempts
    expect(a.statusCode).toBeNull()
    expect(a.error).toMatch(/^refused: .*private or link-local.*ARCA_WEBHOOK_ALLOW_PRIVATE/)
    expect(receiver.received).toHaveLength(0)
  })
})

describe('delivery across nodes', () => {
  it('never delivers an event twice when two nodes run delivery at once', async () => {
    const other = t.caps.shared ? await t.reopen() : { db: t.db, caps: t.caps, close: async () => {} }
    const notify2 = createNotify({ db: other.db, caps: other.caps, clock, barrier, logger: silentLogger })
    try {
      receiver.respond = () => new Promise((res) => setTimeout(() => res(200), 20))
      await notify.webhooks.create(ACCOUNT, { url: receiver.url })
      for (let i = 0; i < 40; i++) await notify.recordEvent(t.db, rotation(`k${i}`))
      const [a, b] = await Promise.all([notify.jobs.deliver(), notify2.jobs.deliver()])
      expect(a.delivered + b.delivered).toBe(40)
      const ids = receiver.received.map((r) => r.headers['arca-event-id'])
      expect(ids).toHaveLength(40)
      expect(new Set(ids).size).toBe(40)
    } finally {
      notify2.close()
      await other.close()
    }
  })

  it('takes over a delivery whose claim expired because its node died mid-flight', async () => {
    const { webhook } = await notify.webhooks.create(ACCOUNT, { url: receiver.url })
    const stored = await notify.recordEvent(t.db, rotation('k1'))
    // Node A claims the delivery and dies before recording an outcome: its fetch never returns.
    let started!: () => void
    const claimed = new Promise<void>((r) => (started = r))
    const dying = makeNotify({ fetch: () => (started(), new Promise<Response>(() => {})) })
    void dying.jobs.deliver()
    await claimed
    // Within the claim, node B leaves it alone.
    expect(await notify.jobs.deliver()).toMatchObject({ attempted: 0 })
    clock.advance(61 * MS.second)
    expect(await notify.jobs.deliver()).toMatchObject({ attempted: 1, delivered: 1 })
    expect(receiver.received.map((r) => r.headers['arca-event-id'])).toEqual([stored.event.id])
    expect((await notify.webhooks.attempts(ACCOUNT, webhook.id)).attempts).toMatchObject([{ success: true }])
    dying.close()
  })
})
