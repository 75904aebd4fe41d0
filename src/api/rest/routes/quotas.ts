import { Hono } from 'hono'
import { ArcaError } from '../../../core/index.ts'
import type { Quotas } from '../../quotas/index.ts'
import type { AppEnv, AuthenticatedPrincipal } from '../env.ts'
import { problem } from '../problem.ts'

/**
 * `GET /v1/admin/quotas[?account=]`: this node's request quotas (rate, burst: its share of each
 * limit) and the account's current use per class. An account's administrator sees its own
 * account; the default account's administrator may name another.
 */
export function createQuotaRoutes(quotas: Pick<Quotas, 'view' | 'settings'>, opts: { defaultAccount: string }): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.get('/', (c) => {
    try {
      const p = c.get('principal') as AuthenticatedPrincipal | undefined
      if (p === undefined) throw new ArcaError('Unauthenticated', 'Authentication required: send a bearer token or a SigV4 signature.')
      const account = c.req.query('account') ?? p.account
      if (!p.admin || (account !== p.account && p.account !== opts.defaultAccount)) {
        throw new ArcaError('AccessDenied', `User: ${p.arn} is not authorized to perform: quota view of account ${account}`)
      }
      const { enabled, nodes } = quotas.settings
      return c.json({ account, enabled, nodes, classes: quotas.view(account) })
    } catch (e) {
      return problem(c, e)
    }
  })
  return app
}
