/**
 * The rotation plugin contract: what a plugin in `plugins/<name>/index.ts` imports.
 *
 * A plugin exports `handler(event, context)`, the same shape as an AWS Secrets Manager rotation
 * Lambda written in Node: the event is the Lambda rotation event, and `context.secrets` answers
 * the Secrets Manager calls a rotation function makes, with AWS's member names and exception
 * names (`ResourceNotFoundException`, …). The host calls the four steps in order, each under a
 * time limit, in an isolated worker; `context.secrets` reaches only the secret being rotated
 * (and, read-only, the superuser secret its value names as `masterarn`), and PutSecretValue
 * only writes the AWSPENDING version of this rotation.
 *
 * Porting an AWS Lambda: replace `client.send(new GetSecretValueCommand(input))` with
 * `context.secrets.getSecretValue(input)` (and likewise for the other four calls); the event,
 * the inputs, the outputs and the error names are unchanged.
 */
export { checkRotationStep, finishRotation, generatePendingSecret } from './template.ts'

/** AWS's four rotation steps, in the order the host runs them. */
export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const
export type RotationStep = (typeof ROTATION_STEPS)[number]

/** The Lambda rotation event (AWS-API.md §5.4). */
export interface RotationEvent {
  Step: RotationStep
  /** The ARN of the secret being rotated. */
  SecretId: string
  /** The version being rotated in (it holds AWSPENDING). */
  ClientRequestToken: string
  /** Opaque; echo it as PutSecretValue's RotationToken. */
  RotationToken: string
}

export interface RotationLogger {
  debug(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

export interface SecretValueResponse {
  ARN: string
  Name: string
  VersionId: string
  SecretString?: string
  SecretBinary?: Uint8Array
  VersionStages: string[]
  CreatedDate: Date
}

export interface DescribeSecretResponse {
  ARN: string
  Name: string
  Description?: string
  RotationEnabled: boolean
  RotationLambdaARN?: string
  RotationRules?: { AutomaticallyAfterDays?: number; ScheduleExpression?: string; Duration?: string }
  LastRotatedDate?: Date
  LastChangedDate?: Date
  NextRotationDate?: Date
  Tags?: { Key: string; Value: string }[]
  VersionIdsToStages?: Record<string, string[]>
  CreatedDate?: Date
}

export interface GetRandomPasswordRequest {
  PasswordLength?: number
  ExcludeCharacters?: string
  ExcludeNumbers?: boolean
  ExcludePunctuation?: boolean
  ExcludeUppercase?: boolean
  ExcludeLowercase?: boolean
  IncludeSpace?: boolean
  RequireEachIncludedType?: boolean
}

/** A Secrets Manager client limited to the secret being rotated. Errors carry AWS's exception `name`. */
export interface RotationSecretsClient {
  getSecretValue(input: { SecretId: string; VersionId?: string; VersionStage?: string }): Promise<SecretValueResponse>
  putSecretValue(input: {
    SecretId: string
    ClientRequestToken: string
    SecretString?: string
    SecretBinary?: Uint8Array
    VersionStages?: string[]
    RotationToken?: string
  }): Promise<{ ARN: string; Name: string; VersionId: string; VersionStages: string[] }>
  describeSecret(input: { SecretId: string }): Promise<DescribeSecretResponse>
  updateSecretVersionStage(input: { SecretId: string; VersionStage: string; MoveToVersionId?: string; RemoveFromVersionId?: string }): Promise<{ ARN: string; Name: string }>
  getRandomPassword(input?: GetRandomPasswordRequest): Promise<{ RandomPassword: string }>
}

/** A plugin's configuration: defaults from its package.json, then its config.json, then the secret's `rotation:<key>` tags. */
export type RotationConfig = Readonly<Record<string, string | number | boolean>>

export interface RotationContext {
  logger: RotationLogger
  secrets: RotationSecretsClient
  config: RotationConfig
  /** Lambda's: milliseconds left before this step's time limit. */
  getRemainingTimeInMillis(): number
}

export type RotationHandler = (event: RotationEvent, context: RotationContext) => Promise<void>

/** An error from `context.secrets`, named like the AWS SDK's (`ResourceNotFoundException`, …). */
export interface RotationClientError extends Error {
  name: string
}
