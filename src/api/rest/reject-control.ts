import type { MiddlewareHandler } from 'hono'
import { ArcaError } from '../../core/index.ts'
import type { AppEnv } from './env.ts'
import { problem } from './problem.ts'

// U+0000 cannot be stored in PostgreSQL text (22021) and is in no valid name, id or filter.
const NUL = /\u0000|%00/i

/** Refuses a request whose path or query carries a NUL before any route sees it (400, not a database error). */
export function rejectNul(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const url = c.req.url
    const at = url.indexOf('/', url.indexOf('//') + 2)
    if (NUL.test(at < 0 ? '' : url.slice(at))) return problem(c, new ArcaError('Validation', 'The request path or query contains a NUL character.'))
    await next()
  }
}
