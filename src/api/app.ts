import { Hono } from 'hono'
import { ArcaError, VERSION, silentLogger, uuid } from '../core/index.ts'
import { awsErrorResponse } from './aws/router.ts'
import type { Seal } from '../kms/root/index.ts'
import { problem } from './rest/problem.ts'
import { createOperatorRoutes } from './rest/routes/operator.ts'

export interface AppDeps {
  seal: Seal
  /** The unsealed application (AWS faces and REST), once start-up finished; undefined before. */
  ready: () => { fetch: (req: Request, env?: unknown) => Response | Promise<Response> } | undefined
}

/**
 * The outer HTTP app: health and unseal answer always; everything else answers 503 while
 * Arca is sealed or still starting, and is otherwise handed to the unsealed app.
 */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono()
  app.get('/healthz', (c) => {
    const sealed = deps.seal.sealed
    const status = sealed ? 'sealed' : deps.ready() ? 'ok' : 'starting'
    return c.json({ status, sealed, version: VERSION })
  })
  app.route('/v1/operator', createOperatorRoutes(deps.seal))
  app.all('*', (c) => {
    const inner = deps.ready()
    if (deps.seal.sealed || !inner) {
      const err = new ArcaError('Sealed', deps.seal.sealed ? 'Arca is sealed: unseal it with `arca operator unseal` (POST /v1/operator/unseal)' : 'Arca is starting; retry in a moment.')
      // AWS clients read only `__type`: answer them in their own protocol.
      const target = c.req.header('x-amz-target')
      if (target) {
        const service = target.startsWith('AmazonSSM.') ? 'ssm' : target.startsWith('secretsmanager.') ? 'secretsmanager' : 'kms'
        return awsErrorResponse(c, silentLogger, err, service, uuid())
      }
      return problem(c, err)
    }
    return inner.fetch(c.req.raw, c.env)
  })
  return app
}
