import type { Kysely } from 'kysely'
import type { Schema } from '../../store/index.ts'
import { matchesPattern } from './pattern.ts'
import type { EventEnvelope, EventPattern, StoredEvent } from './types.ts'

// Arca: rows scanned per read, so one slow client never loads a whole backlog at once.
export const READ_BATCH = 500

export interface ReadQuery {
  account: string
  /** Events with a sequence number above this. */
  after: number
  pattern?: EventPattern
  limit?: number
}

export interface ReadResult {
  events: StoredEvent[]
  /** The last sequence number looked at (matching or not): where the next read starts. */
  scannedTo: number
  /** More rows may follow `scannedTo`. */
  more: boolean
}

/** One account's events after a sequence number, in order, filtered by a pattern. */
export async function readEvents(db: Kysely<Schema>, q: ReadQuery): Promise<ReadResult> {
  const limit = q.limit ?? READ_BATCH
  let query = db
    .selectFrom('events')
    .select(['seq', 'source', 'detail_type', 'resources', 'body'])
    .where('account', '=', q.account)
    .where('seq', '>', q.after)
  if (q.pattern?.source) query = query.where('source', 'in', q.pattern.source)
  if (q.pattern?.detailType) query = query.where('detail_type', 'in', q.pattern.detailType)
  const rows = await query.orderBy('seq').limit(limit).execute()
  const events: StoredEvent[] = []
  for (const row of rows) {
    const resources = JSON.parse(row.resources) as string[]
    if (q.pattern && !matchesPattern(q.pattern, { source: row.source as EventEnvelope['source'], 'detail-type': row.detail_type, resources })) continue
    events.push({ seq: Number(row.seq), event: JSON.parse(row.body) as EventEnvelope })
  }
  const scannedTo = rows.length > 0 ? Number(rows[rows.length - 1].seq) : q.after
  return { events, scannedTo, more: rows.length === limit }
}

/** The newest committed sequence number (0 before the first event). */
export async function latestSeq(db: Kysely<Schema>): Promise<number> {
  const row = await db.selectFrom('event_sequence').select('value').where('name', '=', 'events').executeTakeFirst()
  return Number(row?.value ?? 0)
}

/** The oldest sequence number still kept (pruning removes older ones), or undefined when none is. */
export async function oldestSeq(db: Kysely<Schema>): Promise<number | undefined> {
  const row = await db.selectFrom('events').select((eb) => eb.fn.min('seq').as('seq')).executeTakeFirst()
  return row?.seq === null || row?.seq === undefined ? undefined : Number(row.seq)
}
