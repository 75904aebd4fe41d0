import type { Kysely } from 'kysely'
import { ACCOUNT_ID_PATTERN, ArcaError, type Clock, REGION_PATTERN, toDate, uuid } from '../../core/index.ts'
import type { EventRecorder } from '../../kms/index.ts'
import type { Schema } from '../../store/index.ts'
import { redactSecrets } from './redact.ts'
import { EVENT_SOURCES, type EventInput, type StoredEvent } from './types.ts'

// AWS: an EventBridge PutEvents entry is at most 256 KB.
export const MAX_EVENT_BYTES = 256 * 1024
// AWS: EventBridge detail-type is at most 128 characters.
export const MAX_DETAIL_TYPE = 128

export interface OutboxDeps {
  clock: Clock
  /** Told after a row is written (not yet committed): wakes this node's streams early. */
  onRecorded?: () => void
}

export interface Outbox {
  /**
   * Writes one event inside the caller's transaction `db`: committed with the change, or
   * never. Call it as the transaction's last write — it takes the sequence row's lock, which
   * is held until commit. Given a database that is not in a transaction, it makes its own.
   */
  recordEvent(db: Kysely<Schema>, input: EventInput): Promise<StoredEvent>
}

/**
 * Why `seq` cannot skip an event: it comes from the one `event_sequence` row, incremented with
 * an UPDATE inside the producer's transaction. That row lock is held until the transaction
 * ends, so a second producer's increment waits for the first to commit (and then reads its
 * value) or roll back (and then reuses its number). Numbers are therefore handed out in commit
 * order with no gaps, on SQLite (one writer at a time anyway) and on PostgreSQL with any number
 * of nodes: once a reader sees seq N committed, every event below N is committed too, and
 * "everything after N" is exactly what a `Last-Event-ID: N` client missed. The price is that
 * event-writing transactions serialise from their recordEvent to their commit — short, since
 * transactions never await the network and recordEvent comes last.
 */
export function createOutbox(deps: OutboxDeps): Outbox {
  async function write(tx: Kysely<Schema>, input: EventInput): Promise<StoredEvent> {
    const event = envelope(input, deps.clock.now())
    const body = JSON.stringify(event)
    if (Buffer.byteLength(body) > MAX_EVENT_BYTES) throw new ArcaError('Internal', `event '${input.detailType}' exceeds ${MAX_EVENT_BYTES} bytes`)
    const next = await tx
      .updateTable('event_sequence')
      .set((eb) => ({ value: eb('value', '+', 1) }))
      .where('name', '=', 'events')
      .returning('value')
      .executeTakeFirstOrThrow()
    const seq = Number(next.value)
    await tx
      .insertInto('events')
      .values({
        seq,
        id: event.id,
        account: event.account,
        region: event.region,
        source: event.source,
        detail_type: event['detail-type'],
        resources: JSON.stringify(event.resources),
        body,
        created_at: deps.clock.now(),
        fanned_out: 0,
      })
      .execute()
    return { seq, event }
  }

  return {
    async recordEvent(db, input) {
      const stored = db.isTransaction ? await write(db, input) : await db.transaction().execute((tx) => write(tx, input))
      deps.onRecorded?.()
      return stored
    },
  }
}

function envelope(input: EventInput, now: number): StoredEvent['event'] {
  if (!(EVENT_SOURCES as readonly string[]).includes(input.source)) throw new ArcaError('Internal', `unknown event source '${input.source}'`)
  if (!input.detailType || input.detailType.length > MAX_DETAIL_TYPE) throw new ArcaError('Internal', 'event detail-type must be 1 to 128 characters')
  if (!ACCOUNT_ID_PATTERN.test(input.account)) throw new ArcaError('Internal', `event account '${input.account}' is not an account id`)
  if (!REGION_PATTERN.test(input.region)) throw new ArcaError('Internal', `event region '${input.region}' is not a region`)
  if (!Array.isArray(input.resources) || input.resources.some((r) => typeof r !== 'string')) throw new ArcaError('Internal', 'event resources must be strings')
  return {
    version: '0',
    id: uuid(),
    'detail-type': input.detailType,
    source: input.source,
    account: input.account,
    // EventBridge writes whole seconds: 2026-01-01T00:00:00Z.
    time: toDate(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: input.region,
    resources: [...input.resources],
    detail: redactSecrets(input.detail ?? {}),
  }
}

/** The KMS core's recorder (`createKms({ recordEvent })`): its events are `aws.kms`. */
export function kmsEventRecorder(outbox: Outbox): EventRecorder {
  return async (db, e) => {
    await outbox.recordEvent(db, { source: 'aws.kms', detailType: e.detailType, account: e.account, region: e.region, resources: e.resources, detail: e.detail })
  }
}
