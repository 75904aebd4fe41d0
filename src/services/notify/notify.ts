import type { Kysely } from 'kysely'
import { type Clock, type Logger, silentLogger } from '../../core/index.ts'
import type { Barrier, EventRecorder } from '../../kms/index.ts'
import type { Capabilities, Schema } from '../../store/index.ts'
import { type DeliveryRunResult, type Fetch, createDeliverer } from './delivery.ts'
import { fanOut } from './fanout.ts'
import { type EventFeed, createEventFeed } from './feed.ts'
import { type Outbox, createOutbox, kmsEventRecorder } from './outbox.ts'
import { DEFAULT_EVENT_RETENTION_MS, pruneEvents } from './prune.ts'
import { type ReadQuery, type ReadResult, latestSeq, oldestSeq, readEvents } from './read.ts'
import { type Lookup, systemLookup } from './target.ts'
import type { EventInput, StoredEvent } from './types.ts'
import { type Webhooks, createWebhooks } from './webhooks.ts'

export interface NotifyDeps {
  db: Kysely<Schema>
  caps: Pick<Capabilities, 'skipLocked'>
  clock: Clock
  /** Wraps webhook signing secrets under the root key. */
  barrier: Barrier
  logger?: Logger
  /** The HTTP client for deliveries (default: the global fetch). */
  fetch?: Fetch
  /** Name resolution for the SSRF check (default: the system resolver). */
  lookup?: Lookup
  /** ARCA_WEBHOOK_ALLOW_PRIVATE: let webhooks target private and link-local addresses. */
  allowPrivate?: boolean
  /** How long events and delivery records are kept (default 7 days). */
  retentionMs?: number
  deliveryTimeoutMs?: number
  deliveryConcurrency?: number
  /** How often streams look for events written by other nodes (default 1 s). */
  feedPollMs?: number
}

/** Events, webhooks and the live stream: what the rest of Arca sees of notifications. */
export interface Notify {
  /** Writes an event in the caller's transaction (see Outbox). */
  recordEvent: Outbox['recordEvent']
  /** For `createKms({ recordEvent })`: the KMS core's events, as `aws.kms`. */
  kmsRecorder: EventRecorder
  webhooks: Webhooks
  /** Wakes this node's streams when the event sequence grows. */
  feed: EventFeed
  readEvents(q: ReadQuery): Promise<ReadResult>
  latestSeq(): Promise<number>
  oldestSeq(): Promise<number | undefined>
  /** The scheduler's jobs. */
  jobs: {
    /** Fans new events out to matching webhooks, then attempts every due delivery. */
    deliver(now?: number): Promise<DeliveryRunResult & { fannedOut: number }>
    /** Deletes events (and their delivery records) older than the retention period. */
    prune(now?: number): Promise<number>
  }
  close(): void
}

export function createNotify(deps: NotifyDeps): Notify {
  const logger = deps.logger ?? silentLogger
  const target = { allowPrivate: deps.allowPrivate ?? false, lookup: deps.lookup ?? systemLookup }
  const feed = createEventFeed({ db: deps.db, logger, pollMs: deps.feedPollMs })
  const outbox = createOutbox({ clock: deps.clock, onRecorded: () => feed.poke() })
  const webhooks = createWebhooks({ db: deps.db, clock: deps.clock, barrier: deps.barrier, target })
  const deliverer = createDeliverer({
    db: deps.db,
    caps: deps.caps,
    clock: deps.clock,
    barrier: deps.barrier,
    target,
    fetch: deps.fetch ?? ((input, init) => fetch(input, init)),
    logger,
    timeoutMs: deps.deliveryTimeoutMs,
    concurrency: deps.deliveryConcurrency,
  })
  return {
    recordEvent: (db, input: EventInput): Promise<StoredEvent> => outbox.recordEvent(db, input),
    kmsRecorder: kmsEventRecorder(outbox),
    webhooks,
    feed,
    readEvents: (q) => readEvents(deps.db, q),
    latestSeq: () => latestSeq(deps.db),
    oldestSeq: () => oldestSeq(deps.db),
    jobs: {
      async deliver(now = deps.clock.now()) {
        const fannedOut = await fanOut(deps.db, now)
        return { fannedOut, ...(await deliverer.deliverDue(now)) }
      },
      prune: (now = deps.clock.now()) => pruneEvents(deps.db, now, deps.retentionMs ?? DEFAULT_EVENT_RETENTION_MS),
    },
    close: () => feed.close(),
  }
}
