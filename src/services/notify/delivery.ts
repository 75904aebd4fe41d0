import type { ExpressionBuilder, Kysely } from 'kysely'
import { type Clock, type Logger, MS, uuid, VERSION } from '../../core/index.ts'
import type { Barrier } from '../../kms/index.ts'
import type { Capabilities, Schema } from '../../store/index.ts'
import { RETRY_WINDOW_MS, retryDelay } from './retry.ts'
import { signPayload } from './signing.ts'
import { type TargetPolicy, checkTarget, parseTargetUrl } from './target.ts'
import { openWebhookSecret } from './webhooks.ts'

// Arca's delivery bounds (the issue: per-request timeout, bounded concurrency).
export const DELIVERY_TIMEOUT_MS = 10 * MS.second
export const DELIVERY_CONCURRENCY = 8
// At most this many requests in flight to one webhook, so one slow receiver leaves the other
// slots to other subscribers.
export const PER_WEBHOOK_IN_FLIGHT = 2
// A claim outlives the request timeout with room to record the outcome; a node that dies
// mid-delivery leaves a claim that another node takes over once it has passed.
export const CLAIM_TTL_MS = 60 * MS.second
// Arca: deliveries claimed per round, and rounds per job run (the run ends; the next one continues).
export const CLAIM_BATCH = 32
export const MAX_ROUNDS_PER_RUN = 16
// Only the start of an error is kept: enough to diagnose, bounded in the table.
const MAX_ERROR_TEXT = 300

export type Fetch = (input: string, init: RequestInit) => Promise<Response>

export interface DelivererDeps {
  db: Kysely<Schema>
  caps: Pick<Capabilities, 'skipLocked'>
  clock: Clock
  barrier: Barrier
  target: TargetPolicy
  fetch: Fetch
  logger: Logger
  timeoutMs?: number
  concurrency?: number
}

interface Claimed {
  id: string
  claimId: string
  webhookId: string
  url: string
  secretRow: { id: string; secret: Uint8Array }
  eventId: string
  body: string
  attempts: number
  createdAt: number
}

export interface DeliveryRunResult {
  attempted: number
  delivered: number
  failed: number
}

/** Claims due deliveries and POSTs them, recording every attempt. Runs in a scheduler job, never on a request. */
export function createDeliverer(deps: DelivererDeps): { deliverDue(now?: number): Promise<DeliveryRunResult> } {
  const timeoutMs = deps.timeoutMs ?? DELIVERY_TIMEOUT_MS
  const concurrency = deps.concurrency ?? DELIVERY_CONCURRENCY

  const due = (now: number, skip: ReadonlySet<string> = new Set()) => (eb: ExpressionBuilder<Schema, 'webhook_deliveries'>) =>
    eb.and([
      ...(skip.size > 0 ? [eb('webhook_id', 'not in', [...skip])] : []),
      eb('state', '=', 'pending'),
      eb('next_attempt_at', '<=', now),
      eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)]),
      eb('webhook_id', 'in', eb.selectFrom('webhooks').select('id').where('enabled', '=', 1)),
    ])

  /** Compare-and-set claim: a row is ours only if no live claim held it at the moment we wrote. */
  async function claim(now: number, limit: number, skip: ReadonlySet<string>): Promise<Claimed[]> {
    const claimId = uuid()
    const until = now + CLAIM_TTL_MS
    if (deps.caps.skipLocked) {
      // PostgreSQL: rows another node is claiming right now are skipped, not waited for.
      await deps.db.transaction().execute(async (tx) => {
        const rows = await tx.selectFrom('webhook_deliveries').select('id').where(due(now, skip)).orderBy('next_attempt_at').limit(limit).forUpdate().skipLocked().execute()
        if (rows.length === 0) return
        await tx.updateTable('webhook_deliveries').set({ claim_id: claimId, claimed_until: until }).where('id', 'in', rows.map((r) => r.id)).execute()
      })
    } else {
      const rows = await deps.db.selectFrom('webhook_deliveries').select('id').where(due(now, skip)).orderBy('next_attempt_at').limit(limit).execute()
      for (const r of rows) {
        await deps.db.updateTable('webhook_deliveries').set({ claim_id: claimId, claimed_until: until }).where('id', '=', r.id).where(due(now)).execute()
      }
    }
    const rows = await deps.db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
      .innerJoin('events as e', 'e.seq', 'd.event_seq')
      .select(['d.id', 'd.webhook_id', 'd.attempts', 'd.created_at', 'w.url', 'w.secret', 'e.id as event_id', 'e.body'])
      .where('d.claim_id', '=', claimId)
      .orderBy('d.next_attempt_at')
      .execute()
    return rows.map((r) => ({
      id: r.id,
      claimId,
      webhookId: r.webhook_id,
      url: r.url,
      secretRow: { id: r.webhook_id, secret: r.secret },
      eventId: r.event_id,
      body: r.body,
      attempts: Number(r.attempts),
      createdAt: Number(r.created_at),
    }))
  }

  async function release(d: Claimed): Promise<void> {
    await deps.db.updateTable('webhook_deliveries').set({ claim_id: null, claimed_until: null }).where('id', '=', d.id).where('claim_id', '=', d.claimId).execute()
  }

  /** One POST. Returns the outcome; never throws for the receiver's faults. */
  async function post(d: Claimed, now: number): Promise<{ status: number | null; error: string | null; durationMs: number }> {
    const started = performance.now()
    const elapsed = () => Math.round(performance.now() - started)
    try {
      const url = parseTargetUrl(d.url)
      await checkTarget(url, deps.target, { strictResolve: true })
      const timestamp = Math.floor(now / 1000)
      const res = await deps.fetch(url.toString(), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': `Arca-Webhooks/${VERSION}`,
          'arca-event-id': d.eventId,
          'arca-webhook-id': d.webhookId,
          'arca-timestamp': String(timestamp),
          'arca-signature': signPayload(openWebhookSecret(deps.barrier, d.secretRow), timestamp, d.body),
        },
        body: d.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      })
      await res.body?.cancel().catch(() => {})
      const ok = res.status >= 200 && res.status < 300
      return { status: res.status, error: ok ? null : `HTTP ${res.status}${res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : ''}`, durationMs: elapsed() }
    } catch (e) {
      if ((e as { name?: string; code?: string }).name === 'ArcaError' && (e as { code?: string }).code !== 'Validation') {
        deps.logger.error('webhook delivery: could not prepare the request', { webhook: d.webhookId, error: e instanceof Error ? e.message : String(e) })
      }
      return { status: null, error: describeFailure(e, timeoutMs), durationMs: elapsed() }
    }
  }

  /** Attempts one delivery; false when the receiver failed. */
  async function attempt(d: Claimed, result: DeliveryRunResult): Promise<boolean> {
    const now = deps.clock.now()
    if (now >= d.createdAt + RETRY_WINDOW_MS) {
      await deps.db.updateTable('webhook_deliveries').set({ state: 'failed', claim_id: null, claimed_until: null, updated_at: now }).where('id', '=', d.id).where('claim_id', '=', d.claimId).execute()
      result.failed++
      return true
    }
    const out = await post(d, now)
    const success = out.error === null
    const failures = d.attempts + 1
    const done = deps.clock.now()
    const next = done + retryDelay(failures)
    const state = success ? 'delivered' : next >= d.createdAt + RETRY_WINDOW_MS ? 'failed' : 'pending'
    await deps.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('webhook_attempts')
        .values({
          id: uuid(),
          delivery_id: d.id,
          webhook_id: d.webhookId,
          event_id: d.eventId,
          attempted_at: now,
          status_code: out.status,
          error: out.error === null ? null : out.error.slice(0, MAX_ERROR_TEXT),
          duration_ms: out.durationMs,
          success: success ? 1 : 0,
        })
        .execute()
      const res = await tx
        .updateTable('webhook_deliveries')
        .set({ state, attempts: failures, next_attempt_at: state === 'pending' ? next : done, claim_id: null, claimed_until: null, updated_at: done })
        .where('id', '=', d.id)
        .where('claim_id', '=', d.claimId)
        .executeTakeFirst()
      if (Number(res.numUpdatedRows) !== 1) deps.logger.warn('webhook delivery: claim lost before the outcome was recorded', { delivery: d.id, webhook: d.webhookId })
    })
    result.attempted++
    if (state === 'delivered') result.delivered++
    if (state === 'failed') result.failed++
    return success
  }

  /** Runs claimed deliveries, `concurrency` at a time and at most PER_WEBHOOK_IN_FLIGHT per webhook. */
  async function runAll(claimed: Claimed[], result: DeliveryRunResult, failing: Set<string>): Promise<void> {
    const queue = [...claimed]
    const inFlight = new Map<string, number>()
    const take = (): Claimed | undefined => {
      const i = queue.findIndex((d) => (inFlight.get(d.webhookId) ?? 0) < PER_WEBHOOK_IN_FLIGHT)
      return i < 0 ? undefined : queue.splice(i, 1)[0]
    }
    // Workers with nothing they may take wait here until a request ends.
    let waiting: (() => void)[] = []
    const workers = Array.from({ length: Math.min(concurrency, claimed.length) }, async () => {
      for (;;) {
        const d = take()
        if (!d) {
          if (queue.length === 0) return
          await new Promise<void>((r) => waiting.push(r))
          continue
        }
        inFlight.set(d.webhookId, (inFlight.get(d.webhookId) ?? 0) + 1)
        try {
          if (failing.has(d.webhookId)) await release(d)
          else if (!(await attempt(d, result))) failing.add(d.webhookId)
        } catch (e) {
          deps.logger.error('webhook delivery: recording an attempt failed', { delivery: d.id, error: e instanceof Error ? e.message : String(e) })
          await release(d).catch(() => {})
        } finally {
          inFlight.set(d.webhookId, (inFlight.get(d.webhookId) ?? 1) - 1)
          const woken = waiting
          waiting = []
          for (const w of woken) w()
        }
      }
    })
    await Promise.all(workers)
  }

  return {
    async deliverDue(now = deps.clock.now()) {
      const result: DeliveryRunResult = { attempted: 0, delivered: 0, failed: 0 }
      // A webhook that failed in this run is not tried again in it: its other deliveries keep
      // their place for the next run instead of each waiting out a dead receiver's timeout.
      const failing = new Set<string>()
      for (let round = 0; round < MAX_ROUNDS_PER_RUN; round++) {
        const claimed = await claim(now, CLAIM_BATCH, failing)
        if (claimed.length === 0) break
        await runAll(claimed, result, failing)
        if (claimed.length < CLAIM_BATCH) break
      }
      return result
    },
  }
}

/** A safe one-line reason: the failure's kind, never the URL's query or a secret. */
function describeFailure(e: unknown, timeoutMs: number): string {
  const err = e as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } }
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return `timed out after ${timeoutMs} ms`
  // The SSRF check's refusal is safe to show; any other ArcaError here is ours (the log has it).
  if (err?.name === 'ArcaError') return (e as { code?: string }).code === 'Validation' ? `refused: ${err.message}` : 'internal error before sending (see the server log)'
  const code = err?.cause?.code ?? err?.code
  if (code === 'ECONNREFUSED') return 'connection refused'
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `host does not resolve (${code})`
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection reset by the receiver'
  if (code) return `request failed (${code})`
  return `request failed (${err?.cause?.message ?? err?.message ?? 'unknown error'})`
}
