import type { Context } from 'hono'
import { getConnInfo } from '@hono/node-server/conninfo'
import { ArcaError, type Logger, isArcaError, uuid } from '../../core/index.ts'
import type { Caller } from '../../kms/index.ts'
import { type AuthDeps, type Authenticated, authenticateSigV4 } from '../auth.ts'
import { type RawRequest, rawRequest } from '../raw-request.ts'
import { decodeInput, encodeOutput } from './codec.ts'
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
}

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
    try {
      const dot = target ? target.indexOf('.') : -1
      const prefix = dot > 0 ? target!.slice(0, dot) : undefined
      const svc = prefix ? TARGET_PREFIX[prefix] : undefined
      if (!svc) throw new ArcaError('UnknownOperation', `Unknown operation ${target ?? '(no X-Amz-Target header)'}`)
      service = svc
      const operation = target!.slice(dot + 1)
      const body = await req.body(deps.maxBodyBytes)
      const auth = await authenticate(req, deps, body, svc)
      const json = parseJson(body)
      const valid = validateInput(svc, operation, json)
      const handler = deps.handlers[svc]
      if (!handler) throw new ArcaError('UnknownOperation', `Unknown operation ${target}`)
      const input = decodeInput(svc, operation, valid)
      const caller = callerOf(c, req, auth, input)
      caller.policies = await deps.auth.identity.policiesOf(auth.principal)
      const result = await handler(operation, caller, input)
      return c.body(JSON.stringify(encodeOutput(svc, operation, result ?? {})), 200, { 'content-type': JSON_TYPE, 'x-amzn-requestid': requestId })
    } catch (e) {
      return awsErrorResponse(c, deps.logger, e, service, requestId)
    }
  }
}

export function awsErrorResponse(c: Context, logger: Logger, e: unknown, service: AwsService, requestId: string): Response {
  if (!isArcaError(e) || e.code === 'Internal') logger.error('request failed', { requestId, error: e instanceof Error ? e.message : String(e) })
  const { status, body } = toAwsErrorBody(e, service)
  return c.body(JSON.stringify(body), status as 400, { 'content-type': JSON_TYPE, 'x-amzn-requestid': requestId })
}

async function sts(c: Context, req: RawRequest, deps: AwsFaceDeps, requestId: string): Promise<Response> {
  try {
    const body = await req.body(deps.maxBodyBytes)
    const auth = await authenticate(req, deps, body, 'sts')
    const xml = stsAction(new URLSearchParams(new TextDecoder().decode(body)), auth.principal, requestId)
    return c.body(xml, 200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId })
  } catch (e) {
    const { status, body } = stsError(e, requestId)
    return c.body(body, status as 400, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId })
  }
}

function authenticate(req: RawRequest, deps: AwsFaceDeps, body: Uint8Array, service: string): Promise<Authenticated> {
  return authenticateSigV4(deps.auth, { method: req.method, path: req.path, query: req.query, headers: req.headers, body }, [service])
}

function parseJson(body: Uint8Array): unknown {
  if (body.length === 0) return {}
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
