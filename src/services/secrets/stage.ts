import { ArcaError } from '../../core/index.ts'
import type { Caller } from '../../kms/index.ts'
import { type SecretsDeps, authorizeOn, changeEvent } from './context.ts'
import { type Labels, attach, detach, loadLabels, saveLabels } from './labels.ts'
import { AWSCURRENT, checkStage, checkToken } from './limits.ts'
import { findSecret, requireNotDeleted } from './resolve.ts'
import { lockSecret } from './versions.ts'

export interface UpdateSecretVersionStageInput {
  secretId: string
  versionStage: string
  removeFromVersionId?: string
  moveToVersionId?: string
}

/**
 * The rules of UpdateSecretVersionStage (AWS-API.md §5.3), as a pure function of the current
 * labels: a label attached elsewhere moves only when RemoveFromVersionId names its holder;
 * RemoveFromVersionId alone detaches; AWSCURRENT can move but never be removed; moving
 * AWSCURRENT gives the version it left AWSPREVIOUS.
 */
export function moveStage(labels: Labels, stage: string, moveTo: string | undefined, removeFrom: string | undefined, versionExists: (id: string) => boolean): Labels {
  if (moveTo === undefined && removeFrom === undefined)
    throw new ArcaError('InvalidParameter', 'You must specify MoveToVersionId, RemoveFromVersionId, or both.', { field: 'moveToVersionId' })
  const holder = labels.get(stage)
  if (moveTo !== undefined && !versionExists(moveTo))
    throw new ArcaError('NotFound', `Secrets Manager can't find the specified secret version: ${moveTo}`)
  if (removeFrom !== undefined && holder !== removeFrom) {
    if (holder === undefined && moveTo !== undefined) {
      // Nothing to remove: AWS accepts this and only attaches.
    } else
      throw new ArcaError(
        'InvalidParameter',
        holder === undefined
          ? `The staging label ${stage} is not attached to version ${removeFrom}.`
          : `Staging label ${stage} is currently attached to version ${holder}, not to version ${removeFrom} given in RemoveFromVersionId.`,
        { field: 'removeFromVersionId' },
      )
  }
  if (moveTo === undefined) {
    if (stage === AWSCURRENT)
      throw new ArcaError('InvalidParameter', 'You can only move staging label AWSCURRENT to a different secret version. It can’t be completely removed.', { field: 'removeFromVersionId' })
    return detach(labels, stage)
  }
  if (holder === moveTo) return labels
  if (holder !== undefined && removeFrom === undefined)
    throw new ArcaError(
      'InvalidParameter',
      `The parameter RemoveFromVersionId can't be empty. Staging label ${stage} is currently attached to version ${holder}, so you must explicitly reference that version in RemoveFromVersionId.`,
      { field: 'removeFromVersionId' },
    )
  return attach(labels, moveTo, [stage])
}

export async function updateSecretVersionStage(deps: SecretsDeps, caller: Caller, input: UpdateSecretVersionStageInput): Promise<{ arn: string; name: string }> {
  const stage = checkStage(input.versionStage)
  const moveTo = checkToken(input.moveToVersionId, 'moveToVersionId')
  const removeFrom = checkToken(input.removeFromVersionId, 'removeFromVersionId')
  const row = await findSecret(deps.db, caller, input.secretId)
  await authorizeOn(deps, caller, 'UpdateSecretVersionStage', row, { 'secretsmanager:VersionStage': stage })
  requireNotDeleted(row)
  await deps.db.transaction().execute(async (tx) => {
    const now = deps.clock.now()
    await lockSecret(tx, row.id, now)
    const before = await loadLabels(tx, row.id)
    const exists = moveTo === undefined ? [] : await tx.selectFrom('secret_versions').select('version_id').where('secret_id', '=', row.id).where('version_id', '=', moveTo).execute()
    const after = moveStage(before, stage, moveTo, removeFrom, () => exists.length === 1)
    if (after === before) return
    await saveLabels(tx, row.id, before, after)
    await tx.updateTable('secrets').set({ last_changed_at: now }).where('id', '=', row.id).execute()
    await deps.events.record(
      tx,
      changeEvent(row, 'UpdateSecretVersionStage', { versionStage: stage, ...(moveTo ? { moveToVersionId: moveTo } : {}), ...(removeFrom ? { removeFromVersionId: removeFrom } : {}) }),
    )
  })
  return { arn: row.arn, name: row.name }
}
