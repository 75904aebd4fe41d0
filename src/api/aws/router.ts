import type { Context } from 'hono'
import { getConnInfo } from '@hono/node-server/conninfo'
import { ArcaError, type Logger, isArcaError, uuid } from '../../core/index.ts'
import type { Caller } from '../../kms/index.ts'
import type { RecordInput } from '../../kms/audit/index.ts'
import { type AuthDeps, type Authenticated, authenticateSigV4 } from '../auth.ts'
import type { Quotas } from '../quotas/index.ts'
import { type RawRequest, rawRequest } from '../raw-request.ts'
import { decodeInput, encodeOutput } from './codec.ts'
import { checkJsonDepth } from './json-depth.ts'
import { type AwsService, toAwsErrorBody } from './errors.ts'
import type { AwsJsonService } from './shapes.ts'
import { stsAction, stsError } from './sts.ts'
import { validateInput } from './validate.ts'

/** Runs one operation of one service for an authenticated caller; input and output in camelCase. */
export type ServiceHandler = (operation: string, caller: Caller, input: Record<string, unknown>) => Promise<unknown>

export interface AwsFaceDeps {
  auth: AuthDeps
  logger: Logger
  maxBodyBytes: number
  handlers: Partial<Record<AwsJsonService, ServiceHandler>>
  /**
   * Appends the request's audit record (the sink fills in time and default account). Every
   * request, answered or refused, gets exactly one; when it rejects, the caller gets an internal
   * failure instead of the answer.
   */
  audit?: (entry: AuditEntry) => Promise<void>
  /** Per-account request quotas: an authenticated request over its class's rate is throttled here. */
  quotas?: Pick<Quotas, 'take'>
}

export type AuditEntry = Omit<RecordInput, 'time' | 'defaultAccount'>

const TARGET_PREFIX: Record<string, AwsJsonService> = {
  TrentService: 'kms',
  AmazonSSM: 'ssm',
  secretsmanager: 'secretsmanager',
}
const JSON_TYPE = 'application/x-amz-json-1.1'

/** `POST /` for awsJson1_1 (dispatch on X-Amz-Target) and for STS's awsQuery form posts. */
export function createAwsHandler(deps: AwsFaceDeps) {
  return async (c: Context): Promise<Response> => {
    const requestId = uuid()
    const req = rawRequest(c)
    const target = req.header('x-amz-target')
    if (!target && (req.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded')) return sts(c, req, deps, requestId)
    let service: AwsService = 'kms'
    let operation = target ?? '(none)'
    let auth: Authenticated | undefined
    let params: unknown
    let result: unknown
    let answer: string | undefined
    let failure: unknown
    try {
      const dot = target ? target.indexOf('.') : -1
      const prefix = dot > 0 ? target!.slice(0, dot) : undefined
      const svc = prefix ? TARGET_PREFIX[prefix] : undefined
      if (!svc) throw new ArcaError('UnknownOperation', `Unknown operation ${target ?? '(no X-Amz-Target header)'}`)
      service = svc
      operation = target!.slice(dot + 1)
      const body = await req.body(deps.maxBodyBytes)
      auth = await authenticate(req, deps, body, svc)
      deps.quotas?.take(auth.principal.account, svc, operation)
      const json = parseJson(body)
      params = json
      const valid = validateInput(svc, operation, json)
      const handler = deps.handlers[svc]
      if (!handler) throw new ArcaError('UnknownOperation', `Unknown operation ${target}`)
      const input = decodeInput(svc, operation, valid)
      params = input
      const caller = callerOf(c, req, auth, input)
      caller.policies = await deps.auth.identity.policiesOf(auth.principal)
      result = await handler(operation, caller, input)
      answer = JSON.stringify(encodeOutput(svc, operation, result ?? {}))
    } catch (e) {
      failure = e
    }
    if (deps.audit) {
      try {
        await deps.audit(auditEntry(c, req, requestId, service, operation, auth, params, result, failure))
      } catch {
        // The writer logged why; no answer goes out unrecorded.
        return awsErrorResponse(c, deps.logger, AUDIT_FAILED, service, requestId)
      }
    }
    if (answer === undefined) return awsErrorResponse(c, deps.logger, failure, service, requestId)
    return c.body(answer, 200, { 'content-type': JSON_TYPE, 'x-amzn-requestid': requestId })
  }
}

const AUDIT_FAILED = new ArcaError('Internal', 'The request could not be recorded in the audit log.')
// `Credential=AKID/20260101/us-east-1/kms/aws4_request`: what an unauthenticated request claimed.
const CLAIMED_CREDENTIAL = /Credential=([A-Za-z0-9]{1,128})\/\d{8}\/([a-z0-9-]{1,32})\//

/** The audit entry of one AWS request: who (as far as known), what, on what, and how it ended. */
function auditEntry(
  c: Context,
  req: RawRequest,
  requestId: string,
  service: AwsService,
  operation: string,
  auth: Authenticated | undefined,
  params: unknown,
  output: unknown,
  failure: unknown,
): AuditEntry {
  const entry: AuditEntry = { requestId, service, operation, params, output }
  if (auth) {
    entry.account = auth.principal.account
    entry.principalArn = auth.principal.arn
    entry.accessKeyId = auth.accessKeyId
    entry.region = auth.region
  } else {
    // An access key id is not a secret; the signature and secret never reach here.
    const claimed = CLAIMED_CREDENTIAL.exec(req.header('authorization') ?? '')
    if (claimed) {
      entry.accessKeyId = claimed[1]
      entry.region = claimed[2]
    }
  }
  const ip = sourceIp(c)
  if (ip) entry.sourceIp = ip
  const ua = req.header('user-agent')
  if (ua) entry.userAgent = ua
  if (failure !== undefined) {
    const { body } = toAwsErrorBody(failure, service)
    entry.errorCode = body.__type
    entry.errorMessage = body.message
  }
  return entry
}

export function awsErrorResponse(c: Context, logger: Logger, e: unknown, service: AwsService, requestId: string): Response {
  if (!isArcaError(e) || e.code === 'Internal') logger.error('request failed', { requestId, error: e instanceof Error ? e.message : String(e) })
  const { status, body } = toAwsErrorBody(e, service)
  return c.body(JSON.stringify(body), status as 400, { 'content-type': JSON_TYPE, 'x-amzn-requestid': requestId })
}

async function sts(c: Context, req: RawRequest, deps: AwsFaceDeps, requestId: string): Promise<Response> {
  let auth: Authenticated | undefined
  let action = '(none)'
  let answer: string | undefined
  let failure: unknown
  try {
    const body = await req.body(deps.maxBodyBytes)
    const form = new URLSearchParams(new TextDecoder().decode(body))
    action = form.get('Action') ?? action
    auth = await authenticate(req, deps, body, 'sts')
    answer = stsAction(form, auth.principal, requestId)
  } catch (e) {
    failure = e
  }
  if (deps.audit) {
    try {
      await deps.audit(auditEntry(c, req, requestId, 'sts', action, auth, undefined, undefined, failure))
    } catch {
      failure = AUDIT_FAILED
      answer = undefined
    }
  }
  if (answer !== undefined) return c.body(answer, 200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId })
  const { status, body } = stsError(failure, requestId)
  return c.body(body, status as 400, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId })
}

function authenticate(req: RawRequest, deps: AwsFaceDeps, body: Uint8Array, service: string): Promise<Authenticated> {
  return authenticateSigV4(deps.auth, { method: req.method, path: req.path, query: req.query, headers: req.headers, body }, [service])
}

function parseJson(body: Uint8Array): unknown {
  if (body.length === 0) return {}
  checkJsonDepth(body)
  try {
    return JSON.parse(new TextDecoder().decode(body))
  } catch {
    throw new ArcaError('Serialization', 'The request body is not valid JSON.')
  }
}

function sourceIp(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address
  } catch {
    return undefined
  }
}

function callerOf(c: Context, req: RawRequest, auth: Authenticated, input: Record<string, unknown>): Caller {
  const caller: Caller = {
    account: auth.principal.account,
    principalArn: auth.principal.arn,
    region: auth.region,
    accessKeyId: auth.accessKeyId,
    principalTags: auth.principal.tags,
    admin: auth.principal.admin,
    secureTransport: false,
  }
  const ip = sourceIp(c)
  if (ip) caller.sourceIp = ip
  const ua = req.header('user-agent')
  if (ua) caller.userAgent = ua
  if (Array.isArray(input.grantTokens)) caller.grantTokens = input.grantTokens as string[]
  return caller
}
