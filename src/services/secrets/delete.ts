import type { Kysely } from 'kysely'
import { ArcaError, MS } from '../../core/index.ts'
import type { Caller } from '../../kms/index.ts'
import type { Schema } from '../../store/index.ts'
import { type SecretsDeps, authorizeOn, changeEvent } from './context.ts'
import { DEFAULT_RECOVERY_DAYS, MAX_RECOVERY_DAYS, MIN_RECOVERY_DAYS } from './limits.ts'
import { type SecretRow, findSecret, parseSecretId } from './resolve.ts'

export interface DeleteSecretInput {
  secretId: string
  recoveryWindowInDays?: number
  forceDeleteWithoutRecovery?: boolean
}

/**
 * DeleteSecret (AWS-API.md §5.3): a recovery window of 7–30 days (30 by default) during which
 * the secret refuses reads and writes and can be restored, or forced removal at once. The name
 * stays taken until the purge job removes the secret when its window ends.
 */
export async function deleteSecret(deps: SecretsDeps, caller: Caller, input: DeleteSecretInput): Promise<{ arn?: string; name: string; deletionDate: number }> {
  const force = input.forceDeleteWithoutRecovery === true
  const windowGiven = input.recoveryWindowInDays !== undefined && input.recoveryWindowInDays !== null
  if (force && windowGiven)
    throw new ArcaError('InvalidParameter', "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.", { field: 'recoveryWindowInDays' })
  const days = windowGiven ? input.recoveryWindowInDays! : DEFAULT_RECOVERY_DAYS
  if (!Number.isInteger(days) || days < MIN_RECOVERY_DAYS || days > MAX_RECOVERY_DAYS)
    throw new ArcaError('InvalidParameter', `The RecoveryWindowInDays value must be between ${MIN_RECOVERY_DAYS} and ${MAX_RECOVERY_DAYS} days (inclusive).`, { field: 'recoveryWindowInDays' })
  let row: SecretRow
  try {
    row = await findSecret(deps.db, caller, input.secretId)
  } catch (e) {
    // AWS: forced deletion of a secret that does not exist succeeds.
    if (force && e instanceof ArcaError && e.code === 'NotFound') {
      const l = parseSecretId(caller, input.secretId)
      return { name: l?.name ?? String(input.secretId), deletionDate: deps.clock.now() }
    }
    throw e
  }
  await authorizeOn(deps, caller, 'DeleteSecret', row)
  const now = deps.clock.now()
  if (force) {
    await deps.db.transaction().execute(async (tx) => {
      if (await removeSecret(tx, row.id)) await deps.events.record(tx, changeEvent(row, 'DeleteSecret', { forceDeleteWithoutRecovery: true }))
    })
    return { arn: row.arn, name: row.name, deletionDate: now }
  }
  if (row.deleted_at !== null)
    throw new ArcaError('InvalidRequest', "You can't perform this operation on the secret because it was already scheduled for deletion.")
  const deletionDate = now + days * MS.day
  await deps.db.transaction().execute(async (tx) => {
    const r = await tx
      .updateTable('secrets')
      .set((eb) => ({ deleted_at: now, deletion_date: deletionDate, last_changed_at: now, revision: eb('revision', '+', 1) }))
      .where('id', '=', row.id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst()
    if (Number(r.numUpdatedRows) !== 1)
      throw new ArcaError('InvalidRequest', "You can't perform this operation on the secret because it was already scheduled for deletion.")
    await deps.events.record(tx, changeEvent(row, 'DeleteSecret', { recoveryWindowInDays: days, deletionDate: new Date(deletionDate).toISOString() }))
  })
  return { arn: row.arn, name: row.name, deletionDate }
}

export async function restoreSecret(deps: SecretsDeps, caller: Caller, input: { secretId: string }): Promise<{ arn: string; name: string }> {
  const row = await findSecret(deps.db, caller, input.secretId)
  await authorizeOn(deps, caller, 'RestoreSecret', row)
  if (row.deleted_at === null) return { arn: row.arn, name: row.name }
  await deps.db.transaction().execute(async (tx) => {
    const r = await tx
      .updateTable('secrets')
      .set((eb) => ({ deleted_at: null, deletion_date: null, last_changed_at: deps.clock.now(), revision: eb('revision', '+', 1) }))
      .where('id', '=', row.id)
      .where('deleted_at', 'is not', null)
      .executeTakeFirst()
    if (Number(r.numUpdatedRows) === 1) await deps.events.record(tx, changeEvent(row, 'RestoreSecret'))
  })
  return { arn: row.arn, name: row.name }
}

/** Deletes the secret row (only while `dueBy` has passed, when given) and then its versions and labels. */
async function removeSecret(tx: Kysely<Schema>, id: string, dueBy?: number): Promise<boolean> {
  let q = tx.deleteFrom('secrets').where('id', '=', id)
  if (dueBy !== undefined) q = q.where('deletion_date', '<=', dueBy)
  const r = await q.executeTakeFirst()
  if (Number(r.numDeletedRows) !== 1) return false
  await tx.deleteFrom('secret_stages').where('secret_id', '=', id).execute()
  await tx.deleteFrom('secret_versions').where('secret_id', '=', id).execute()
  return true
}

// Arca: secrets purged per transaction batch by the job (keeps each transaction short).
export const PURGE_BATCH = 100

/**
 * The scheduler's job: removes every secret whose recovery window ended by `now`, with all its
 * versions, and frees its name. Idempotent; a restore racing the purge wins or loses as a whole
 * (the delete re-checks the deletion date). Returns how many secrets were purged.
 */
export async function purgeDeletedSecrets(deps: Pick<SecretsDeps, 'db' | 'clock' | 'events'>, now = deps.clock.now()): Promise<number> {
  let purged = 0
  for (;;) {
    const due = await deps.db
      .selectFrom('secrets')
      .select(['id', 'arn', 'name', 'account', 'region'])
      .where('deletion_date', 'is not', null)
      .where('deletion_date', '<=', now)
      .orderBy('deletion_date')
      .limit(PURGE_BATCH)
      .execute()
    for (const row of due) {
      await deps.db.transaction().execute(async (tx) => {
        // Conditional on the deletion date: a restore that committed first keeps the secret.
        if (await removeSecret(tx, row.id, now)) {
          purged++
          await deps.events.record(tx, changeEvent(row, 'PurgeSecret'))
        }
      })
    }
    if (due.length < PURGE_BATCH) return purged
  }
}

