import { type Context, Hono } from 'hono'
import { streamSSE, type SSEStreamingApi } from 'hono/streaming'
import { ArcaError, isArcaError, type Logger, MS } from '../../../core/index.ts'
import { type EventPattern, type Notify, parsePattern } from '../../../services/notify/index.ts'
import type { AppEnv } from '../env.ts'
import { problem } from '../problem.ts'
import { accountScope } from './account-scope.ts'

// Arca: a comment line this often keeps proxies from closing an idle stream.
export const HEARTBEAT_MS = 15 * MS.second
// Arca: open streams per node; more answer 429 (each costs a connection and a feed listener).
export const MAX_STREAMS = 1000
// Told to EventSource clients: reconnect after this long.
const RETRY_MS = 1000

export interface EventRouteOptions {
  defaultAccount: string
  log?: Pick<Logger, 'error'>
  heartbeatMs?: number
  maxStreams?: number
}

type Ctx = Context<AppEnv>

function patternOf(c: Ctx): EventPattern {
  const list = (name: string) => {
    const values = (c.req.queries(name) ?? []).flatMap((v) => v.split(',')).filter((v) => v !== '')
    return values.length ? values : undefined
  }
  return parsePattern({ source: list('source'), detailType: list('detailType'), resourcePrefix: c.req.query('resourcePrefix') }, '')
}

function lastEventIdOf(c: Ctx): number | undefined {
  const raw = c.req.header('last-event-id') ?? c.req.query('lastEventId')
  if (raw === undefined || raw === '') return undefined
  if (!/^\d{1,15}$/.test(raw)) throw new ArcaError('Validation', `'Last-Event-ID' must be an event id this stream sent (a whole number).`, { field: 'Last-Event-ID' })
  return Number(raw)
}

/**
 * `GET /v1/events/stream`: Server-Sent Events of the caller's account, filtered by `source`,
 * `detailType` (repeatable or comma-separated) and `resourcePrefix`. Each event's SSE `id` is
 * its sequence number; reconnecting with `Last-Event-ID` (or `?lastEventId=`) replays every
 * matching event after it that is still retained, in order, then continues live. Without it
 * the stream starts with events from now on. A `: ready` comment marks the start; an
 * `event: truncated` message says events after Last-Event-ID were already pruned.
 */
export function createEventRoutes(notify: Pick<Notify, 'feed' | 'readEvents' | 'latestSeq' | 'oldestSeq'>, opts: EventRouteOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  const heartbeatMs = opts.heartbeatMs ?? HEARTBEAT_MS
  const maxStreams = opts.maxStreams ?? MAX_STREAMS
  let open = 0

  app.onError((err, c) => {
    if (!isArcaError(err) || err.code === 'Internal') opts.log?.error('events request failed', { error: String(err) })
    return problem(c, err)
  })

  app.get('/stream', async (c) => {
    const account = accountScope(c, opts.defaultAccount)
    const pattern = patternOf(c)
    const lastEventId = lastEventIdOf(c)
    if (open >= maxStreams) throw new ArcaError('Throttling', `This node already serves ${maxStreams} event streams; retry later.`)
    // The cursor is fixed before the response starts, so nothing written after this request is missed.
    const latest = await notify.latestSeq()
    let truncated = false
    if (lastEventId !== undefined && lastEventId < latest) {
      // Pruned: the oldest kept event is past the one after Last-Event-ID.
      const oldest = (await notify.oldestSeq()) ?? latest + 1
      truncated = oldest > lastEventId + 1
    }
    // An id ahead of this database (a restored backup, another cluster): start from now, and say so.
    const ahead = lastEventId !== undefined && lastEventId > latest
    const start = lastEventId === undefined || ahead ? latest : lastEventId
    open++
    return streamSSE(c, async (stream) => {
      try {
        await serve(stream, account, pattern, start, truncated || ahead)
      } catch (e) {
        opts.log?.error('event stream failed', { error: String(e) })
        if (!stream.aborted) await stream.writeSSE({ event: 'error', data: JSON.stringify({ message: 'The event stream failed; reconnect with Last-Event-ID.' }) }).catch(() => {})
      } finally {
        open--
      }
    })
  })

  async function serve(stream: SSEStreamingApi, account: string, pattern: EventPattern, start: number, truncated: boolean): Promise<void> {
    let closed = false
    let dirty = false
    let wake: (() => void) | undefined
    const poke = () => {
      dirty = true
      wake?.()
    }
    stream.onAbort(() => {
      closed = true
      poke()
    })
    const unsubscribe = notify.feed.subscribe(poke)
    const heartbeat = setInterval(() => void stream.write(': keepalive\n\n').catch(() => poke()), heartbeatMs)
    try {
      await stream.write(`retry: ${RETRY_MS}\n: ready ${start}\n\n`)
      if (truncated) await stream.writeSSE({ event: 'truncated', data: JSON.stringify({ message: 'Some events after Last-Event-ID are no longer available (pruned after the retention period, or the id is not from this server); resynchronise.' }) })
      let cursor = start
      // The feed closes when the server shuts down: the stream ends and clients reconnect elsewhere.
      while (!closed && !stream.aborted && !notify.feed.closed) {
        dirty = false
        const page = await notify.readEvents({ account, after: cursor, pattern })
        for (const e of page.events) {
          if (closed) return
          await stream.writeSSE({ id: String(e.seq), data: JSON.stringify(e.event) })
        }
        cursor = page.scannedTo
        if (page.more || dirty) continue
        await new Promise<void>((resolve) => {
          wake = resolve
          if (dirty || closed || notify.feed.closed) resolve()
        })
        wake = undefined
      }
    } finally {
      clearInterval(heartbeat)
      unsubscribe()
    }
  }

  return app
}
