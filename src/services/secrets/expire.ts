import type { Kysely } from 'kysely'
import { MS } from '../../core/index.ts'
import type { Schema } from '../../store/index.ts'
import { type SecretsDeps, changeEvent } from './context.ts'

/**
 * For services/expiry's `delete` action: schedules the secret's deletion with a recovery window
 * (as DeleteSecret does, never at once), inside the caller's transaction. False when the secret
 * is gone or already scheduled.
 */
export async function scheduleDeletionInTx(deps: Pick<SecretsDeps, 'events'>, tx: Kysely<Schema>, arn: string, at: { account: string; region: string; name: string }, days: number, now: number): Promise<boolean> {
  const row = await tx.selectFrom('secrets').select(['id', 'arn', 'name', 'account', 'region']).where('account', '=', at.account).where('region', '=', at.region).where('name', '=', at.name).where('arn', '=', arn).executeTakeFirst()
  if (!row) return false
  const deletionDate = now + days * MS.day
  const r = await tx
    .updateTable('secrets')
    .set((eb) => ({ deleted_at: now, deletion_date: deletionDate, last_changed_at: now, revision: eb('revision', '+', 1) }))
    .where('id', '=', row.id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
  if (Number(r.numUpdatedRows) !== 1) return false
  await deps.events.record(tx, changeEvent(row, 'DeleteSecret', { recoveryWindowInDays: days, deletionDate: new Date(deletionDate).toISOString(), reason: 'expired' }))
  return true
}

/** Is the secret there and not scheduled for deletion? */
export async function secretLive(tx: Kysely<Schema>, arn: string, at: { account: string; region: string; name: string }): Promise<boolean> {
  const row = await tx.selectFrom('secrets').select(['deleted_at']).where('account', '=', at.account).where('region', '=', at.region).where('name', '=', at.name).where('arn', '=', arn).executeTakeFirst()
  return row !== undefined && row.deleted_at === null
}
