import type { Kysely } from 'kysely'
import { ArcaError } from '../../core/index.ts'
import type { Schema } from '../../store/index.ts'
import { AWSCURRENT, AWSPENDING, type SecretRow, attach, loadLabels, lockSecret, saveLabels } from '../secrets/index.ts'

/**
 * The start of a rotation (AWS-API.md §5.4 "Sequence"): the version `token` is created without a
 * value and labelled AWSPENDING, so that the plugin's steps find it (the AWS templates fail a step
 * whose token is not a version). Runs inside the caller's transaction, under the secret's row lock.
 *
 * When AWSPENDING already sits on a version other than AWSCURRENT's, a previous rotation never
 * ended: that version is returned (`adopted`) and the rotation is reattempted with it, as AWS does.
 */
export async function startPendingVersion(tx: Kysely<Schema>, row: Pick<SecretRow, 'id'>, token: string, now: number): Promise<{ token: string; adopted: boolean }> {
  await lockSecret(tx, row.id, now)
  const labels = await loadLabels(tx, row.id)
  const current = labels.get(AWSCURRENT)
  const pending = labels.get(AWSPENDING)
  if (current === undefined) throw new ArcaError('InvalidRequest', 'The secret has no AWSCURRENT version to rotate: give it a value first.')
  if (pending !== undefined && pending !== current && pending !== token) return { token: pending, adopted: true }
  if (token === current) throw new ArcaError('InvalidRequest', `The ClientRequestToken ${token} is the AWSCURRENT version; a rotation needs a new version id.`)
  if (pending === token) return { token, adopted: false }
  const existing = await tx.selectFrom('secret_versions').select('version_id').where('secret_id', '=', row.id).where('version_id', '=', token).executeTakeFirst()
  if (!existing) {
    await tx
      .insertInto('secret_versions')
      .values({ secret_id: row.id, version_id: token, created_at: now, last_accessed_at: null, stages: '[]', kind: null, data_key: null, value: null, kms_key_arn: null, default_key: 0 })
      .execute()
  }
  await saveLabels(tx, row.id, labels, attach(labels, token, [AWSPENDING]))
  return { token, adopted: false }
}
