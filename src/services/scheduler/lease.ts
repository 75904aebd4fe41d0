import type { Kysely } from 'kysely'
import type { Schema } from '../../store/index.ts'

/**
 * A job's lease row (`leases`: name, holder, expires_at) does two things. While a run holds it,
 * `holder` names that run and `expires_at` is when the claim lapses if not renewed. When a run
 * ends it is released with `holder = ''` and `expires_at` = the job's next due time. So in both
 * cases "the row may be claimed" is exactly `expires_at <= now`, and claiming is one
 * compare-and-set: whichever node's UPDATE lands first wins; the others' UPDATEs then match no
 * row (on PostgreSQL the second UPDATE waits for the first's commit and re-checks the WHERE).
 */
export const RELEASED = ''

/** Claims the lease if it is free (or new). True when this holder now has it. */
export async function claimLease(db: Kysely<Schema>, name: string, holder: string, now: number, ttlMs: number): Promise<boolean> {
  const inserted = await db
    .insertInto('leases')
    .values({ name, holder, expires_at: now + ttlMs })
    .onConflict((oc) => oc.column('name').doNothing())
    .executeTakeFirst()
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return true
  const updated = await db
    .updateTable('leases')
    .set({ holder, expires_at: now + ttlMs })
    .where('name', '=', name)
    .where('expires_at', '<=', now)
    .executeTakeFirst()
  return Number(updated.numUpdatedRows) === 1
}

/** Extends a held lease; false when it was lost (expired and taken by another holder). */
export async function renewLease(db: Kysely<Schema>, name: string, holder: string, now: number, ttlMs: number): Promise<boolean> {
  const res = await db.updateTable('leases').set({ expires_at: now + ttlMs }).where('name', '=', name).where('holder', '=', holder).executeTakeFirst()
  return Number(res.numUpdatedRows) === 1
}

/** Ends a run: the row becomes free again at `nextDue`. False when the lease had been lost. */
export async function releaseLease(db: Kysely<Schema>, name: string, holder: string, nextDue: number): Promise<boolean> {
  const res = await db.updateTable('leases').set({ holder: RELEASED, expires_at: nextDue }).where('name', '=', name).where('holder', '=', holder).executeTakeFirst()
  return Number(res.numUpdatedRows) === 1
}

/** When each named lease may next be claimed (absent: never run, due now). */
export async function leaseExpiries(db: Kysely<Schema>, names: string[]): Promise<Map<string, number>> {
  if (names.length === 0) return new Map()
  const rows = await db.selectFrom('leases').select(['name', 'expires_at']).where('name', 'in', names).execute()
  return new Map(rows.map((r) => [r.name, Number(r.expires_at)]))
}
