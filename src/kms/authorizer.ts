import { ArcaError } from '../core/index.ts'
import type { KeyRecord } from './keys/record.ts'
import type { Caller, EncryptionContext, Grant } from './types.ts'

/** One authorization question: may this caller do this action on this key? */
export interface AuthzRequest {
  caller: Caller
  /** `kms:Encrypt`, `kms:CreateKey`, … */
  action: string
  /** Absent for account-level actions (CreateKey, ListKeys, GenerateRandom). */
  key?: KeyRecord
  /** The resource ARN for account-level actions. */
  resource?: string
  encryptionContext?: EncryptionContext
  /** The alias the caller named, for `kms:RequestAlias`. */
  requestAlias?: string
  /** Extra condition keys the operation supplies (`kms:SigningAlgorithm`, `aws:RequestTag/k`, …). */
  conditions?: Record<string, string | string[] | number | boolean | undefined>
  /** The grant operation name this action maps to, when grants can allow it (e.g. `Decrypt`). */
  grantOperation?: string
  /**
   * Grants on `key` that may apply: those whose grantee is the caller, plus those named by the
   * caller's grant tokens. Loaded by the core only when `grantOperation` is set.
   */
  grants?: readonly Grant[]
}

/** Decides; throws AccessDenied when refused. The policy engine implements this. */
export interface Authorizer {
  authorize(req: AuthzRequest): void | Promise<void>
}

/** AWS's refusal message, in one place. */
export function accessDenied(req: Pick<AuthzRequest, 'caller' | 'action' | 'key' | 'resource'>, reason = 'no identity-based policy allows the'): ArcaError {
  const resource = req.key?.arn ?? req.resource ?? '*'
  return new ArcaError(
    'AccessDenied',
    `User: ${req.caller.principalArn} is not authorized to perform: ${req.action} on resource: ${resource} because ${reason} ${req.action} action`,
  )
}

/**
 * Until key policies are evaluated: the default key policy lets the key's own account do
 * everything, and nothing crosses accounts.
 */
export const accountAuthorizer: Authorizer = {
  authorize(req) {
    const owner = req.key?.account ?? req.caller.account
    if (owner !== req.caller.account) throw accessDenied(req)
  },
}

/**
 * Until identity and key policies are evaluated: an account's administrator may do everything in
 * its own account, and a principal without policies may do nothing.
 */
export const adminOnlyAuthorizer: Authorizer = {
  authorize(req) {
    const owner = req.key?.account ?? req.caller.account
    if (!req.caller.admin || owner !== req.caller.account) throw accessDenied(req)
  },
}
