import { ArcaError, uuid } from '../../core/index.ts'
import type { Caller } from '../../kms/index.ts'
import { type SecretsDeps, authorizeOn, changeEvent } from './context.ts'
import { sealVersion } from './envelope.ts'
import { checkDescription, checkKmsKeyId, checkStages, checkToken } from './limits.ts'
import { type SecretRow, findSecret, requireNotDeleted } from './resolve.ts'
import { type SecretValue, valueOf, wipe } from './value.ts'
import { isUniqueViolation, lockSecret, tokenState, writeVersion } from './versions.ts'

export interface PutSecretValueInput {
  secretId: string
  clientRequestToken?: string
  secretString?: string
  secretBinary?: Uint8Array
  versionStages?: string[]
  rotationToken?: string
  /** REST `If-Match`: write only while AWSCURRENT is this version (PreconditionNotMet otherwise). */
  expectCurrentVersionId?: string
}

export interface PutSecretValueOutput {
  arn: string
  name: string
  versionId: string
  versionStages: string[]
}

export async function putSecretValue(deps: SecretsDeps, caller: Caller, input: PutSecretValueInput): Promise<PutSecretValueOutput> {
  const stages = checkStages(input.versionStages)
  const token = checkToken(input.clientRequestToken) ?? uuid()
  const value = valueOf(input)
  try {
    if (!value) throw new ArcaError('InvalidParameter', 'You must provide either SecretString or SecretBinary.', { field: 'secretString' })
    const row = await findSecret(deps.db, caller, input.secretId)
    await authorizeOn(deps, caller, 'PutSecretValue', row, stages ? { 'secretsmanager:VersionStage': stages } : undefined)
    requireNotDeleted(row)
    return await addVersion(deps, caller, row, token, value, stages, 'PutSecretValue', {}, input.expectCurrentVersionId)
  } finally {
    wipe(value)
  }
}

/** Seals outside the transaction, then writes; a racing writer of the same token is answered as a retry. */
export async function addVersion(
  deps: SecretsDeps,
  caller: Caller,
  row: SecretRow,
  token: string,
  value: SecretValue,
  stages: string[] | undefined,
  operation: string,
  /** Metadata changes written in the same transaction (UpdateSecret). */
  changes: { description?: string; kms_key_id?: string | null } = {},
  expectCurrentVersionId?: string,
): Promise<PutSecretValueOutput> {
  const state = await tokenState(deps, caller, row, token, value)
  if (state.state === 'same') return { arn: row.arn, name: row.name, versionId: token, versionStages: state.stages }
  const sealed = await sealVersion(deps.kms, caller, { arn: row.arn, account: row.account, region: row.region, kmsKeyId: row.kms_key_id }, token, value)
  let written: string[]
  try {
    written = await deps.db.transaction().execute(async (tx) => {
      const now = deps.clock.now()
      await lockSecret(tx, row.id, now)
      if (Object.keys(changes).length) await tx.updateTable('secrets').set(changes).where('id', '=', row.id).execute()
      const w = await writeVersion(tx, row.id, now, { versionId: token, kind: value.kind, sealed, stages, fill: state.state === 'empty', expectCurrentVersionId })
      await deps.expiry?.versionWritten(tx, row, now)
      await deps.events.record(tx, changeEvent(row, operation, { versionId: token, versionStages: w.stages, ...(w.pruned.length ? { prunedVersionIds: w.pruned } : {}) }))
      return w.stages
    })
  } catch (e) {
    if (!(isUniqueViolation(e) || (e instanceof ArcaError && e.code === 'Conflict'))) throw e
    const again = await tokenState(deps, caller, row, token, value)
    if (again.state === 'same') return { arn: row.arn, name: row.name, versionId: token, versionStages: again.stages }
    throw e
  }
  return { arn: row.arn, name: row.name, versionId: token, versionStages: written }
}

export interface UpdateSecretInput {
  secretId: string
  clientRequestToken?: string
  description?: string
  kmsKeyId?: string
  secretString?: string
  secretBinary?: Uint8Array
}

/** Description and/or KmsKeyId, and a new AWSCURRENT version only when a value is given. */
export async function updateSecret(deps: SecretsDeps, caller: Caller, input: UpdateSecretInput): Promise<{ arn: string; name: string; versionId?: string }> {
  const description = checkDescription(input.description)
  const kmsKeyId = checkKmsKeyId(input.kmsKeyId)
  const token = checkToken(input.clientRequestToken) ?? uuid()
  const value = valueOf(input)
  try {
    let row = await findSecret(deps.db, caller, input.secretId)
    await authorizeOn(deps, caller, 'UpdateSecret', row, kmsKeyId ? { 'secretsmanager:KmsKeyId': kmsKeyId } : undefined)
    requireNotDeleted(row)
    const changes = { ...(description !== undefined ? { description } : {}), ...(kmsKeyId !== undefined ? { kms_key_id: kmsKeyId } : {}) }
    const detail = { ...(description !== undefined ? { descriptionChanged: true } : {}), ...(kmsKeyId !== undefined ? { kmsKeyId: kmsKeyId ?? 'DefaultEncryptionKey' } : {}) }
    row = { ...row, ...changes }
    if (value) {
      // One transaction for the metadata and the new version: a KMS failure changes nothing.
      const out = await addVersion(deps, caller, row, token, value, undefined, 'UpdateSecret', changes)
      return { arn: out.arn, name: out.name, versionId: out.versionId }
    }
    if (Object.keys(changes).length) {
      await deps.db.transaction().execute(async (tx) => {
        await lockSecret(tx, row.id, deps.clock.now())
        await tx.updateTable('secrets').set(changes).where('id', '=', row.id).execute()
        await deps.events.record(tx, changeEvent(row, 'UpdateSecret', detail))
      })
    }
    return { arn: row.arn, name: row.name }
  } finally {
    wipe(value)
  }
}
