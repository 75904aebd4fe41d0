import type { Caller } from '../types.ts'
import type { CompiledStatement } from './parse.ts'

/** The identities a caller presents to a Principal element. */
export interface Who {
  arn: string
  /** For an assumed-role session, the role's own ARN (`arn:aws:iam::A:role/R`). */
  role?: string
  /** The caller's account, as `arn:aws:iam::A:root`. */
  root: string
  isRoot: boolean
}

const ASSUMED_ROLE = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\//

export function whoIs(caller: Pick<Caller, 'account' | 'principalArn'>): Who {
  const partition = caller.principalArn.startsWith('arn:') ? caller.principalArn.slice(4, caller.principalArn.indexOf(':', 4)) : 'aws'
  const root = `arn:${partition}:iam::${caller.account}:root`
  const m = ASSUMED_ROLE.exec(caller.principalArn)
  return {
    arn: caller.principalArn,
    ...(m ? { role: `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` } : {}),
    root,
    isRoot: caller.principalArn === root,
  }
}

export const NO_MATCH = 0
/** The statement names the caller itself (its ARN, its role, `*`, or NotPrincipal not listing it). */
export const DIRECT = 1
/** The statement names the caller's account: for an Allow, that delegates to the account's IAM policies. */
export const ACCOUNT = 2
export type PrincipalMatch = 0 | 1 | 2

/**
 * How a statement's Principal relates to the caller (IAM User Guide, "AWS JSON policy elements:
 * Principal"). A key policy naming `arn:aws:iam::A:root` does not allow A's users by itself: it
 * lets A's identity policies decide (KMS Developer Guide, "Default key policy" → "Allows access
 * to the AWS account and enables IAM policies"). For the root user itself that entry is direct.
 *
 * NotPrincipal excludes a caller only when every identity it presents is listed: user + account,
 * or session + role + account (IAM User Guide, "NotPrincipal"); otherwise the statement applies.
 */
export function principalMatch(st: CompiledStatement, who: Who): PrincipalMatch {
  const p = st.principal
  if (p === undefined) return DIRECT
  if (st.notPrincipal) {
    const listed = p.any || (p.aws.has(who.arn) && p.aws.has(who.root) && (who.role === undefined || p.aws.has(who.role)))
    return listed ? NO_MATCH : DIRECT
  }
  if (p.any || p.aws.has(who.arn) || (who.role !== undefined && p.aws.has(who.role))) return DIRECT
  if (p.aws.has(who.root)) return ACCOUNT
  return NO_MATCH
}
