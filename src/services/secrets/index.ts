/**
 * Secrets: AWS Secrets Manager semantics over the KMS core.
 *
 * Secrets are named per account and Region with ARNs `…:secret:{name}-{6 random}`; a SecretId
 * is a name, a full ARN or a partial ARN. Each version's value is sealed with AES-256-GCM under
 * its own data key from the KMS core (encryption context {SecretARN, SecretVersionId}, calls
 * made with `kms:ViaService = secretsmanager.{region}.amazonaws.com`), AAD = ARN + version id.
 * Staging labels live once per secret (`secret_stages` primary key); every write locks the
 * secret row first, so racing writers serialise. Deleted secrets wait out a 7–30 day recovery
 * window; `purgeDeletedSecrets(now)` is the scheduler job that removes them.
 *
 * Events: source `aws.secretsmanager`, detail-type "Secrets Manager Secret Change", detail
 * {operation, secretArn, name, …} with operation one of CreateSecret, PutSecretValue,
 * UpdateSecret, UpdateSecretVersionStage, DeleteSecret, RestoreSecret, PurgeSecret,
 * TagResource, UntagResource, PutResourcePolicy, DeleteResourcePolicy — never a value.
 *
 * tables: secrets, secret_versions, secret_stages.
 */
export { createSecrets, type Secrets, type SecretsOperations, type SecretsOperationName } from './secrets.ts'
export { type SecretsDeps, CHANGE_EVENT } from './context.ts'
export type { SecretsKms } from './envelope.ts'
export { purgeDeletedSecrets, PURGE_BATCH } from './delete.ts'
export type { BatchError } from './batch.ts'
export {
  AWSCURRENT,
  AWSPENDING,
  AWSPREVIOUS,
  DEFAULT_RECOVERY_DAYS,
  MAX_RECOVERY_DAYS,
  MIN_RECOVERY_DAYS,
  MAX_VALUE_BYTES,
  MAX_VERSIONS,
  MAX_STAGES_PER_VERSION,
  PRUNE_MIN_AGE_MS,
} from './limits.ts'
export { DEFAULT_PASSWORD_LENGTH, PUNCTUATION } from './password.ts'
// For services/rotation (the one named service edge): finding a secret, its authorization
// question, and writing its labels under the row lock, so that rotation follows the same rules.
export { findSecret, requireNotDeleted, type SecretRow } from './resolve.ts'
export { authorizeOn, changeEvent } from './context.ts'
export { lockSecret } from './versions.ts'
export { loadLabels, saveLabels, attach, detach } from './labels.ts'
// For services/expiry: the delete-with-recovery-window action.
export { scheduleDeletionInTx, secretLive } from './expire.ts'
