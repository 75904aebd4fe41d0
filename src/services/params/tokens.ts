import { createHash } from 'node:crypto'
import { ArcaError } from '../../core/index.ts'

/**
 * NextToken: opaque to the caller, bound to the request it continues. It carries the keyset
 * cursor (the last name or version returned) and a hash of the request's defining fields
 * (operation, account, region, path, filters…); a token from another request, or a changed
 * one, answers InvalidNextToken. A cursor is a position, not an offset, so inserts and deletes
 * between pages neither repeat nor skip the parameters that stayed.
 */
function bindingOf(binding: unknown): string {
  return createHash('sha256').update(JSON.stringify(binding)).digest('base64url').slice(0, 16)
}

export function encodeToken(binding: unknown, cursor: string | number): string {
  return Buffer.from(JSON.stringify({ c: cursor, b: bindingOf(binding) }), 'utf8').toString('base64url')
}

export function decodeToken<T extends string | number>(binding: unknown, token: string, kind: 'string' | 'number'): T {
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'))
  } catch {
    throw invalidToken()
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalidToken()
  const { c, b } = parsed as { c?: unknown; b?: unknown }
  if (typeof c !== kind || b !== bindingOf(binding)) throw invalidToken()
  return c as T
}

function invalidToken(): ArcaError {
  return new ArcaError('InvalidMarker', 'The specified NextToken is not valid for this request.', { field: 'nextToken' })
}
