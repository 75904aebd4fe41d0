/**
 * The closed set of error codes. Each API face maps a code to its own wire name and status
 * in one table (api/aws/errors.ts, api/rest/problem.ts); nothing maps by message text.
 */
export const ERROR_CODES = [
  // generic
  'Validation',
  'Serialization',
  'UnknownOperation',
  'NotFound',
  'AlreadyExists',
  'LimitExceeded',
  'Conflict',
  'AccessDenied',
  'UnsupportedOperation',
  'InvalidMarker',
  'DryRun',
  'Sealed',
  'PayloadTooLarge',
  'Throttling',
  'Internal',
  // authentication
  'MissingAuthenticationToken',
  'IncompleteSignature',
  'InvalidSignature',
  'UnrecognizedClient',
  'ExpiredToken',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'Unauthenticated',
  // KMS
  'Disabled',
  'InvalidState',
  'InvalidCiphertext',
  'IncorrectKey',
  'InvalidKeyUsage',
  'InvalidArn',
  'InvalidAliasName',
  'NotAuthorized',
  'Tag',
  'MalformedPolicyDocument',
  'InvalidGrantToken',
  'InvalidGrantId',
  'KmsInvalidSignature',
  'KmsInvalidMac',
  'ExpiredImportToken',
  'InvalidImportToken',
  'IncorrectKeyMaterial',
  'Dependency',
  // SSM Parameter Store and Secrets Manager (AWS-API.md §4.8, §5.5)
  'InvalidParameter',
  'VersionNotFound',
  'MaxVersionLimitExceeded',
  'VersionLabelLimitExceeded',
  'PatternMismatch',
  'HierarchyLevelLimitExceeded',
  'HierarchyTypeMismatch',
  'InvalidAllowedPattern',
  'InvalidKeyId',
  'UnsupportedParameterType',
  'PoliciesLimitExceeded',
  'InvalidPolicyType',
  'InvalidPolicyAttribute',
  'IncompatiblePolicy',
  'InvalidFilterKey',
  'InvalidFilterOption',
  'InvalidFilterValue',
  'InvalidResourceId',
  'InvalidResourceType',
  'TooManyTags',
  'DecryptionFailure',
  'EncryptionFailure',
  'PreconditionNotMet',
  'PublicPolicy',
  // Secrets Manager: the request conflicts with the resource's state (InvalidRequestException)
  'InvalidRequest',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

export interface ArcaErrorOptions {
  /** The input member that was wrong, when there is one. */
  field?: string
  /** For the log only: never shown to a caller. */
  cause?: unknown
}

/** The one error type. `message` must be safe to show to the caller and never holds a secret. */
export class ArcaError extends Error {
  readonly code: ErrorCode
  readonly field?: string
  constructor(code: ErrorCode, message: string, options: ArcaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'ArcaError'
    this.code = code
    if (options.field !== undefined) this.field = options.field
  }
}

export function isArcaError(e: unknown): e is ArcaError {
  return e instanceof ArcaError
}

/** AWS's validation wording: "1 validation error detected: Value 'x' at 'f' failed to satisfy constraint: …". */
export function validationError(field: string, value: unknown, constraint: string): ArcaError {
  const shown = typeof value === 'string' || typeof value === 'number' ? String(value) : redactedShape(value)
  return new ArcaError(
    'Validation',
    `1 validation error detected: Value '${shown}' at '${field}' failed to satisfy constraint: ${constraint}`,
    { field },
  )
}

function redactedShape(value: unknown): string {
  if (value instanceof Uint8Array) return `${value.length} bytes`
  if (Array.isArray(value)) return `[${value.length} items]`
  return typeof value
}
