import { type Context, Hono } from 'hono'
import { stream } from 'hono/streaming'
import { ArcaError, isArcaError, type Logger } from '../../../core/index.ts'
import type { AuditLog, AuditQuery, VerifyOptions } from '../../../kms/audit/index.ts'
import type { AppEnv, AuthenticatedPrincipal } from '../env.ts'
import { problem } from '../problem.ts'

export interface AuditRouteOptions {
  /** The operator's account: its administrator may read every account's records (`?account=`). */
  defaultAccount: string
  log?: Pick<Logger, 'error'>
}

type Ctx = Context<AppEnv>

function principalOf(c: Ctx): AuthenticatedPrincipal {
  const p = c.get('principal') as AuthenticatedPrincipal | undefined
  if (p === undefined) throw new ArcaError('Unauthenticated', 'Authentication required: send a bearer token or a SigV4 signature.')
  return p
}

const denied = (p: AuthenticatedPrincipal, what: string) => new ArcaError('AccessDenied', `User: ${p.arn} is not authorized to perform: ${what}`)

/** `2026-01-01T00:00:00Z` or epoch milliseconds. */
function time(value: string | undefined, field: string): number | undefined {
  if (value === undefined || value === '') return undefined
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value)
  if (!Number.isSafeInteger(ms)) throw new ArcaError('Validation', `'${field}' must be an ISO 8601 time or epoch milliseconds.`, { field })
  return ms
}

function bodyTime(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'number' || typeof value === 'string') return time(String(value), field)
  throw new ArcaError('Validation', `'${field}' must be an ISO 8601 time or epoch milliseconds.`, { field })
}

const FILTERS = ['principal', 'operation', 'service', 'resource', 'error', 'node'] as const

/**
 * `/v1/audit`: reading and verifying the audit trail. Reading is for administrators: an
 * account's administrator reads its own account's records (its principals' requests and
 * requests on its resources); the default account's administrator may name another account
 * with `?account=`, or all with `?account=*`. Verifying covers every account's chain and is for
 * the default account's administrator. The public key is for every authenticated caller.
 */
export function createAuditRoutes(audit: AuditLog, opts: AuditRouteOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.onError((err, c) => {
    if (!isArcaError(err) || err.code === 'Internal') opts.log?.error('audit request failed', { error: String(err) })
    return problem(c, err)
  })
  const isOperator = (p: AuthenticatedPrincipal) => p.admin && p.account === opts.defaultAccount

  function queryOf(c: Ctx, withPaging: boolean): AuditQuery {
    const p = principalOf(c)
    if (!p.admin) throw denied(p, `reading the audit log of account ${p.account} (only the account's administrator may)`)
    const wanted = c.req.query('account')
    const q: AuditQuery = {}
    if (wanted !== undefined && wanted !== p.account) {
      if (!isOperator(p)) throw denied(p, `reading the audit log of account ${wanted} (only the default account's administrator may)`)
      if (wanted !== '*') q.account = wanted
    } else q.account = p.account
    const from = time(c.req.query('from'), 'from')
    const to = time(c.req.query('to'), 'to')
    if (from !== undefined) q.from = from
    if (to !== undefined) q.to = to
    for (const f of FILTERS) {
      const v = c.req.query(f)
      if (v !== undefined && v !== '') q[f] = v
    }
    const cursor = c.req.query('cursor')
    if (cursor) q.cursor = cursor
    if (withPaging) {
      const limit = c.req.query('limit')
      if (limit !== undefined && limit !== '') {
        if (!/^\d+$/.test(limit)) throw new ArcaError('Validation', `'limit' must be a whole number.`, { field: 'limit' })
        q.limit = Number(limit)
      }
    }
    return q
  }

  app.get('/public-key', (c) => {
    principalOf(c)
    return c.json(audit.publicKey())
  })

  app.get('/', async (c) => c.json(await audit.query(queryOf(c, true))))

  app.get('/export', async (c) => {
    const q = queryOf(c, false)
    // Fails here (a 4xx) rather than mid-stream when the cursor is bad.
    const first = await audit.query({ ...q, limit: 1 })
    c.header('content-type', 'application/x-ndjson')
    return stream(c, async (s) => {
      if (first.records.length === 0) return
      for await (const event of audit.export(q)) await s.write(JSON.stringify(event) + '\n')
    })
  })

  app.post('/verify', async (c) => {
    const p = principalOf(c)
    if (!isOperator(p)) throw denied(p, 'verifying the audit log (only the default account\'s administrator may)')
    const text = await c.req.text()
    let body: Record<string, unknown> = {}
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text) as Record<string, unknown>
      } catch {
        throw new ArcaError('Serialization', 'The request body is not valid JSON.')
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ArcaError('Serialization', 'The request body must be a JSON object.')
    }
    for (const k of Object.keys(body)) if (!['node', 'from', 'to'].includes(k)) throw new ArcaError('Validation', `Unknown field '${k}' in the request body (expected node, from, to).`, { field: k })
    const o: VerifyOptions = {}
    if (body.node !== undefined) {
      if (typeof body.node !== 'string') throw new ArcaError('Validation', `'node' must be a string.`, { field: 'node' })
      o.node = body.node
    }
    const from = bodyTime(body.from, 'from')
    const to = bodyTime(body.to, 'to')
    if (from !== undefined) o.from = from
    if (to !== undefined) o.to = to
    return c.json(await audit.verify(o))
  })
  return app
}
