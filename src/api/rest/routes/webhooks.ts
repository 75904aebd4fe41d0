import { type Context, Hono } from 'hono'
import { ArcaError, isArcaError, type Logger, toDate } from '../../../core/index.ts'
import type { Webhook, WebhookAttempt, Webhooks } from '../../../services/notify/index.ts'
import type { AppEnv } from '../env.ts'
import { problem } from '../problem.ts'
import { accountScope, deniedTo, principalOf } from './account-scope.ts'

export interface WebhookRouteOptions {
  /** The operator's account: its administrator may act in any account with `?account=`. */
  defaultAccount: string
  log?: Pick<Logger, 'error'>
}

type Ctx = Context<AppEnv>

async function readObject(c: Ctx, allowed: readonly string[]): Promise<Record<string, unknown>> {
  const text = await c.req.text()
  if (text.trim() === '') return {}
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    throw new ArcaError('Serialization', `The request body is not valid JSON: ${(e as Error).message}`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ArcaError('Serialization', 'The request body must be a JSON object.')
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new ArcaError('Validation', `Unknown field '${key}' in the request body (expected ${allowed.join(', ')}).`, { field: key })
  }
  return value as Record<string, unknown>
}

const iso = (ms: number) => toDate(ms).toISOString()

function view(w: Webhook) {
  return { id: w.id, account: w.account, url: w.url, pattern: w.pattern, enabled: w.enabled, createdAt: iso(w.createdAt), updatedAt: iso(w.updatedAt) }
}

function attemptView(a: WebhookAttempt) {
  return {
    id: a.id,
    eventId: a.eventId,
    deliveryId: a.deliveryId,
    deliveryState: a.deliveryState,
    attemptedAt: iso(a.attemptedAt),
    statusCode: a.statusCode,
    error: a.error,
    durationMs: a.durationMs,
    success: a.success,
  }
}

/**
 * `/v1/webhooks`: an account's webhook subscriptions and their delivery attempts. Only the
 * account's administrator may manage them (a webhook sends the account's events elsewhere).
 * The signing secret is in the create answer only.
 */
export function createWebhookRoutes(webhooks: Webhooks, opts: WebhookRouteOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.onError((err, c) => {
    if (!isArcaError(err) || err.code === 'Internal') opts.log?.error('webhooks request failed', { error: String(err) })
    return problem(c, err)
  })

  app.use('*', async (c, next) => {
    const p = principalOf(c)
    if (!p.admin) throw deniedTo(p, `webhook management in account ${p.account} (only the account's administrator may)`)
    await next()
  })

  app.post('/', async (c) => {
    const body = await readObject(c, ['url', 'pattern', 'enabled'])
    const made = await webhooks.create(accountScope(c, opts.defaultAccount), body)
    return c.json({ ...view(made.webhook), secret: made.secret }, 201)
  })

  app.get('/', async (c) => {
    const list = await webhooks.list(accountScope(c, opts.defaultAccount))
    return c.json({ webhooks: list.map(view) })
  })

  app.get('/:id', async (c) => c.json(view(await webhooks.get(accountScope(c, opts.defaultAccount), c.req.param('id')))))

  app.patch('/:id', async (c) => {
    const body = await readObject(c, ['url', 'pattern', 'enabled'])
    return c.json(view(await webhooks.update(accountScope(c, opts.defaultAccount), c.req.param('id'), body)))
  })

  app.delete('/:id', async (c) => {
    await webhooks.delete(accountScope(c, opts.defaultAccount), c.req.param('id'))
    return c.body(null, 204)
  })

  app.get('/:id/deliveries', async (c) => {
    const rawLimit = c.req.query('limit')
    const limit = rawLimit === undefined ? undefined : Number(rawLimit)
    if (limit !== undefined && !Number.isInteger(limit)) throw new ArcaError('Validation', `'limit' must be a whole number.`, { field: 'limit' })
    const page = await webhooks.attempts(accountScope(c, opts.defaultAccount), c.req.param('id'), { limit, nextToken: c.req.query('nextToken') })
    return c.json({ attempts: page.attempts.map(attemptView), ...(page.nextToken ? { nextToken: page.nextToken } : {}) })
  })

  return app
}
