import { type Context, Hono, type Next } from 'hono'
import { ArcaError, isArcaError, type Logger, toDate } from '../../../core/index.ts'
import type { Caller } from '../../../kms/index.ts'
import type { Rotation } from '../../../services/rotation/index.ts'
import type { AppEnv, AuthenticatedPrincipal } from '../env.ts'
import { problem } from '../problem.ts'
import { principalOf } from './account-scope.ts'

/**
 * Secret rotation through the native REST API — the same service, rules and authorization as
 * RotateSecret / CancelRotateSecret on the AWS face. Mounted on `/v1/secrets` before the secrets
 * routes; anything else falls through to them. Times are ISO 8601.
 *
 *   GET    /v1/secrets/{name}/rotation                 configuration and state (in-flight step, retries)
 *   PUT    /v1/secrets/{name}/rotation {plugin, schedule?: {automaticallyAfterDays | scheduleExpression, duration?},
 *                                       rotateImmediately? (default false)}
 *   DELETE /v1/secrets/{name}/rotation                 turn rotation off (CancelRotateSecret)
 *   POST   /v1/secrets/{name}/rotation/run[?wait=true] rotate now (reattempts one in flight)
 *   POST   /v1/secrets/{name}/rotation/pause | /resume
 *   GET    /v1/secrets/{name}/rotations[?limit=&cursor=]  every attempt, newest first, each step's
 *                                                          start, end, outcome and error text
 *
 * A secret whose name ends in one of these words is addressed as itself with `?secret=true`.
 */
export interface RotationRouteOptions {
  policiesOf?: (p: AuthenticatedPrincipal) => Promise<readonly string[]>
  log?: Pick<Logger, 'error'>
}

type Ctx = Context<AppEnv>
const SUBS = ['rotation/run', 'rotation/pause', 'rotation/resume', 'rotation', 'rotations'] as const
type Sub = (typeof SUBS)[number]

async function callerOf(c: Ctx, opts: RotationRouteOptions): Promise<Caller> {
  const p = principalOf(c)
  const r = c.get('request')
  const caller: Caller = { account: p.account, principalArn: p.arn, region: r.region, admin: p.admin, principalTags: p.tags, secureTransport: false }
  if (p.accessKeyId) caller.accessKeyId = p.accessKeyId
  if (r.userAgent) caller.userAgent = r.userAgent
  if (r.sourceIp) caller.sourceIp = r.sourceIp
  if (opts.policiesOf) caller.policies = await opts.policiesOf(p)
  return caller
}

function target(c: Ctx): { name: string; sub: Sub } | undefined {
  if (c.req.query('secret') === 'true') return undefined
  const path = new URL(c.req.url).pathname
  const i = path.indexOf('/secrets/')
  if (i < 0) return undefined
  let rest: string
  try {
    rest = decodeURIComponent(path.slice(i + '/secrets/'.length))
  } catch {
    return undefined
  }
  for (const s of SUBS) if (rest.endsWith(`/${s}`) && rest.length > s.length + 1) return { name: rest.slice(0, -(s.length + 1)), sub: s }
  return undefined
}

async function readBody(c: Ctx, allowed: readonly string[]): Promise<Record<string, unknown>> {
  const text = await c.req.text()
  if (text.trim() === '') return {}
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new ArcaError('Serialization', 'The request body is not valid JSON.')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ArcaError('Serialization', 'The request body must be a JSON object.')
  for (const k of Object.keys(value)) if (!allowed.includes(k)) throw new ArcaError('Validation', `Unknown field '${k}' in the request body (expected ${allowed.join(', ')}).`, { field: k })
  return value as Record<string, unknown>
}

/** Epoch milliseconds under names ending in Date or At → ISO strings. */
function json(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(json)
  if (typeof v !== 'object' || v === null) return v
  const out: Record<string, unknown> = {}
  for (const [k, x] of Object.entries(v)) out[k] = typeof x === 'number' && /(Date|At)$/.test(k) ? toDate(x).toISOString() : json(x)
  return out
}

function limitOf(c: Ctx): number | undefined {
  const v = c.req.query('limit')
  if (v === undefined) return undefined
  if (!/^\d{1,9}$/.test(v)) throw new ArcaError('Validation', "'limit' must be a whole number.", { field: 'limit' })
  return Number(v)
}

export function createRotationRoutes(rotation: Rotation, opts: RotationRouteOptions = {}): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  const handle = async (c: Ctx, next: Next) => {
    const t = target(c)
    if (!t) return next()
    try {
      const caller = await callerOf(c, opts)
      const secretId = t.name
      const method = c.req.method
      if (t.sub === 'rotation' && method === 'GET') return c.json(json(await rotation.getRotation(caller, { secretId })) as object)
      if (t.sub === 'rotation' && method === 'PUT') {
        const b = await readBody(c, ['plugin', 'schedule', 'rotateImmediately'])
        if (b.plugin !== undefined && typeof b.plugin !== 'string') throw new ArcaError('Validation', "'plugin' must be a plugin name or a Lambda ARN.", { field: 'plugin' })
        if (b.schedule !== undefined && (typeof b.schedule !== 'object' || b.schedule === null || Array.isArray(b.schedule)))
          throw new ArcaError('Validation', "'schedule' must be an object {automaticallyAfterDays | scheduleExpression, duration?}.", { field: 'schedule' })
        if (b.rotateImmediately !== undefined && typeof b.rotateImmediately !== 'boolean') throw new ArcaError('Validation', "'rotateImmediately' must be true or false.", { field: 'rotateImmediately' })
        await rotation.rotateSecret(caller, {
          secretId,
          ...(b.plugin !== undefined ? { rotationLambdaARN: b.plugin as string } : {}),
          ...(b.schedule !== undefined ? { rotationRules: b.schedule as object } : {}),
          rotateImmediately: b.rotateImmediately === true,
        })
        return c.json(json(await rotation.getRotation(caller, { secretId })) as object)
      }
      if (t.sub === 'rotation' && method === 'DELETE') return c.json(await rotation.cancelRotateSecret(caller, { secretId }))
      if (t.sub === 'rotation/run' && method === 'POST') {
        const wait = c.req.query('wait') === 'true'
        const out = await rotation.rotateNow(caller, { secretId, wait })
        return c.json(out, wait ? 200 : 202)
      }
      if ((t.sub === 'rotation/pause' || t.sub === 'rotation/resume') && method === 'POST')
        return c.json(json(await rotation.setRotationPaused(caller, { secretId, paused: t.sub === 'rotation/pause' })) as object)
      if (t.sub === 'rotations' && method === 'GET') {
        const cursor = c.req.query('cursor')
        const out = await rotation.listRotationAttempts(caller, { secretId, limit: limitOf(c), ...(cursor ? { cursor } : {}) })
        return c.json({ arn: out.arn, name: out.name, attempts: json(out.attempts), ...(out.nextCursor ? { cursor: out.nextCursor } : {}) })
      }
      throw new ArcaError('NotFound', `No route for ${method} …/${t.sub}`)
    } catch (err) {
      if (!isArcaError(err) || err.code === 'Internal') opts.log?.error('rotation request failed', { error: String(err) })
      return problem(c, err)
    }
  }
  app.on(['GET', 'PUT', 'POST', 'DELETE'], '/*', handle)
  return app
}
