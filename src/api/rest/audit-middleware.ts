import type { Context, MiddlewareHandler } from 'hono'
import { getConnInfo } from '@hono/node-server/conninfo'
import { ArcaError, type Clock, uuid } from '../../core/index.ts'
import { type AuditLog, buildRecord } from '../../kms/audit/index.ts'
import type { AuditEntry } from '../aws/router.ts'
import type { AppEnv, AuthenticatedPrincipal, RequestInfo } from './env.ts'
import { PROBLEM_CONTENT_TYPE, problem } from './problem.ts'

/** Turns a face's audit entry into a record (time from the clock) and appends it. */
export function auditSink(audit: Pick<AuditLog, 'append'>, clock: Clock, defaultAccount: string): (entry: AuditEntry) => Promise<void> {
  return (entry) => audit.append(buildRecord({ ...entry, time: clock.now(), defaultAccount }))
}

const AUDIT_FAILED = new ArcaError('Internal', 'The request could not be recorded in the audit log.')

/** The route pattern that handles the request (`GET /v1/admin/users/:name`), never raw path data. */
function operationOf(c: Context<AppEnv>): string {
  const route = c.req.matchedRoutes.find((r) => r.method !== 'ALL')
  return `${c.req.method} ${route?.path ?? c.req.routePath}`
}

async function errorOf(res: Response): Promise<{ code: string; message?: string } | undefined> {
  if (res.status < 400) return undefined
  if ((res.headers.get('content-type') ?? '').startsWith(PROBLEM_CONTENT_TYPE)) {
    const body = (await res.clone().json().catch(() => ({}))) as { code?: string; detail?: string }
    if (body.code) return body.detail ? { code: body.code, message: body.detail } : { code: body.code }
  }
  return { code: `HTTP${res.status}` }
}

function sourceIp(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address
  } catch {
    return undefined
  }
}

/**
 * One audit record per REST request, mounted before authentication so that refused and
 * unauthenticated requests are recorded too. Parameters are the route's path parameters and
 * the query, through the redaction allow-list; bodies are never recorded. When the record
 * cannot be written the answer becomes a 500.
 */
export function restAudit(sink: (entry: AuditEntry) => Promise<void>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next()
    // A request no REST route answered fell through to the AWS face, which records it itself.
    const route = c.req.matchedRoutes.find((r) => r.method !== 'ALL')
    if (route !== undefined && !route.path.startsWith('/v1/')) return
    const principal = c.get('principal') as AuthenticatedPrincipal | undefined
    const request = c.get('request') as RequestInfo | undefined
    const operation = operationOf(c)
    const entry: AuditEntry = {
      requestId: request?.requestId ?? uuid(),
      service: 'arca',
      operation,
      params: { ...c.req.query(), ...c.req.param() },
    }
    if (principal) {
      entry.account = principal.account
      entry.principalArn = principal.arn
      if (principal.accessKeyId) entry.accessKeyId = principal.accessKeyId
    }
    if (request?.region) entry.region = request.region
    const ip = sourceIp(c)
    if (ip) entry.sourceIp = ip
    const ua = c.req.header('user-agent')
    if (ua) entry.userAgent = ua
    const error = await errorOf(c.res)
    if (error) {
      entry.errorCode = error.code
      if (error.message) entry.errorMessage = error.message
    }
    try {
      await sink(entry)
    } catch {
      c.res = problem(c, AUDIT_FAILED)
    }
  }
}
