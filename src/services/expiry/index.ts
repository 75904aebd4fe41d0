/**
 * Expiry for every item type (issue 11): one policy grammar (Parameter Store's, plus
 * NoAccessNotification) and one evaluator; item types only say where their timestamps live.
 * Each item's configuration lives in `expiry_items` (REST-set policies win over `arca:*` tags);
 * it produces due moments in `expiry_moments`, which `runDueExpiry` fires exactly once each,
 * in the same transaction as the outbox event (late when Arca was down at the due time).
 *
 * tables: expiry_items, expiry_moments.
 */
import type { Kysely } from 'kysely'
import type { Clock } from '../../core/index.ts'
import type { Caller } from '../../kms/index.ts'
import type { Schema } from '../../store/index.ts'
import type { Authorize, EventSink, SecretExpiryHooks } from '../shared/index.ts'
import { runDueExpiry } from './job.ts'
import { secretHooks } from './hooks.ts'
import { type SecretPoliciesOut, deleteSecretPolicies, getSecretPolicies, putSecretPolicies } from './secret-policies.ts'
import { type ExpiringItem, type ExpiringQuery, listExpiring } from './view.ts'

export { NOTIFICATION_EVENT, EXPIRED_EVENT, LATE_AFTER_MS } from './job.ts'
export { ACCESS_WRITE_INTERVAL_MS } from './hooks.ts'
export { EXPIRY_TAGS, configFromTags } from './tags.ts'
export { parseExpiryPolicies, type ExpiryPolicy, type ExpiryPolicyType, type ExpiryConfig, type ExpiryAction } from './grammar.ts'
export { dueMoments, type ItemTimes, type DueMoment } from './evaluate.ts'
export { parseWithin, DEFAULT_PAGE, MAX_PAGE, type ExpiringItem, type ExpiringQuery } from './view.ts'
export type { SecretPoliciesOut } from './secret-policies.ts'

export interface ExpiryDeps {
  db: Kysely<Schema>
  clock: Clock
  authorize: Authorize
  events: EventSink
}

export interface Expiry {
  /** Hooks for the secrets service (SecretsDeps.expiry). */
  readonly secretHooks: SecretExpiryHooks
  /** The scheduler's job: fires every due moment once; returns how many fired. */
  runDue(now?: number): Promise<number>
  /** GET /v1/expiring. */
  listExpiring(caller: Caller, q: ExpiringQuery): Promise<{ items: ExpiringItem[]; nextToken?: string }>
  putSecretPolicies(caller: Caller, name: string, body: unknown): Promise<SecretPoliciesOut>
  getSecretPolicies(caller: Caller, name: string): Promise<SecretPoliciesOut>
  deleteSecretPolicies(caller: Caller, name: string): Promise<void>
}

/** Builds the expiry service. */
export function createExpiry(deps: ExpiryDeps): Expiry {
  const hooks = secretHooks(deps.db)
  const forget = (arn: string) => hooks.forget(arn)
  const p = { db: deps.db, clock: deps.clock, authorize: deps.authorize, forget }
  return {
    secretHooks: hooks,
    runDue: (now = deps.clock.now()) => runDueExpiry({ db: deps.db, events: deps.events, forget }, now),
    listExpiring: (caller, q) => listExpiring({ db: deps.db, authorize: deps.authorize, now: deps.clock.now() }, caller, q),
    putSecretPolicies: (caller, name, body) => putSecretPolicies(p, caller, name, body),
    getSecretPolicies: (caller, name) => getSecretPolicies(p, caller, name),
    deleteSecretPolicies: (caller, name) => deleteSecretPolicies(p, caller, name),
  }
}
