import { ArcaError, MS } from '../../core/index.ts'

// Secrets Manager quotas and input rules (botocore secretsmanager 2017-10-17 and the AWS
// Secrets Manager quotas page). The wire layer checks the shape bounds too; the service checks
// them again because the REST face has no shape table.

// AWS: Name 1–512 of ASCII letters, digits and /_+=.@-
export const MAX_NAME_LENGTH = 512
const NAME = /^[A-Za-z0-9/_+=.@-]+$/
// AWS: ClientRequestToken (= VersionId) 32–64 characters.
export const MIN_TOKEN_LENGTH = 32
export const MAX_TOKEN_LENGTH = 64
// AWS: SecretString / SecretBinary at most 65,536 bytes.
export const MAX_VALUE_BYTES = 65_536
// AWS: Description ≤ 2048 characters.
export const MAX_DESCRIPTION_LENGTH = 2048
// AWS: KmsKeyId ≤ 2048.
export const MAX_KMS_KEY_ID_LENGTH = 2048
// AWS: 50 tags per secret; key 1–128, value 0–256; `aws:` is reserved.
export const MAX_TAGS = 50
export const MAX_TAG_KEY_LENGTH = 128
export const MAX_TAG_VALUE_LENGTH = 256
// AWS: a version holds at most 20 staging labels; a label is 1–256 characters.
export const MAX_STAGES_PER_VERSION = 20
export const MAX_STAGE_LENGTH = 256
// AWS: about 100 versions are kept; deprecated ones beyond that are removed, never younger than 24 h.
export const MAX_VERSIONS = 100
export const PRUNE_MIN_AGE_MS = 24 * MS.hour
// AWS: RecoveryWindowInDays 7–30, default 30.
export const MIN_RECOVERY_DAYS = 7
export const MAX_RECOVERY_DAYS = 30
export const DEFAULT_RECOVERY_DAYS = 30
// AWS: resource policy ≤ 20,480 characters.
export const MAX_POLICY_LENGTH = 20_480
// AWS: ListSecrets / ListSecretVersionIds MaxResults 1–100; BatchGetSecretValue 1–20.
export const MAX_LIST_RESULTS = 100
export const MAX_BATCH_RESULTS = 20
// AWS: Filters ≤ 10, each with ≤ 10 values of ≤ 512 characters.
export const MAX_FILTERS = 10
export const MAX_FILTER_VALUES = 10

export const AWSCURRENT = 'AWSCURRENT'
export const AWSPREVIOUS = 'AWSPREVIOUS'
export const AWSPENDING = 'AWSPENDING'

/** The field names in these messages follow AWS's (camelCase member names). */
function validation(field: string, constraint: string, shown?: string): ArcaError {
  const value = shown === undefined ? 'Value' : `Value '${shown}'`
  return new ArcaError('Validation', `1 validation error detected: ${value} at '${field}' failed to satisfy constraint: ${constraint}`, { field })
}

export function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) throw validation('name', 'Member must have length greater than or equal to 1')
  if (name.length > MAX_NAME_LENGTH) throw validation('name', `Member must have length less than or equal to ${MAX_NAME_LENGTH}`)
  if (!NAME.test(name))
    throw new ArcaError('Validation', 'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!', { field: 'name' })
  return name
}

export function checkToken(token: unknown, field = 'clientRequestToken'): string | undefined {
  if (token === undefined || token === null) return undefined
  if (typeof token !== 'string') throw validation(field, 'Member must be a string')
  if (token.length < MIN_TOKEN_LENGTH) throw validation(field, `Member must have length greater than or equal to ${MIN_TOKEN_LENGTH}`, token)
  if (token.length > MAX_TOKEN_LENGTH) throw validation(field, `Member must have length less than or equal to ${MAX_TOKEN_LENGTH}`, token)
  return token
}

export function checkDescription(d: unknown): string | undefined {
  if (d === undefined || d === null) return undefined
  if (typeof d !== 'string') throw validation('description', 'Member must be a string')
  if (d.length > MAX_DESCRIPTION_LENGTH) throw validation('description', `Member must have length less than or equal to ${MAX_DESCRIPTION_LENGTH}`)
  return d
}

/** The key a caller named; empty or the default alias means the account's default key (NULL). */
export function checkKmsKeyId(k: unknown): string | null | undefined {
  if (k === undefined || k === null) return undefined
  if (typeof k !== 'string') throw validation('kmsKeyId', 'Member must be a string')
  if (k.length > MAX_KMS_KEY_ID_LENGTH) throw validation('kmsKeyId', `Member must have length less than or equal to ${MAX_KMS_KEY_ID_LENGTH}`)
  return k === '' || k === 'alias/aws/secretsmanager' ? null : k
}

export function checkStage(stage: unknown, field = 'versionStage'): string {
  if (typeof stage !== 'string' || stage.length === 0) throw validation(field, 'Member must have length greater than or equal to 1')
  if (stage.length > MAX_STAGE_LENGTH) throw validation(field, `Member must have length less than or equal to ${MAX_STAGE_LENGTH}`, stage)
  return stage
}

export function checkStages(stages: unknown): string[] | undefined {
  if (stages === undefined || stages === null) return undefined
  if (!Array.isArray(stages)) throw validation('versionStages', 'Member must be a list')
  if (stages.length === 0) throw validation('versionStages', 'Member must have length greater than or equal to 1')
  if (stages.length > MAX_STAGES_PER_VERSION) throw validation('versionStages', `Member must have length less than or equal to ${MAX_STAGES_PER_VERSION}`)
  return [...new Set(stages.map((s) => checkStage(s, 'versionStages')))]
}

export function checkMaxResults(n: unknown, max: number): number | undefined {
  if (n === undefined || n === null) return undefined
  if (typeof n !== 'number' || !Number.isInteger(n)) throw validation('maxResults', 'Member must be an integer')
  if (n < 1) throw validation('maxResults', 'Member must have value greater than or equal to 1', String(n))
  if (n > max) throw validation('maxResults', `Member must have value less than or equal to ${max}`, String(n))
  return n
}
