import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { ArcaError, isArcaError, type ErrorCode } from '../../core/index.ts'

/**
 * THE REST table: ArcaError code → HTTP status of the RFC 7807 problem+json answer.
 * (To be merged with api/aws/errors.ts into the one table; map by code, never by message.)
 *
 * Choices where HTTP gives several: authentication failures are 401 (the caller may retry
 * with other credentials); a full quota (LimitExceeded: a third access key, an eleventh
 * policy) is 409, since the client resolves it by changing state, not by waiting — 429 would
 * invite retry loops, as LimitExceededException does in the AWS SDKs; a resource in the wrong
 * state (Disabled, InvalidState) is 409; only Throttling is 429.
 */
export const PROBLEM_STATUS: Readonly<Record<ErrorCode, ContentfulStatusCode>> = {
  // generic
  Validation: 400,
  Serialization: 400,
  UnknownOperation: 404,
  NotFound: 404,
  AlreadyExists: 409,
  LimitExceeded: 409,
  Conflict: 409,
  AccessDenied: 403,
  UnsupportedOperation: 400,
  InvalidMarker: 400,
  DryRun: 412,
  Sealed: 503,
  PayloadTooLarge: 413,
  Throttling: 429,
  Internal: 500,
  // authentication
  MissingAuthenticationToken: 401,
  IncompleteSignature: 401,
  InvalidSignature: 401,
  UnrecognizedClient: 401,
  ExpiredToken: 401,
  InvalidClientTokenId: 401,
  SignatureDoesNotMatch: 401,
  Unauthenticated: 401,
  // KMS
  Disabled: 409,
  InvalidState: 409,
  InvalidCiphertext: 400,
  IncorrectKey: 400,
  InvalidKeyUsage: 400,
  InvalidArn: 400,
  InvalidAliasName: 400,
  NotAuthorized: 403,
  Tag: 400,
  MalformedPolicyDocument: 400,
  InvalidGrantToken: 400,
  InvalidGrantId: 400,
  KmsInvalidSignature: 400,
  KmsInvalidMac: 400,
  ExpiredImportToken: 400,
  InvalidImportToken: 400,
  IncorrectKeyMaterial: 400,
  Dependency: 503,
  // SSM Parameter Store and Secrets Manager
  InvalidParameter: 400,
  VersionNotFound: 404,
  MaxVersionLimitExceeded: 409,
  VersionLabelLimitExceeded: 409,
  PatternMismatch: 400,
  HierarchyLevelLimitExceeded: 400,
  HierarchyTypeMismatch: 400,
  InvalidAllowedPattern: 400,
  InvalidKeyId: 400,
  UnsupportedParameterType: 400,
  PoliciesLimitExceeded: 400,
  InvalidPolicyType: 400,
  InvalidPolicyAttribute: 400,
  IncompatiblePolicy: 400,
  InvalidFilterKey: 400,
  InvalidFilterOption: 400,
  InvalidFilterValue: 400,
  InvalidResourceId: 404,
  InvalidResourceType: 400,
  TooManyTags: 400,
  DecryptionFailure: 400,
  EncryptionFailure: 400,
  PreconditionNotMet: 412,
  PublicPolicy: 400,
  InvalidRequest: 409,
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json'
/** What a caller sees for anything that is not an ArcaError (the cause goes to the log only). */
const FAULT_MESSAGE = 'An internal error occurred.'

export interface ProblemBody {
  /** A URN naming the problem type: `urn:arca:problem:<Code>`. */
  type: string
  title: string
  status: number
  detail: string
  code: ErrorCode
  field?: string
}

/** "NotFound" → "Not found". */
const titleOf = (code: ErrorCode) => code.replace(/([a-z])([A-Z])/g, (_, a: string, b: string) => `${a} ${b.toLowerCase()}`)

/** The problem for any thrown value; never carries a cause or a non-Arca error's message. */
export function toProblem(err: unknown): ProblemBody {
  let e: ArcaError
  if (isArcaError(err)) e = err
  else if (err instanceof HTTPException && err.status < 500) {
    const code: ErrorCode = err.status === 413 ? 'PayloadTooLarge' : err.status === 401 ? 'Unauthenticated' : err.status === 404 ? 'NotFound' : 'Validation'
    e = new ArcaError(code, err.message || titleOf(code))
  } else e = new ArcaError('Internal', FAULT_MESSAGE, { cause: err })
  const status = PROBLEM_STATUS[e.code]
  const body: ProblemBody = {
    type: `urn:arca:problem:${e.code}`,
    title: titleOf(e.code),
    status,
    detail: status >= 500 && e.code === 'Internal' ? FAULT_MESSAGE : e.message,
    code: e.code,
  }
  if (e.field !== undefined) body.field = e.field
  return body
}

/** Answers `err` as RFC 7807 application/problem+json. */
export function problem(c: Context<any>, err: unknown): Response {
  const body = toProblem(err)
  const headers: Record<string, string> = { 'content-type': PROBLEM_CONTENT_TYPE }
  if (body.status === 401) headers['www-authenticate'] = 'Bearer realm="arca"'
  return c.body(JSON.stringify(body), body.status as ContentfulStatusCode, headers)
}
