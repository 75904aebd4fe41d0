import { type Context, Hono } from 'hono'
import { ArcaError, isArcaError, type Logger } from '../../../core/index.ts'
import type { Identity, PrincipalKind } from '../../../services/identity/index.ts'
import type { AppEnv, AuthenticatedPrincipal } from '../env.ts'
import { problem } from '../problem.ts'

export interface AdminRouteOptions {
  /** The operator's account: its administrator may manage every account with `?account=`. */
  defaultAccount: string
  /** Where faults (non-Arca errors) are logged; the caller only sees a generic message. */
  log?: Pick<Logger, 'error'>
}

type Ctx = Context<AppEnv>
type Body = Record<string, unknown>

/** Reads a JSON object body; empty means `{}`; a field outside `allowed` is refused (typos fail loudly). */
async function readObject(c: Ctx, allowed: readonly string[]): Promise<Body> {
  const text = await c.req.text()
  if (text.trim() === '') return {}
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    throw new ArcaError('Serialization', `The request body is not valid JSON: ${(e as Error).message}`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ArcaError('Serialization', 'The request body must be a JSON object.')
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      const expected = allowed.length === 0 ? 'no fields' : allowed.join(', ')
      throw new ArcaError('Validation', `Unknown field '${key}' in the request body (expected ${expected}).`, { field: key })
    }
  }
  return value as Body
}

function optionalString(body: Body, field: string): string | undefined {
  const v = body[field]
  if (v === undefined) return undefined
  if (typeof v !== 'string') throw new ArcaError('Validation', `'${field}' must be a string.`, { field })
  return v
}

/** A path parameter (the route's pattern guarantees it is there). */
function param(c: Ctx, name: string): string {
  return c.req.param(name) ?? ''
}

function principalOf(c: Ctx): AuthenticatedPrincipal {
  const p = c.get('principal') as AuthenticatedPrincipal | undefined
  if (p === undefined) throw new ArcaError('Unauthenticated', 'Authentication required: send a bearer token or a SigV4 signature.')
  return p
}

const denied = (p: AuthenticatedPrincipal, what: string) =>
  new ArcaError('AccessDenied', `User: ${p.arn} is not authorized to perform: ${what}`)

/**
 * The administration contract (`/v1/admin`), relied on by outside tooling: accounts, users,
 * roles, their access keys, policies and API tokens. Only an account's administrator may call
 * it, acting in its own account; the default account's administrator may name another with
 * `?account=` (or `account` in a create body).
 */
export function createAdminRoutes(identity: Identity, opts: AdminRouteOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.onError((err, c) => {
    if (!isArcaError(err) || err.code === 'Internal') opts.log?.error('admin request failed', { error: String(err), cause: isArcaError(err) ? String(err.cause) : undefined })
    return problem(c, err)
  })

  app.use('*', async (c, next) => {
    const p = principalOf(c)
    if (!p.admin) throw denied(p, `administration of account ${p.account} (only the account's administrator may)`)
    await next()
  })

  const isOperator = (p: AuthenticatedPrincipal) => p.account === opts.defaultAccount

  /** The account a request acts in: the caller's, or another one for the operator's administrator. */
  function accountFor(c: Ctx, fromBody?: string): string {
    const p = principalOf(c)
    const fromQuery = c.req.query('account')
    if (fromQuery !== undefined && fromBody !== undefined && fromQuery !== fromBody) {
      throw new ArcaError('Validation', `The account in the query (${fromQuery}) and in the body (${fromBody}) differ.`, { field: 'account' })
    }
    const wanted = fromBody ?? fromQuery
    if (wanted === undefined || wanted === p.account) return p.account
    if (!isOperator(p)) throw denied(p, `administration of account ${wanted} (only the default account's administrator may act in other accounts)`)
    return wanted
  }

  app.post('/accounts', async (c) => {
    const p = principalOf(c)
    if (!isOperator(p)) throw denied(p, 'account creation (only the default account\'s administrator may)')
    const body = await readObject(c, ['id'])
    const created = await identity.createAccount(optionalString(body, 'id'))
    return c.json({ id: created.id }, 201)
  })

  app.get('/accounts', async (c) => {
    const p = principalOf(c)
    // Tenants do not see each other: an account's administrator sees only its own account.
    const accounts = isOperator(p) ? await identity.listAccounts() : [{ id: p.account }]
    return c.json({ accounts: accounts.map((a) => ({ id: a.id })) })
  })

  for (const [plural, kind] of [['users', 'user'], ['roles', 'role']] as const) {
    mountPrincipalRoutes(plural, kind)
  }

  function mountPrincipalRoutes(plural: string, kind: PrincipalKind) {
    const base = `/${plural}/:name`

    app.post(`/${plural}`, async (c) => {
      const body = await readObject(c, ['name', 'account', 'tags'])
      const account = accountFor(c, optionalString(body, 'account'))
      if (body.name === undefined) throw new ArcaError('Validation', `'name' is required.`, { field: 'name' })
      const created = await identity.createPrincipal(kind, { name: body.name as string, account, tags: body.tags as Record<string, string> | undefined })
      return c.json({ name: created.name, arn: created.arn, account: created.account }, 201)
    })

    app.get(`/${plural}`, async (c) => {
      const list = await identity.listPrincipals(kind, accountFor(c))
      return c.json({ [plural]: list.map((x) => ({ name: x.name, arn: x.arn, account: x.account, tags: x.tags })) })
    })

    app.get(base, async (c) => {
      const name = param(c, 'name')
      const found = await identity.getPrincipal(kind, accountFor(c), name)
      if (found === undefined) throw new ArcaError('NotFound', `The ${kind} with name ${name} cannot be found.`, { field: 'name' })
      return c.json({
        name: found.name,
        arn: found.arn,
        account: found.account,
        tags: found.tags,
        accessKeys: found.accessKeys.map((k) => ({ accessKeyId: k.accessKeyId, createdAt: k.createdAt.toISOString() })),
        policies: found.policies,
      })
    })

    app.delete(base, async (c) => {
      await identity.deletePrincipal(kind, accountFor(c), param(c, 'name'))
      return c.body(null, 204)
    })

    app.post(`${base}/access-keys`, async (c) => {
      await readObject(c, [])
      const key = await identity.createAccessKey(kind, accountFor(c), param(c, 'name'))
      return c.json({ accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey }, 201)
    })

    app.delete(`${base}/access-keys/:accessKeyId`, async (c) => {
      await identity.deleteAccessKey(kind, accountFor(c), param(c, 'name'), param(c, 'accessKeyId'))
      return c.body(null, 204)
    })

    app.get(`${base}/policies`, async (c) => {
      const policies = await identity.listPolicies(kind, accountFor(c), param(c, 'name'))
      return c.json({ policies })
    })

    app.put(`${base}/policies/:policyName`, async (c) => {
      // The body is the policy document itself, stored as sent.
      const document = await c.req.text()
      await identity.putPolicy(kind, accountFor(c), param(c, 'name'), param(c, 'policyName'), document)
      return c.body(null, 204)
    })

    app.get(`${base}/policies/:policyName`, async (c) => {
      const policyName = param(c, 'policyName')
      const document = await identity.getPolicy(kind, accountFor(c), param(c, 'name'), policyName)
      if (document === undefined) throw new ArcaError('NotFound', `The ${kind} policy with name ${policyName} cannot be found.`, { field: 'policyName' })
      return c.body(document, 200, { 'content-type': 'application/json' })
    })

    app.delete(`${base}/policies/:policyName`, async (c) => {
      await identity.deletePolicy(kind, accountFor(c), param(c, 'name'), param(c, 'policyName'))
      return c.body(null, 204)
    })

    app.post(`${base}/tokens`, async (c) => {
      const body = await readObject(c, ['ttlSeconds'])
      const made = await identity.createToken(kind, accountFor(c), param(c, 'name'), body.ttlSeconds as number | undefined)
      return c.json({ token: made.token, expiresAt: made.expiresAt.toISOString() }, 201)
    })
  }

  return app
}
