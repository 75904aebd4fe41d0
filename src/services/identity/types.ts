import type { Kysely } from 'kysely'
import type { Clock } from '../../core/index.ts'
import type { Barrier } from '../../kms/index.ts'
import type { Schema } from '../../store/index.ts'

export type PrincipalKind = 'user' | 'role'

/** A user or role. Structurally an `AuthenticatedPrincipal` (api/rest/env.ts) without `accessKeyId`. */
export interface Principal {
  /** Stable id, AWS-style: `AIDA…` for users, `AROA…` for roles. */
  id: string
  account: string
  kind: PrincipalKind
  name: string
  arn: string
  /** The account's administrator (the user `admin`): may do everything in its account. */
  admin: boolean
  tags: Record<string, string>
}

export interface PrincipalDetail extends Principal {
  accessKeys: { accessKeyId: string; createdAt: Date }[]
  /** Names of the principal's inline policies, sorted. */
  policies: string[]
}

export interface IdentityDeps {
  db: Kysely<Schema>
  barrier: Barrier
  clock: Clock
}

export interface BootstrapConfig {
  accountId: string
  adminAccessKeyId?: string
  adminSecretAccessKey?: string
}

export interface AdminCredentials {
  accessKeyId: string
  secretAccessKey: string
  token: string
}

export interface Identity {
  /**
   * At start, after unseal: the default account and its `admin` user exist; the configured
   * admin access key (the operator's word: created, re-secreted or moved to the admin as
   * needed); otherwise a first access key and API token for the admin, returned once.
   */
  bootstrap(cfg: BootstrapConfig): Promise<{ generated?: AdminCredentials }>
  /** The hot path of every SigV4 request: cached, see the cache notes in `index.ts`. */
  accessKey(accessKeyId: string): Promise<{ secretAccessKey: string; principal: Principal } | undefined>
  /** The principal a bearer token belongs to; unknown, malformed or expired → undefined. */
  authenticateToken(token: string): Promise<Principal | undefined>
  /** Every account also gets its administrator user `admin`. */
  createAccount(id?: string): Promise<{ id: string }>
  listAccounts(): Promise<{ id: string }[]>
  createPrincipal(kind: PrincipalKind, input: { name: string; account: string; tags?: Record<string, string> }): Promise<Principal>
  getPrincipal(kind: PrincipalKind, account: string, name: string): Promise<PrincipalDetail | undefined>
  listPrincipals(kind: PrincipalKind, account: string): Promise<Principal[]>
  /** Removes the principal with its access keys, tokens and policies; the administrator cannot be deleted. */
  deletePrincipal(kind: PrincipalKind, account: string, name: string): Promise<void>
  createAccessKey(kind: PrincipalKind, account: string, name: string): Promise<{ accessKeyId: string; secretAccessKey: string }>
  deleteAccessKey(kind: PrincipalKind, account: string, name: string, accessKeyId: string): Promise<void>
  putPolicy(kind: PrincipalKind, account: string, name: string, policyName: string, document: string): Promise<void>
  getPolicy(kind: PrincipalKind, account: string, name: string, policyName: string): Promise<string | undefined>
  deletePolicy(kind: PrincipalKind, account: string, name: string, policyName: string): Promise<void>
  listPolicies(kind: PrincipalKind, account: string, name: string): Promise<string[]>
  /** The principal's policy documents, cached beside the access keys for the hot path. */
  policiesOf(principal: Principal): Promise<readonly string[]>
  createToken(kind: PrincipalKind, account: string, name: string, ttlSeconds?: number): Promise<{ token: string; expiresAt: Date }>
}
