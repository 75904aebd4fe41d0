import type { Context } from 'hono'
import { ACCOUNT_ID_PATTERN, ArcaError } from '../../../core/index.ts'
import type { AppEnv, AuthenticatedPrincipal } from '../env.ts'

export function principalOf(c: Context<AppEnv>): AuthenticatedPrincipal {
  const p = c.get('principal') as AuthenticatedPrincipal | undefined
  if (p === undefined) throw new ArcaError('Unauthenticated', 'Authentication required: send a bearer token or a SigV4 signature.')
  return p
}

export const deniedTo = (p: AuthenticatedPrincipal, what: string) => new ArcaError('AccessDenied', `User: ${p.arn} is not authorized to perform: ${what}`)

/**
 * The account a request acts in: the caller's own; only the default account's administrator
 * may name another with `?account=` (as in /v1/admin). Nothing else ever crosses accounts.
 */
export function accountScope(c: Context<AppEnv>, defaultAccount: string): string {
  const p = principalOf(c)
  const wanted = c.req.query('account')
  if (wanted === undefined || wanted === p.account) return p.account
  if (!ACCOUNT_ID_PATTERN.test(wanted)) throw new ArcaError('Validation', `'account' must be 12 digits.`, { field: 'account' })
  if (!(p.admin && p.account === defaultAccount)) throw deniedTo(p, `access to account ${wanted} (only the default account's administrator may act in other accounts)`)
  return wanted
}
