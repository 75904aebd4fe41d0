import { ArcaError, MS, validationError } from '../../core/index.ts'
import { type KmsContext, authorize } from '../context-deps.ts'
import { grantStoreOf } from '../grants/store.ts'
import type { Caller, KeyState } from '../types.ts'
import { mustUpdate } from './lifecycle.ts'
import { fromRow } from './record.ts'
import { resolveKey } from './resolve.ts'
import { requireState } from './states.ts'

// AWS: PendingWindowInDays 7–30, default 30.
export const MIN_DELETION_WINDOW_DAYS = 7
export const MAX_DELETION_WINDOW_DAYS = 30

export async function scheduleKeyDeletion(
  ctx: KmsContext,
  caller: Caller,
  input: { keyId: string; pendingWindowInDays?: number },
): Promise<{ keyId: string; deletionDate?: Date; keyState: KeyState; pendingWindowInDays: number }> {
  const { key } = await resolveKey(ctx.store, caller, input.keyId, { allowAlias: false })
  const days = input.pendingWindowInDays ?? MAX_DELETION_WINDOW_DAYS
  if (!Number.isInteger(days) || days < MIN_DELETION_WINDOW_DAYS)
    throw validationError('pendingWindowInDays', days, `Member must have value greater than or equal to ${MIN_DELETION_WINDOW_DAYS}`)
  if (days > MAX_DELETION_WINDOW_DAYS) throw validationError('pendingWindowInDays', days, `Member must have value less than or equal to ${MAX_DELETION_WINDOW_DAYS}`)
  await authorize(ctx, caller, 'kms:ScheduleKeyDeletion', key, { conditions: { 'kms:ScheduleKeyDeletionPendingWindowInDays': days } })
  if (key.keyManager === 'AWS') throw new ArcaError('UnsupportedOperation', `${key.arn} is an AWS managed key, which cannot be deleted.`)
  requireState(key, 'schedule-deletion')
  // AWS: a multi-Region primary with replicas waits in PendingReplicaDeletion, without a
  // deletion date, until its last replica is deleted; then its own waiting period begins.
  if (key.multiRegion && key.primaryRegion === key.region && (await ctx.store.allRegions(key.id)).some((r) => r.region !== key.region)) {
    await mustUpdate(ctx, key, { state: 'PendingReplicaDeletion', deletionDate: null, pendingWindowDays: days })
    return { keyId: key.arn, keyState: 'PendingReplicaDeletion', pendingWindowInDays: days }
  }
  const deletionDate = ctx.clock.now() + days * MS.day
  await mustUpdate(ctx, key, { state: 'PendingDeletion', deletionDate, pendingWindowDays: days })
  return { keyId: key.arn, deletionDate: new Date(deletionDate), keyState: 'PendingDeletion', pendingWindowInDays: days }
}

/** AWS: a key whose deletion is cancelled comes back Disabled, not Enabled. */
export async function cancelKeyDeletion(ctx: KmsContext, caller: Caller, input: { keyId: string }): Promise<{ keyId: string }> {
  const { key } = await resolveKey(ctx.store, caller, input.keyId, { allowAlias: false })
  await authorize(ctx, caller, 'kms:CancelKeyDeletion', key)
  requireState(key, 'cancel-deletion')
  await mustUpdate(ctx, key, { state: 'Disabled', deletionDate: null, pendingWindowDays: null })
  return { keyId: key.arn }
}

/**
 * The scheduler's job: deletes every key whose window has ended, with its aliases, tags and
 * (once no region holds the key any more) its material. Idempotent; catches up after downtime.
 */
export async function deleteDueKeys(ctx: KmsContext, now: number = ctx.clock.now()): Promise<number> {
  const due = await ctx.db
    .selectFrom('kms_keys')
    .selectAll()
    .where('state', '=', 'PendingDeletion')
    .where('deletion_date', '<=', now)
    .execute()
  let deleted = 0
  for (const row of due) {
    const key = fromRow(row)
    const released: string[] = []
    const gone = await ctx.db.transaction().execute(async (tx) => {
      const res = await tx
        .deleteFrom('kms_keys')
        .where('region', '=', key.region)
        .where('id', '=', key.id)
        .where('revision', '=', key.revision)
        .executeTakeFirst()
      if (Number(res.numDeletedRows) !== 1) return false
      await tx.deleteFrom('kms_aliases').where('region', '=', key.region).where('key_id', '=', key.id).execute()
      await tx.deleteFrom('kms_tags').where('region', '=', key.region).where('key_id', '=', key.id).execute()
      await tx.deleteFrom('kms_import_tokens').where('region', '=', key.region).where('key_id', '=', key.id).execute()
      await tx.deleteFrom('kms_grants').where('region', '=', key.region).where('key_id', '=', key.id).execute()
      const others = await tx.selectFrom('kms_keys').select(['region', 'state', 'pending_window_days', 'revision']).where('id', '=', key.id).execute()
      if (others.length === 0) await tx.deleteFrom('kms_key_material').where('key_id', '=', key.id).execute()
      // The last replica is gone: a primary that waited for it starts its own waiting period now.
      const primary = others.length === 1 && others[0].state === 'PendingReplicaDeletion' ? others[0] : undefined
      if (primary) {
        await tx
          .updateTable('kms_keys')
          .set({ state: 'PendingDeletion', deletion_date: now + (primary.pending_window_days ?? MAX_DELETION_WINDOW_DAYS) * MS.day, revision: primary.revision + 1 })
          .where('region', '=', primary.region)
          .where('id', '=', key.id)
          .where('revision', '=', primary.revision)
          .execute()
        released.push(primary.region)
      }
      await ctx.recordEvent(tx, {
        detailType: 'KMS CMK Deletion',
        account: key.account,
        region: key.region,
        resources: [key.arn],
        detail: { 'key-id': key.id },
      })
      return true
    })
    ctx.store.invalidate(key.region, key.id)
    for (const region of released) ctx.store.invalidate(region, key.id)
    grantStoreOf(ctx).invalidate(key.region, key.id)
    if (gone) {
      await ctx.store.deleteMaterialCache(key.id)
      deleted++
    }
  }
  return deleted
}
