import { ArcaError } from '../../core/index.ts'
import type { Caller } from '../../kms/index.ts'
import { type SecretsDeps, authorizeOn, dayOf, parseStages } from './context.ts'
import { openVersion } from './envelope.ts'
import { AWSCURRENT, checkStage } from './limits.ts'
import { readVersionRows } from './read-query.ts'
import { notFound, parseSecretId, pick, requireNotDeleted } from './resolve.ts'
import { valueMembers, wipe } from './value.ts'

export interface GetSecretValueInput {
  secretId: string
  versionId?: string
  versionStage?: string
}

export interface GetSecretValueOutput {
  arn: string
  name: string
  versionId: string
  secretString?: string
  secretBinary?: Uint8Array
  versionStages: string[]
  createdDate: number
}

/**
 * GetSecretValue, the hot path: one indexed query finds the secret and the asked-for version
 * together (by label through `secret_stages`, or by id), then one in-process KMS Decrypt of the
 * version's data key. LastAccessedDate is written at most once per day per secret.
 */
export async function getSecretValue(deps: SecretsDeps, caller: Caller, input: GetSecretValueInput): Promise<GetSecretValueOutput> {
  const versionId = input.versionId ?? undefined
  const stage = input.versionStage === undefined || input.versionStage === null ? undefined : checkStage(input.versionStage)
  const lookup = parseSecretId(caller, input.secretId)
  if (!lookup) throw notFound()
  const wantedStage = stage ?? (versionId === undefined ? AWSCURRENT : undefined)

  const row = pick(await readVersionRows(deps.db, lookup, caller.region, versionId, wantedStage), lookup)
  if (!row) throw notFound()
  await authorizeOn(deps, caller, 'GetSecretValue', row, wantedStage ? { 'secretsmanager:VersionStage': wantedStage } : undefined)
  requireNotDeleted(row)

  const missing = () =>
    new ArcaError(
      'NotFound',
      versionId !== undefined
        ? `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`
        : `Secrets Manager can't find the specified secret value for staging label: ${wantedStage}`,
    )
  if (row.version_id === null || row.version_id === undefined) throw missing()
  const stages = parseStages(row.stages!)
  if (versionId !== undefined && stage !== undefined && !stages.includes(stage))
    throw new ArcaError('InvalidRequest', 'You provided a VersionStage that is not associated to the provided VersionId.')
  if (row.value === null || row.data_key === null || row.kind === null) throw missing()
  await deps.expiry?.beforeRead(row, deps.clock.now())

  const value = await openVersion(deps.kms, caller, row, { versionId: row.version_id, kind: row.kind, dataKey: row.data_key, value: row.value })
  try {
    await touch(deps, row.id, row.version_id, row.secret_accessed, row.version_accessed)
    return { arn: row.arn, name: row.name, versionId: row.version_id, ...valueMembers(value), versionStages: stages, createdDate: row.created_at! }
  } finally {
    if (value.kind === 'string') wipe(value)
  }
}

/** LastAccessedDate (secret and version), day granularity: a write only when the day changed. */
async function touch(deps: SecretsDeps, secretId: string, versionId: string, secretAccessed: number | null, versionAccessed: number | null | undefined): Promise<void> {
  const today = dayOf(deps.clock.now())
  if (secretAccessed !== today) {
    await deps.db
      .updateTable('secrets')
      .set({ last_accessed_at: today })
      .where('id', '=', secretId)
      .where((eb) => eb.or([eb('last_accessed_at', 'is', null), eb('last_accessed_at', '<', today)]))
      .execute()
  }
  if (versionAccessed !== today) {
    await deps.db
      .updateTable('secret_versions')
      .set({ last_accessed_at: today })
      .where('secret_id', '=', secretId)
      .where('version_id', '=', versionId)
      .where((eb) => eb.or([eb('last_accessed_at', 'is', null), eb('last_accessed_at', '<', today)]))
      .execute()
  }
}
