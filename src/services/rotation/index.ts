/**
 * Rotation: AWS Secrets Manager rotation with plugins in `plugins/` in place of Lambda functions.
 *
 * RotateSecret saves a secret's plugin and schedule and (by default) starts a rotation: an empty
 * version labelled AWSPENDING, then the plugin's four steps createSecret, setSecret, testSecret,
 * finishSecret, run by the host in order, each in an isolated worker thread under a time limit,
 * with a Secrets Manager client limited to that secret (contract.ts). A failed step leaves
 * AWSCURRENT alone and the pending version in place; the attempt is recorded (sanitised error
 * text), a RotationFailed event goes to the outbox, and the rotation is retried with backoff.
 * The in-flight step is stored, so a server that dies mid-rotation resumes at that step; a lease
 * per secret keeps two nodes from running one rotation at once. The scheduler job starts due
 * rotations inside their windows (AutomaticallyAfterDays, rate(), AWS cron(), Duration).
 *
 * Events: source `aws.secretsmanager`, detail-type "Secrets Manager Secret Rotation", detail
 * {eventName: RotationStarted | RotationSucceeded | RotationFailed | RotationAbandoned, secretArn,
 * name, versionId, …} — never a value.
 *
 * tables: secret_rotations, secret_rotation_attempts (and the rotation columns of secrets).
 */
export { createRotation, type Rotation, type RotationDeps } from './rotation.ts'
export { rotationJob, ROTATION_JOB_NAME, ROTATION_JOB_INTERVAL_MS } from './job.ts'
export { type RotationHost, type AttemptResult, MAX_ATTEMPTS, RETRY_BASE_MS, RETRY_CAP_MS, retryDelay } from './host.ts'
export { type RotationStatus, type RotateSecretInput, PREVIOUS_ROTATION_INCOMPLETE } from './ops.ts'
export { type RotationAttempt, type StepRecord, type AttemptOutcome, type AttemptTrigger, MAX_HISTORY_PAGE, DEFAULT_HISTORY_PAGE } from './history.ts'
export { type RotationRules, type RotationSchedule, parseRotationRules, windowFor, MIN_ROTATION_INTERVAL_MS, MIN_ROTATION_DAYS, MAX_ROTATION_DAYS } from './schedule.ts'
export { ROTATION_EVENT, type RotationEventName } from './events.ts'
export { Sanitiser, REDACTED, MAX_ERROR_CHARS } from './sanitise.ts'
export { DEFAULT_STEP_TIMEOUT_MS, MAX_STEP_TIMEOUT_MS, CONFIG_TAG_PREFIX, pluginNameOf } from './plugins.ts'
export { BOOT_TIMEOUT_MS } from './runner.ts'
export {
  ROTATION_STEPS,
  type RotationStep,
  type RotationEvent,
  type RotationContext,
  type RotationHandler,
  type RotationSecretsClient,
  type RotationConfig,
  type RotationLogger,
} from './contract.ts'
