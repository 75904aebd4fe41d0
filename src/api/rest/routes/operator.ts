import { Hono } from 'hono'
import { ArcaError } from '../../../core/index.ts'
import type { Seal } from '../../../kms/root/index.ts'
import { problem } from '../problem.ts'

/** Seal status and unseal: the only routes (with health) that answer while sealed. */
export function createOperatorRoutes(seal: Seal): Hono {
  const app = new Hono()
  app.get('/seal-status', (c) => c.json(seal.status()))
  app.post('/unseal', async (c) => {
    let body: unknown
    try {
      body = await c.req.json()
    } catch {
      return problem(c, new ArcaError('Serialization', 'The body must be JSON: {"share": "arca-share-…"}'))
    }
    const share = (body as { share?: unknown })?.share
    if (typeof share !== 'string') return problem(c, new ArcaError('Validation', 'share is required: {"share": "arca-share-…"}', { field: 'share' }))
    try {
      return c.json(await seal.submitShare(share))
    } catch (e) {
      return problem(c, e)
    }
  })
  return app
}
