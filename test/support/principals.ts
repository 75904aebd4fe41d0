/**
 * Accounts, users, roles, identity policies and access keys for black-box tests, made through the
 * server's own identity service (`t.services.identity`, the same calls the admin REST API makes).
 */
import type { Credentials } from './aws.ts'
import type { TestServer } from './server.ts'

export interface MadePrincipal {
  account: string
  kind: 'user' | 'role'
  name: string
  arn: string
  credentials: Credentials
}

export interface PrincipalSpec {
  account: string
  kind?: 'user' | 'role'
  name: string
  tags?: Record<string, string>
  /** Identity policies, as documents or JSON text; stored as `p0`, `p1`, … */
  policies?: (string | object)[]
}

/** Creates the account (with its `admin` user) unless it exists. */
export async function ensureAccount(t: TestServer, id: string): Promise<void> {
  const existing = await t.services.identity.listAccounts()
  if (!existing.some((a) => a.id === id)) await t.services.identity.createAccount(id)
}

/** Attaches identity policies to an existing principal (`p0`, `p1`, … after `firstIndex`). */
export async function attachPolicies(t: TestServer, kind: 'user' | 'role', account: string, name: string, policies: (string | object)[], firstIndex = 0): Promise<void> {
  for (const [i, doc] of policies.entries()) {
    await t.services.identity.putPolicy(kind, account, name, `p${firstIndex + i}`, typeof doc === 'string' ? doc : JSON.stringify(doc))
  }
}

/** A new user or role with tags, identity policies and one access key. */
export async function makePrincipal(t: TestServer, spec: PrincipalSpec): Promise<MadePrincipal> {
  const kind = spec.kind ?? 'user'
  const p = await t.services.identity.createPrincipal(kind, { name: spec.name, account: spec.account, ...(spec.tags ? { tags: spec.tags } : {}) })
  await attachPolicies(t, kind, spec.account, spec.name, spec.policies ?? [])
  const credentials = await t.services.identity.createAccessKey(kind, spec.account, spec.name)
  return { account: spec.account, kind, name: spec.name, arn: p.arn, credentials }
}

/** An access key for the `admin` user of an account (which must exist). */
export async function accountAdmin(t: TestServer, account: string): Promise<MadePrincipal> {
  const credentials = await t.services.identity.createAccessKey('user', account, 'admin')
  return { account, kind: 'user', name: 'admin', arn: `arn:aws:iam::${account}:user/admin`, credentials }
}

/** A bearer token for a user (for the REST API). */
export async function tokenFor(t: TestServer, account: string, name: string): Promise<string> {
  return (await t.services.identity.createToken('user', account, name)).token
}
