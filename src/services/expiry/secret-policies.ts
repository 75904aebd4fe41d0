import type { Kysely } from 'kysely'
import { ArcaError, type Clock, toDate } from '../../core/index.ts'
import type { Caller } from '../../kms/index.ts'
import type { Schema } from '../../store/index.ts'
import { authorizeOn, findSecret, requireNotDeleted } from '../secrets/index.ts'
import type { Authorize } from '../shared/index.ts'
import { type ExpiryConfig, checkAction, parseExpiryPolicies } from './grammar.ts'
import { effectiveConfig, loadItem, saveItem } from './store.ts'

export interface SecretPoliciesDeps {
  db: Kysely<Schema>
  clock: Clock
  authorize: Authorize
  forget: (arn: string) => void
}

export interface SecretPoliciesOut {
  arn: string
  name: string
  /** Where the configuration in force comes from. */
  source: 'api' | 'tags' | 'none'
  policies: unknown[]
  action: string
  recoveryWindowInDays: number
  pending: { policyType: string; dueAt: string; action: string }[]
}

/** The body of PUT /v1/secrets/{name}/policies: the JSON list, or {policies, action?, recoveryWindowInDays?}. */
export function parseBody(body: unknown, now: number): ExpiryConfig {
  const obj = Array.isArray(body) ? { policies: body } : (body as Record<string, unknown> | null)
  if (typeof obj !== 'object' || obj === null) throw new ArcaError('Validation', 'The body must be a JSON list of policies or {policies, action, recoveryWindowInDays}.', { field: 'policies' })
  const policies = parseExpiryPolicies(obj.policies, now).map((p) => p.text)
  return { policies, ...checkAction(obj.action, obj.recoveryWindowInDays) }
}

export async function putSecretPolicies(deps: SecretPoliciesDeps, caller: Caller, name: string, body: unknown): Promise<SecretPoliciesOut> {
  const row = await findSecret(deps.db, caller, name)
  await authorizeOn(deps, caller, 'UpdateSecret', row)
  requireNotDeleted(row)
  const now = deps.clock.now()
  const config = parseBody(body, now)
  await deps.db.transaction().execute((tx) => saveItem(tx, 'secret', row, { api_config: JSON.stringify(config) }, { changedAt: row.last_changed_at, accessedAt: row.last_accessed_at ?? now }))
  deps.forget(row.arn)
  return getSecretPolicies(deps, caller, name)
}

export async function getSecretPolicies(deps: SecretPoliciesDeps, caller: Caller, name: string): Promise<SecretPoliciesOut> {
  const row = await findSecret(deps.db, caller, name)
  await authorizeOn(deps, caller, 'DescribeSecret', row)
  const item = await loadItem(deps.db, 'secret', row.arn)
  const config = effectiveConfig(item)
  const pending = await deps.db.selectFrom('expiry_moments').select(['policy_type', 'due_at', 'action']).where('item_type', '=', 'secret').where('arn', '=', row.arn).where('pending', '=', 1).orderBy('due_at').execute()
  return {
    arn: row.arn,
    name: row.name,
    source: item?.api_config ? 'api' : item?.tag_config ? 'tags' : 'none',
    policies: (config?.policies ?? []).map((t) => JSON.parse(t) as unknown),
    action: config?.action ?? 'notify',
    recoveryWindowInDays: config?.recoveryDays ?? 30,
    pending: pending.map((p) => ({ policyType: p.policy_type, dueAt: toDate(p.due_at).toISOString(), action: p.action })),
  }
}

/** Removes the REST-set policies (tag-set expiry, if any, applies again). */
export async function deleteSecretPolicies(deps: SecretPoliciesDeps, caller: Caller, name: string): Promise<void> {
  const row = await findSecret(deps.db, caller, name)
  await authorizeOn(deps, caller, 'UpdateSecret', row)
  const item = await loadItem(deps.db, 'secret', row.arn)
  if (!item) return
  await deps.db.transaction().execute((tx) => saveItem(tx, 'secret', row, { api_config: null }, { changedAt: item.changed_at, accessedAt: item.accessed_at }))
  deps.forget(row.arn)
}
