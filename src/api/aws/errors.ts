/**
 * THE one table: (ArcaError code, AWS service) → the AWS `__type` and HTTP status.
 *
 * Status (AWS-API.md §1): real AWS answers 400 for every client error whatever the Smithy
 * model hints (404/409/412); faults 500; DependencyTimeout and our sealed state 503; a body
 * over the limit 413. STS (awsQuery) uses its own common-error codes and 403 for the
 * authentication failures. Every code has a row for every service (a test keeps it so) and
 * every json-service `__type` is checked against the botocore models.
 *
 * Avoid LimitExceededException for deterministic failures: both SDKs treat it as throttling and
 * retry with back-off (AWS-API.md §1, §7).
 */
import { ArcaError, isArcaError, type ErrorCode } from '../../core/index.ts'

export type AwsService = 'kms' | 'ssm' | 'secretsmanager' | 'sts'
export const AWS_SERVICES: readonly AwsService[] = ['kms', 'ssm', 'secretsmanager', 'sts']

export interface AwsErrorRow {
  /** The `__type` (json services) or `Error/Code` (sts). */
  type: string
  status: number
}

type Row = Record<AwsService, AwsErrorRow>

const r = (type: string, status = 400): AwsErrorRow => ({ type, status })
/** Same `__type` for the three json services, a separate STS code. */
const json = (type: string, sts: AwsErrorRow, status = 400): Row => ({
  kms: r(type, status),
  ssm: r(type, status),
  secretsmanager: r(type, status),
  sts,
})
const per = (kms: string, ssm: string, secretsmanager: string, sts: AwsErrorRow, status = 400): Row => ({
  kms: r(kms, status),
  ssm: r(ssm, status),
  secretsmanager: r(secretsmanager, status),
  sts,
})

const STS_VALIDATION = r('ValidationError')
const STS_INVALID_PARAM = r('InvalidParameterValue')
const STS_ACCESS = r('AccessDenied', 403)
const STS_INTERNAL = r('InternalFailure', 500)

export const AWS_ERROR_TABLE: Readonly<Record<ErrorCode, Row>> = {
  // generic
  Validation: json('ValidationException', STS_VALIDATION),
  Serialization: json('SerializationException', r('MalformedQueryString')),
  UnknownOperation: json('UnknownOperationException', r('InvalidAction')),
  NotFound: per('NotFoundException', 'ParameterNotFound', 'ResourceNotFoundException', STS_INVALID_PARAM),
  AlreadyExists: per('AlreadyExistsException', 'ParameterAlreadyExists', 'ResourceExistsException', STS_INVALID_PARAM),
  // ssm ParameterLimitExceeded is the only SSM limit error of the Parameter Store operations.
  LimitExceeded: per('LimitExceededException', 'ParameterLimitExceeded', 'LimitExceededException', r('LimitExceeded')),
  Conflict: per('ConflictException', 'TooManyUpdates', 'InvalidRequestException', STS_INVALID_PARAM),
  AccessDenied: json('AccessDeniedException', STS_ACCESS),
  UnsupportedOperation: per(
    'UnsupportedOperationException',
    'UnsupportedOperationException',
    'InvalidRequestException',
    r('InvalidAction'),
  ),
  InvalidMarker: per('InvalidMarkerException', 'InvalidNextToken', 'InvalidNextTokenException', STS_INVALID_PARAM),
  DryRun: per('DryRunOperationException', 'ValidationException', 'InvalidRequestException', r('DryRunOperation')),
  Sealed: json('ServiceUnavailableException', r('ServiceUnavailable', 503), 503),
  PayloadTooLarge: json('RequestEntityTooLargeException', r('RequestEntityTooLarge', 413), 413),
  Throttling: json('ThrottlingException', r('Throttling')),
  Internal: per('KMSInternalException', 'InternalServerError', 'InternalServiceError', STS_INTERNAL, 500),
  // authentication (AWS-API.md §2: all 400 in the json services; STS answers 403)
  MissingAuthenticationToken: json('MissingAuthenticationTokenException', r('MissingAuthenticationToken', 403)),
  IncompleteSignature: json('IncompleteSignatureException', r('IncompleteSignature', 403)),
  InvalidSignature: json('InvalidSignatureException', r('SignatureDoesNotMatch', 403)),
  UnrecognizedClient: json('UnrecognizedClientException', r('InvalidClientTokenId', 403)),
  ExpiredToken: json('ExpiredTokenException', r('ExpiredToken', 403)),
  InvalidClientTokenId: json('UnrecognizedClientException', r('InvalidClientTokenId', 403)),
  SignatureDoesNotMatch: json('InvalidSignatureException', r('SignatureDoesNotMatch', 403)),
  Unauthenticated: json('UnrecognizedClientException', r('InvalidClientTokenId', 403)),
  // KMS; elsewhere the nearest error of that service (handlers translate where AWS does more)
  Disabled: per('DisabledException', 'InvalidKeyId', 'InvalidRequestException', STS_INVALID_PARAM),
  InvalidState: per('KMSInvalidStateException', 'InvalidKeyId', 'InvalidRequestException', STS_INVALID_PARAM),
  InvalidCiphertext: per('InvalidCiphertextException', 'InvalidKeyId', 'DecryptionFailure', STS_INVALID_PARAM),
  IncorrectKey: per('IncorrectKeyException', 'InvalidKeyId', 'DecryptionFailure', STS_INVALID_PARAM),
  InvalidKeyUsage: per('InvalidKeyUsageException', 'InvalidKeyId', 'InvalidParameterException', STS_INVALID_PARAM),
  InvalidArn: per('InvalidArnException', 'ValidationException', 'InvalidParameterException', STS_INVALID_PARAM),
  InvalidAliasName: per('InvalidAliasNameException', 'InvalidKeyId', 'InvalidParameterException', STS_INVALID_PARAM),
  NotAuthorized: json('AccessDeniedException', STS_ACCESS),
  Tag: per('TagException', 'InvalidTag', 'InvalidParameterException', STS_INVALID_PARAM),
  MalformedPolicyDocument: per(
    'MalformedPolicyDocumentException',
    'MalformedResourcePolicyDocumentException',
    'MalformedPolicyDocumentException',
    r('MalformedPolicyDocument'),
  ),
  InvalidGrantToken: per('InvalidGrantTokenException', 'ValidationException', 'InvalidParameterException', STS_INVALID_PARAM),
  InvalidGrantId: per('InvalidGrantIdException', 'ValidationException', 'InvalidParameterException', STS_INVALID_PARAM),
  KmsInvalidSignature: per('KMSInvalidSignatureException', 'ValidationException', 'InvalidParameterException', STS_INVALID_PARAM),
  KmsInvalidMac: per('KMSInvalidMacException', 'ValidationException', 'InvalidParameterException', STS_INVALID_PARAM),
  ExpiredImportToken: per('ExpiredImportTokenException', 'ValidationException', 'InvalidParameterException', STS_INVALID_PARAM),
  InvalidImportToken: per('InvalidImportTokenException', 'ValidationException', 'InvalidParameterException', STS_INVALID_PARAM),
  IncorrectKeyMaterial: per('IncorrectKeyMaterialException', 'ValidationException', 'InvalidParameterException', STS_INVALID_PARAM),
  Dependency: {
    kms: r('DependencyTimeoutException', 503),
    ssm: r('InternalServerError', 500),
    secretsmanager: r('InternalServiceError', 500),
    sts: r('ServiceUnavailable', 503),
  },
  // SSM Parameter Store and Secrets Manager (AWS-API.md §4.8, §5.5)
  InvalidParameter: per('ValidationException', 'ValidationException', 'InvalidParameterException', STS_INVALID_PARAM),
  VersionNotFound: per('NotFoundException', 'ParameterVersionNotFound', 'ResourceNotFoundException', STS_INVALID_PARAM),
  MaxVersionLimitExceeded: per(
    'ValidationException',
    'ParameterMaxVersionLimitExceeded',
    'InvalidRequestException',
    STS_INVALID_PARAM,
  ),
  VersionLabelLimitExceeded: per(
    'ValidationException',
    'ParameterVersionLabelLimitExceeded',
    'InvalidRequestException',
    STS_INVALID_PARAM,
  ),
  PatternMismatch: per('ValidationException', 'ParameterPatternMismatchException', 'InvalidParameterException', STS_INVALID_PARAM),
  HierarchyLevelLimitExceeded: per(
    'ValidationException',
    'HierarchyLevelLimitExceededException',
    'InvalidParameterException',
    STS_INVALID_PARAM,
  ),
  HierarchyTypeMismatch: per(
    'ValidationException',
    'HierarchyTypeMismatchException',
    'InvalidParameterException',
    STS_INVALID_PARAM,
  ),
  InvalidAllowedPattern: per('ValidationException', 'InvalidAllowedPatternException', 'InvalidParameterException', STS_INVALID_PARAM),
  InvalidKeyId: per('NotFoundException', 'InvalidKeyId', 'InvalidParameterException', STS_INVALID_PARAM),
  UnsupportedParameterType: per('ValidationException', 'UnsupportedParameterType', 'InvalidParameterException', STS_INVALID_PARAM),
  PoliciesLimitExceeded: per('ValidationException', 'PoliciesLimitExceededException', 'InvalidParameterException', STS_INVALID_PARAM),
  InvalidPolicyType: per('ValidationException', 'InvalidPolicyTypeException', 'InvalidParameterException', STS_INVALID_PARAM),
  InvalidPolicyAttribute: per(
    'ValidationException',
    'InvalidPolicyAttributeException',
    'InvalidParameterException',
    STS_INVALID_PARAM,
  ),
  IncompatiblePolicy: per('ValidationException', 'IncompatiblePolicyException', 'InvalidParameterException', STS_INVALID_PARAM),
  InvalidFilterKey: per('ValidationException', 'InvalidFilterKey', 'InvalidParameterException', STS_INVALID_PARAM),
  InvalidFilterOption: per('ValidationException', 'InvalidFilterOption', 'InvalidParameterException', STS_INVALID_PARAM),
  InvalidFilterValue: per('ValidationException', 'InvalidFilterValue', 'InvalidParameterException', STS_INVALID_PARAM),
  InvalidResourceId: per('NotFoundException', 'InvalidResourceId', 'ResourceNotFoundException', STS_INVALID_PARAM),
  InvalidResourceType: per('ValidationException', 'InvalidResourceType', 'InvalidParameterException', STS_INVALID_PARAM),
  // KMS: TagException, not LimitExceededException, which the SDKs retry as throttling.
  TooManyTags: per('TagException', 'TooManyTagsError', 'InvalidParameterException', STS_INVALID_PARAM),
  DecryptionFailure: per('InvalidCiphertextException', 'InvalidKeyId', 'DecryptionFailure', STS_INVALID_PARAM),
  EncryptionFailure: per('KMSInvalidStateException', 'InvalidKeyId', 'EncryptionFailure', STS_INVALID_PARAM),
  PreconditionNotMet: per('ValidationException', 'ValidationException', 'PreconditionNotMetException', STS_INVALID_PARAM),
  PublicPolicy: per(
    'MalformedPolicyDocumentException',
    'MalformedResourcePolicyDocumentException',
    'PublicPolicyException',
    STS_INVALID_PARAM,
  ),
  // Secrets Manager's state errors (deleted secret, label rules); KMS/SSM have no such class.
  InvalidRequest: per('ValidationException', 'ValidationException', 'InvalidRequestException', STS_INVALID_PARAM),
}

/** What a caller sees for a thrown value that is not an ArcaError (its detail goes to the log). */
const FAULT_MESSAGE = 'An internal error occurred.'

export function awsError(code: ErrorCode, service: AwsService): AwsErrorRow {
  return AWS_ERROR_TABLE[code][service]
}

export interface AwsErrorBody {
  status: number
  body: { __type: string; message: string; Message?: string }
}

/**
 * The wire error for any thrown value. ArcaErrors map through the table; anything else is an
 * internal fault whose detail stays in the log (the message never carries it).
 * Secrets Manager clients (and LocalStack's recordings) read `Message`: it gets both keys.
 */
export function toAwsErrorBody(err: unknown, service: AwsService): AwsErrorBody {
  const e: ArcaError = isArcaError(err) ? err : new ArcaError('Internal', FAULT_MESSAGE, { cause: err })
  const row = AWS_ERROR_TABLE[e.code][service]
  const body: AwsErrorBody['body'] = { __type: row.type, message: e.message }
  if (service === 'secretsmanager') body.Message = e.message
  return { status: row.status, body }
}
