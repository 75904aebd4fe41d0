import { Hono } from 'hono'
import { ArcaError } from '../../../core/index.ts'
import type { AppEnv, AuthenticatedPrincipal } from '../env.ts'
import { problem } from '../problem.ts'

/** `GET /v1/whoami`: who the authenticated caller is (any principal, not only administrators). */
export function createWhoamiRoute(): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.get('/', (c) => {
    const p = c.get('principal') as AuthenticatedPrincipal | undefined
    if (p === undefined) return problem(c, new ArcaError('Unauthenticated', 'Authentication required: send a bearer token or a SigV4 signature.'))
    return c.json({
      account: p.account,
      arn: p.arn,
      name: p.name,
      kind: p.kind,
      admin: p.admin,
      ...(p.accessKeyId !== undefined ? { accessKeyId: p.accessKeyId } : {}),
    })
  })
  return app
}
