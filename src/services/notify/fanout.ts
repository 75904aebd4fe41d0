import type { Kysely } from 'kysely'
import { uuid } from '../../core/index.ts'
import type { Schema } from '../../store/index.ts'
import { matchesPattern } from './pattern.ts'
import type { EventEnvelope, EventPattern } from './types.ts'

// Arca: events turned into deliveries per transaction.
export const FAN_OUT_BATCH = 200

/**
 * Turns new outbox rows into one delivery row per matching enabled webhook of the event's
 * account (webhooks created after the event do not get it). Idempotent: the unique
 * (webhook, event) pair and the `fanned_out` flag make a repeated or concurrent run harmless.
 * Returns the number of events processed.
 */
export async function fanOut(db: Kysely<Schema>, now: number): Promise<number> {
  let total = 0
  for (;;) {
    const events = await db
      .selectFrom('events')
      .select(['seq', 'account', 'source', 'detail_type', 'resources', 'created_at'])
      .where('fanned_out', '=', 0)
      .orderBy('seq')
      .limit(FAN_OUT_BATCH)
      .execute()
    if (events.length === 0) return total
    const accounts = [...new Set(events.map((e) => e.account))]
    const hooks = await db
      .selectFrom('webhooks')
      .select(['id', 'account', 'pattern', 'created_at'])
      .where('enabled', '=', 1)
      .where('account', 'in', accounts)
      .execute()
    const patterns = hooks.map((h) => ({ ...h, pattern: JSON.parse(h.pattern) as EventPattern }))
    const rows: Schema['webhook_deliveries'][] = []
    for (const e of events) {
      const shape = { source: e.source as EventEnvelope['source'], 'detail-type': e.detail_type, resources: JSON.parse(e.resources) as string[] }
      for (const h of patterns) {
        if (h.account !== e.account || Number(h.created_at) > Number(e.created_at) || !matchesPattern(h.pattern, shape)) continue
        rows.push({
          id: uuid(),
          webhook_id: h.id,
          event_seq: Number(e.seq),
          state: 'pending',
          attempts: 0,
          next_attempt_at: now,
          claim_id: null,
          claimed_until: null,
          created_at: now,
          updated_at: now,
        })
      }
    }
    await db.transaction().execute(async (tx) => {
      // Chunks keep each INSERT well under SQLite's 32 766 bound parameters (10 columns a row).
      for (let i = 0; i < rows.length; i += 500) {
        await tx
          .insertInto('webhook_deliveries')
          .values(rows.slice(i, i + 500))
          .onConflict((oc) => oc.columns(['webhook_id', 'event_seq']).doNothing())
          .execute()
      }
      await tx
        .updateTable('events')
        .set({ fanned_out: 1 })
        .where('seq', 'in', events.map((e) => Number(e.seq)))
        .execute()
    })
    total += events.length
  }
}
