import { ArcaError } from '../core/index.ts'
import type { Auth } from './credentials.ts'
import { authHeaders, type Fetch } from './rest.ts'

/** One change as the event stream sends it (the EventBridge envelope; never a value). */
export interface ArcaEvent {
  id: string
  source: string
  'detail-type': string
  account: string
  time: string
  region: string
  resources: string[]
  detail: Record<string, unknown>
}

export interface SubscribeOptions {
  source?: string[]
  detailType?: string[]
  resourcePrefix?: string
  onEvent?: (event: ArcaEvent, seq: string) => void
  /** A connection failed or ended; the subscription reconnects by itself (Last-Event-ID). */
  onError?: (e: unknown) => void
  /** Events after this id were pruned or the id is unknown: resynchronise everything. */
  onTruncated?: () => void
}

export interface Subscription {
  /**
   * Resolves once the first connection is open: changes from then on are delivered. Rejects if
   * the first attempt fails; the subscription keeps retrying (except on bad credentials or
   * access denied) until closed.
   */
  ready: Promise<void>
  close(): void
}

// Arca: wait this long before reconnecting (the server advertises 1 s with `retry:`).
const RECONNECT_MS = 1000

/**
 * Follows `GET /v1/events/stream` (Server-Sent Events) with reconnects that resume from the
 * last event id, so nothing is missed across a dropped connection.
 */
export function subscribeEvents(conn: { endpoint: string; auth: Auth; fetch?: Fetch }, opts: SubscribeOptions = {}): Subscription {
  const abort = new AbortController()
  let lastId: string | undefined
  let closed = false
  let markReady!: () => void
  let failReady!: (e: unknown) => void
  let isReady = false
  const ready = new Promise<void>((res, rej) => {
    markReady = () => {
      isReady = true
      res()
    }
    failReady = rej
  })
  ready.catch(() => {})

  async function connect(): Promise<void> {
    const url = new URL(conn.endpoint.replace(/\/+$/, '') + '/v1/events/stream')
    for (const s of opts.source ?? []) url.searchParams.append('source', s)
    for (const d of opts.detailType ?? []) url.searchParams.append('detailType', d)
    if (opts.resourcePrefix) url.searchParams.set('resourcePrefix', opts.resourcePrefix)
    const headers = authHeaders(conn.auth, { method: 'GET', url, headers: { accept: 'text/event-stream', ...(lastId ? { 'last-event-id': lastId } : {}) }, body: '' })
    const res = await (conn.fetch ?? fetch)(url, { headers, signal: abort.signal })
    if (!res.ok || !res.body) {
      const p = (await res.json().catch(() => ({}))) as { detail?: string }
      throw new ArcaError(res.status === 403 ? 'AccessDenied' : res.status === 401 ? 'Unauthenticated' : 'Internal', p.detail ?? `the event stream answered HTTP ${res.status}`)
    }
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
    let buffer = ''
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      buffer += value.replace(/\r\n?/g, '\n')
      let end: number
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        handle(block)
      }
    }
  }

  function handle(block: string): void {
    let id: string | undefined
    let event = 'message'
    const data: string[] = []
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) {
        if (line.startsWith(': ready') && !isReady) markReady()
        continue
      }
      const colon = line.indexOf(':')
      const field = colon < 0 ? line : line.slice(0, colon)
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
      if (field === 'id') id = value
      else if (field === 'event') event = value
      else if (field === 'data') data.push(value)
    }
    if (id !== undefined) lastId = id
    if (event === 'truncated') opts.onTruncated?.()
    if (event !== 'message' || data.length === 0) return
    try {
      opts.onEvent?.(JSON.parse(data.join('\n')) as ArcaEvent, id ?? '')
    } catch (e) {
      opts.onError?.(e)
    }
  }

  void (async () => {
    while (!closed) {
      try {
        await connect()
      } catch (e) {
        if (closed) return
        if (!isReady) failReady(e)
        // Credentials or permissions will not fix themselves: stop; anything else, retry.
        if (e instanceof ArcaError && e.code !== 'Internal') return opts.onError?.(e)
        opts.onError?.(e)
      }
      if (closed) return
      await new Promise((r) => setTimeout(r, RECONNECT_MS).unref?.())
    }
  })()

  return {
    ready,
    close() {
      closed = true
      abort.abort()
    },
  }
}
