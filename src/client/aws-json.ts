import { ArcaError, type ErrorCode, systemClock } from '../core/index.ts'
import type { Auth } from './credentials.ts'
import { type Fetch, unreachable } from './rest.ts'
import { signRequest } from './sign.ts'

/** The json services of Arca's AWS face and their X-Amz-Target prefixes (awsJson1_1). */
const TARGET_PREFIX = { kms: 'TrentService', ssm: 'AmazonSSM', secretsmanager: 'secretsmanager' } as const
export type AwsJsonService = keyof typeof TARGET_PREFIX

/** AWS `__type` → our error code, for the few a client acts on; the rest keep AWS's message. */
const TYPE_CODES: Record<string, ErrorCode> = {
  NotFoundException: 'NotFound',
  ResourceNotFoundException: 'NotFound',
  ParameterNotFound: 'NotFound',
  AccessDeniedException: 'AccessDenied',
  UnrecognizedClientException: 'UnrecognizedClient',
  InvalidSignatureException: 'InvalidSignature',
  IncompleteSignatureException: 'IncompleteSignature',
  MissingAuthenticationTokenException: 'MissingAuthenticationToken',
  ExpiredTokenException: 'ExpiredToken',
  ValidationException: 'Validation',
  DisabledException: 'Disabled',
  KMSInvalidStateException: 'InvalidState',
  InvalidCiphertextException: 'InvalidCiphertext',
  IncorrectKeyException: 'IncorrectKey',
  ServiceUnavailableException: 'Sealed',
  ThrottlingException: 'Throttling',
}

/**
 * Calls one operation of the AWS face (POST / with X-Amz-Target, SigV4 for `service`), as the
 * AWS SDKs do. The AWS face takes SigV4 only: a token-only caller gets a clear error.
 */
export async function awsJson<T = Record<string, unknown>>(
  opts: { endpoint: string; auth: Auth; fetch?: Fetch },
  service: AwsJsonService,
  operation: string,
  input: Record<string, unknown>,
): Promise<T> {
  const auth = opts.auth
  if (auth.kind !== 'sigv4')
    throw new ArcaError('Unauthenticated', `${service} ${operation} needs AWS-style credentials (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or --profile): the AWS face does not take ARCA_TOKEN`)
  const endpoint = opts.endpoint.replace(/\/+$/, '')
  const url = new URL(endpoint + '/')
  const body = JSON.stringify(input)
  const headers = signRequest(
    { method: 'POST', url, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${TARGET_PREFIX[service]}.${operation}` }, body },
    auth.credentials,
    { region: auth.region, service, now: systemClock.now() },
  )
  let res: Response
  try {
    res = await (opts.fetch ?? fetch)(url, { method: 'POST', headers, body })
  } catch (e) {
    throw unreachable(endpoint, e)
  }
  const text = await res.text()
  let data: Record<string, unknown> = {}
  try {
    data = text ? (JSON.parse(text) as Record<string, unknown>) : {}
  } catch {
    data = { message: text }
  }
  if (!res.ok) {
    const type = String(data.__type ?? '').split('#').pop() ?? ''
    const message = String(data.message ?? data.Message ?? `HTTP ${res.status}`)
    throw new ArcaError(TYPE_CODES[type] ?? 'Internal', type && !TYPE_CODES[type] ? `${type}: ${message}` : message)
  }
  return data as T
}
