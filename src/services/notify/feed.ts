import type { Kysely } from 'kysely'
import type { Logger } from '../../core/index.ts'
import type { Schema } from '../../store/index.ts'
import { latestSeq } from './read.ts'

// Arca: how often a node looks for events written by other nodes while anyone is listening.
// One primary-key read per interval per node, however many streams are open.
export const FEED_POLL_MS = 1000
// After this node writes an event (not yet committed), look again after these delays: the
// producer's commit normally lands within the first; the poll covers anything slower.
export const FEED_SETTLE_MS = [15, 150] as const

export type FeedListener = (latest: number) => void

/** Tells this node's listeners (SSE streams) that the event sequence moved. */
export interface EventFeed {
  /** Called with the newest committed sequence number whenever it grows. Returns an unsubscribe. */
  subscribe(listener: FeedListener): () => void
  /** Something was written here: look soon. */
  poke(): void
  listeners(): number
  /** True once closed: listeners should end (a stream ends its response). */
  readonly closed: boolean
  /** Stops polling and wakes every listener one last time, so open streams can end. */
  close(): void
}

export function createEventFeed(deps: { db: Kysely<Schema>; logger?: Logger; pollMs?: number }): EventFeed {
  const listeners = new Set<FeedListener>()
  let seen = -1
  let timer: ReturnType<typeof setInterval> | undefined
  let checking: Promise<void> | undefined
  let again = false
  let closed = false

  async function check(): Promise<void> {
    if (checking) {
      again = true
      return checking
    }
    checking = (async () => {
      do {
        again = false
        try {
          const latest = await latestSeq(deps.db)
          if (latest > seen) {
            seen = latest
            for (const l of [...listeners]) l(latest)
          }
        } catch (e) {
          deps.logger?.warn('event feed: reading the event sequence failed', { error: e instanceof Error ? e.message : String(e) })
        }
      } while (again && !closed)
    })().finally(() => {
      checking = undefined
    })
    return checking
  }

  function startPolling() {
    if (timer || closed) return
    timer = setInterval(() => void check(), deps.pollMs ?? FEED_POLL_MS)
    timer.unref?.()
  }

  return {
    subscribe(listener) {
      listeners.add(listener)
      startPolling()
      return () => {
        listeners.delete(listener)
        if (listeners.size === 0 && timer) {
          clearInterval(timer)
          timer = undefined
        }
      }
    },
    poke() {
      if (listeners.size === 0 || closed) return
      for (const ms of FEED_SETTLE_MS) setTimeout(() => void check(), ms).unref?.()
    },
    listeners: () => listeners.size,
    get closed() {
      return closed
    },
    close() {
      closed = true
      if (timer) clearInterval(timer)
      timer = undefined
      for (const l of [...listeners]) l(seen)
      listeners.clear()
    },
  }
}
