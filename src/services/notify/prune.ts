import type { Kysely } from 'kysely'
import { MS } from '../../core/index.ts'
import type { Schema } from '../../store/index.ts'

// Arca: how long events (and their delivery records) are kept, and so how far back a stream
// client can resume. Longer than the 24-hour retry window, so every delivery has ended first.
export const DEFAULT_EVENT_RETENTION_MS = 7 * MS.day

/**
 * Deletes events older than the retention period whose deliveries have all ended (delivered or
 * failed); their deliveries and attempts go with them (ON DELETE CASCADE). A delivery still
 * pending for a disabled webhook holds its event only until the retention period has passed
 * twice: by then it could never be delivered inside its retry window anyway.
 */
export async function pruneEvents(db: Kysely<Schema>, now: number, retentionMs = DEFAULT_EVENT_RETENTION_MS): Promise<number> {
  const cutoff = now - retentionMs
  const res = await db
    .deleteFrom('events')
    .where('created_at', '<', cutoff)
    .where('fanned_out', '=', 1)
    .where((eb) =>
      eb.or([
        eb('created_at', '<', cutoff - retentionMs),
        eb.not(eb.exists(eb.selectFrom('webhook_deliveries as d').select('d.id').whereRef('d.event_seq', '=', 'events.seq').where('d.state', '=', 'pending'))),
      ]),
    )
    .executeTakeFirst()
  return Number(res.numDeletedRows)
}
