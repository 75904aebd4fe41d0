import { type Context, Hono } from 'hono'
import { ArcaError, type Logger } from '../../../core/index.ts'
import type { Caller } from '../../../kms/index.ts'
import type { Expiry } from '../../../services/expiry/index.ts'
import type { AppEnv, AuthenticatedPrincipal } from '../env.ts'
import { problem } from '../problem.ts'
import { principalOf } from './account-scope.ts'

/**
 * Expiry over REST (issue 11):
 *   GET    /v1/expiring?within=30d[&type=secret|parameter|key][&limit=][&nextToken=]
 *          the caller's account's items due to expire, go stale or be deleted, by due time
 *   PUT    /v1/secrets/{name}/policies   [policy, …] or {policies, action?, recoveryWindowInDays?}
 *   GET    /v1/secrets/{name}/policies
 *   DELETE /v1/secrets/{name}/policies
 */
export interface ExpiryRouteOptions {
  policiesOf?: (p: AuthenticatedPrincipal) => Promise<readonly string[]>
  log?: Pick<Logger, 'error'>
}

type Ctx = Context<AppEnv>
const SUFFIX = '/policies'

async function callerOf(c: Ctx, opts: ExpiryRouteOptions): Promise<Caller> {
  const p = principalOf(c)
  const r = c.get('request')
  const caller: Caller = { account: p.account, principalArn: p.arn, region: r.region, admin: p.admin, principalTags: p.tags, secureTransport: false }
  if (p.accessKeyId) caller.accessKeyId = p.accessKeyId
  if (r.userAgent) caller.userAgent = r.userAgent
  if (r.sourceIp) caller.sourceIp = r.sourceIp
  if (opts.policiesOf) caller.policies = await opts.policiesOf(p)
  return caller
}

export function createExpiringRoutes(expiry: Expiry, opts: ExpiryRouteOptions = {}): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.get('/', async (c) => {
    try {
      const limit = c.req.query('limit')
      const type = c.req.query('type')
      const token = c.req.query('nextToken')
      const out = await expiry.listExpiring(await callerOf(c, opts), {
        within: c.req.query('within') ?? '30d',
        ...(type ? { type } : {}),
        ...(limit !== undefined ? { limit: Number(limit) } : {}),
        ...(token ? { nextToken: token } : {}),
      })
      return c.json(out)
    } catch (e) {
      return problem(c, e)
    }
  })
  return app
}

/** Mounted before `/secrets`: answers only `/secrets/{name}/policies` and passes everything else on. */
export function createSecretPolicyRoutes(expiry: Expiry, opts: ExpiryRouteOptions = {}): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.on(['GET', 'PUT', 'DELETE'], '/secrets/*', async (c, next) => {
    const path = new URL(c.req.url).pathname
    const i = path.indexOf('/secrets/')
    if (!path.endsWith(SUFFIX) || c.req.query('secret') === 'true') return next()
    try {
      let name: string
      try {
        name = decodeURIComponent(path.slice(i + '/secrets/'.length, -SUFFIX.length))
      } catch {
        throw new ArcaError('Validation', 'The secret name in the path is not valid percent-encoding.', { field: 'name' })
      }
      const caller = await callerOf(c, opts)
      if (c.req.method === 'GET') return c.json(await expiry.getSecretPolicies(caller, name))
      if (c.req.method === 'DELETE') {
        await expiry.deleteSecretPolicies(caller, name)
        return c.body(null, 204)
      }
      let body: unknown
      try {
        body = await c.req.json()
      } catch {
        throw new ArcaError('Validation', 'The body must be JSON.', { field: 'policies' })
      }
      return c.json(await expiry.putSecretPolicies(caller, name, body))
    } catch (e) {
      return problem(c, e)
    }
  })
  return app
}
