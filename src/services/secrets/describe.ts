import { ArcaError } from '../../core/index.ts'
import type { Caller } from '../../kms/index.ts'
import { type SecretsDeps, authorizeOn, parseStages } from './context.ts'
import { MAX_LIST_RESULTS, checkMaxResults } from './limits.ts'
import { type SecretRow, findSecret } from './resolve.ts'
import { scanSecrets } from './scan.ts'
import { type Tag, tagsOut } from './tags.ts'

/** DescribeSecret's fields (ListSecrets names the version map `secretVersionsToStages`). */
export interface SecretDescription {
  arn: string
  name: string
  description?: string
  kmsKeyId?: string
  rotationEnabled: boolean
  rotationLambdaARN?: string
  rotationRules?: { automaticallyAfterDays?: number; duration?: string; scheduleExpression?: string }
  lastRotatedDate?: number
  lastChangedDate: number
  lastAccessedDate?: number
  deletedDate?: number
  nextRotationDate?: number
  tags?: Tag[]
  versionIdsToStages?: Record<string, string[]>
  owningService?: string
  createdDate: number
  primaryRegion: string
}

function rules(json: string | null): SecretDescription['rotationRules'] {
  if (!json) return undefined
  const r = JSON.parse(json) as { AutomaticallyAfterDays?: number; Duration?: string; ScheduleExpression?: string }
  return {
    ...(r.AutomaticallyAfterDays !== undefined ? { automaticallyAfterDays: r.AutomaticallyAfterDays } : {}),
    ...(r.Duration !== undefined ? { duration: r.Duration } : {}),
    ...(r.ScheduleExpression !== undefined ? { scheduleExpression: r.ScheduleExpression } : {}),
  }
}

/** A secret's metadata as AWS returns it; with the default key KmsKeyId is omitted (AWS-API.md §5.1). */
export function describeRow(row: SecretRow, stages: Map<string, string[]>): SecretDescription {
  const tags = tagsOut(row.tags)
  const out: SecretDescription = {
    arn: row.arn,
    name: row.name,
    rotationEnabled: row.rotation_enabled === 1,
    lastChangedDate: row.last_changed_at,
    createdDate: row.created_at,
    primaryRegion: row.primary_region,
  }
  if (row.description !== null) out.description = row.description
  if (row.kms_key_id !== null) out.kmsKeyId = row.kms_key_id
  if (row.rotation_lambda_arn !== null) out.rotationLambdaARN = row.rotation_lambda_arn
  const r = rules(row.rotation_rules)
  if (r) out.rotationRules = r
  if (row.last_rotated_at !== null) out.lastRotatedDate = row.last_rotated_at
  if (row.last_accessed_at !== null) out.lastAccessedDate = row.last_accessed_at
  if (row.deleted_at !== null) out.deletedDate = row.deleted_at
  if (row.next_rotation_at !== null && row.rotation_enabled === 1) out.nextRotationDate = row.next_rotation_at
  if (tags.length) out.tags = tags
  if (stages.size) out.versionIdsToStages = Object.fromEntries(stages)
  if (row.owning_service !== null) out.owningService = row.owning_service
  return out
}

/** Labelled versions of some secrets: secret id → (version id → labels). */
async function labelledVersions(deps: Pick<SecretsDeps, 'db'>, ids: string[]): Promise<Map<string, Map<string, string[]>>> {
  const out = new Map<string, Map<string, string[]>>(ids.map((id) => [id, new Map()]))
  if (ids.length === 0) return out
  const rows = await deps.db
    .selectFrom('secret_versions')
    .select(['secret_id', 'version_id', 'stages'])
    .where('secret_id', 'in', ids)
    .where('stages', '!=', '[]')
    .orderBy('created_at')
    .execute()
  for (const r of rows) out.get(r.secret_id)!.set(r.version_id, parseStages(r.stages))
  return out
}

export async function describeSecret(deps: SecretsDeps, caller: Caller, input: { secretId: string }): Promise<SecretDescription> {
  const row = await findSecret(deps.db, caller, input.secretId)
  await authorizeOn(deps, caller, 'DescribeSecret', row)
  return describeRow(row, (await labelledVersions(deps, [row.id])).get(row.id)!)
}

export interface ListSecretsInput {
  includePlannedDeletion?: boolean
  maxResults?: number
  nextToken?: string
  filters?: { key: string; values: string[] }[]
  sortOrder?: string
  sortBy?: string
}

export type SecretListEntry = Omit<SecretDescription, 'versionIdsToStages'> & { secretVersionsToStages?: Record<string, string[]> }

export async function listSecrets(deps: SecretsDeps, caller: Caller, input: ListSecretsInput): Promise<{ secretList: SecretListEntry[]; nextToken?: string }> {
  const limit = checkMaxResults(input.maxResults, MAX_LIST_RESULTS) ?? MAX_LIST_RESULTS
  await deps.authorize(caller, 'secretsmanager:ListSecrets', '*')
  const page = await scanSecrets(deps, caller, { ...input, limit })
  const versions = await labelledVersions(deps, page.rows.map((r) => r.id))
  const secretList = page.rows.map((row) => {
    const { versionIdsToStages, ...rest } = describeRow(row, versions.get(row.id)!)
    return { ...rest, ...(versionIdsToStages ? { secretVersionsToStages: versionIdsToStages } : {}) }
  })
  return { secretList, ...(page.nextToken ? { nextToken: page.nextToken } : {}) }
}

export interface VersionEntry {
  versionId: string
  versionStages?: string[]
  lastAccessedDate?: number
  createdDate: number
  kmsKeyIds?: string[]
}

/** ListSecretVersionIds: newest first; unlabelled (deprecated) versions only with IncludeDeprecated. */
export async function listSecretVersionIds(
  deps: SecretsDeps,
  caller: Caller,
  input: { secretId: string; maxResults?: number; nextToken?: string; includeDeprecated?: boolean },
): Promise<{ versions: VersionEntry[]; arn: string; name: string; nextToken?: string }> {
  const limit = checkMaxResults(input.maxResults, MAX_LIST_RESULTS) ?? MAX_LIST_RESULTS
  const row = await findSecret(deps.db, caller, input.secretId)
  await authorizeOn(deps, caller, 'ListSecretVersionIds', row)
  let offset = 0
  if (input.nextToken !== undefined && input.nextToken !== null) {
    const m = /^v1\.(\d{1,9})$/.exec(input.nextToken)
    if (!m) throw new ArcaError('InvalidMarker', 'The NextToken value is not valid.', { field: 'nextToken' })
    offset = Number(m[1])
  }
  let q = deps.db
    .selectFrom('secret_versions')
    .select(['version_id', 'stages', 'last_accessed_at', 'created_at', 'kms_key_arn', 'default_key', 'kind'])
    .where('secret_id', '=', row.id)
  if (!input.includeDeprecated) q = q.where('stages', '!=', '[]')
  const rows = await q.orderBy('created_at', 'desc').orderBy('version_id', 'desc').limit(limit + 1).offset(offset).execute()
  const versions = rows.slice(0, limit).map((v) => {
    const stages = parseStages(v.stages)
    const e: VersionEntry = { versionId: v.version_id, createdDate: v.created_at }
    if (stages.length) e.versionStages = stages
    if (v.last_accessed_at !== null) e.lastAccessedDate = v.last_accessed_at
    if (v.kind !== null) e.kmsKeyIds = [v.default_key === 1 ? 'DefaultEncryptionKey' : (v.kms_key_arn ?? 'DefaultEncryptionKey')]
    return e
  })
  return { versions, arn: row.arn, name: row.name, ...(rows.length > limit ? { nextToken: `v1.${offset + limit}` } : {}) }
}
