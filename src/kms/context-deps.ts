import type { Kysely } from 'kysely'
import type { Clock } from '../core/index.ts'
import type { Schema } from '../store/index.ts'
import type { AuthzRequest, Authorizer } from './authorizer.ts'
import type { Barrier } from './barrier.ts'
import { type GrantStore, grantStoreOf } from './grants/store.ts'
import type { KeyStore } from './keys/key-store.ts'
import type { KeyRecord } from './keys/record.ts'
import type { Caller } from './types.ts'

/** Something worth telling the world about, written in the same transaction as the change (see services/notify). */
export interface KmsEvent {
  detailType: string
  account: string
  region: string
  resources: string[]
  detail: Record<string, unknown>
}

/** Records events inside the caller's transaction; the default drops them. */
export type EventRecorder = (db: Kysely<Schema>, event: KmsEvent) => Promise<void>

/** What every KMS operation module works with. */
export interface KmsContext {
  db: Kysely<Schema>
  store: KeyStore
  clock: Clock
  authorizer: Authorizer
  recordEvent: EventRecorder
  /**
   * The root-of-trust barrier, for records the KeyStore does not own: the RSA private halves of
   * GetParametersForImport's wrapping keys (bound with `importKeyAad(tokenId)`). Import operations
   * answer Internal without it; createKms sets it from its deps.
   */
  barrier?: Barrier
  /** PutKeyPolicy's lockout safety check, from the policy engine: would the caller keep PutKeyPolicy? */
  lockoutCheck?: (caller: Caller, keyArn: string, policy: string) => boolean
  /** Grant rows with their per-key cache; createKms sets it (grantStoreOf makes one otherwise). */
  grants?: GrantStore
}

/** The full question the authorizer is asked, with the grants that may apply loaded. */
export async function authzRequest(
  ctx: KmsContext,
  caller: Caller,
  action: string,
  key: KeyRecord | undefined,
  extra: Omit<AuthzRequest, 'caller' | 'action' | 'key'> = {},
): Promise<AuthzRequest> {
  const req: AuthzRequest = { caller, action, key, ...extra }
  if (extra.grantOperation !== undefined && key !== undefined && extra.grants === undefined) req.grants = await grantStoreOf(ctx).candidates(key, caller)
  return req
}

export async function authorize(
  ctx: KmsContext,
  caller: Caller,
  action: string,
  key: KeyRecord | undefined,
  extra: Omit<AuthzRequest, 'caller' | 'action' | 'key'> = {},
): Promise<void> {
  const req: AuthzRequest = { caller, action, key, ...extra }
  // Grants count only for actions a grant can allow; an operation may pass its own (CreateGrant does).
  if (extra.grantOperation !== undefined && key !== undefined && extra.grants === undefined) req.grants = await grantStoreOf(ctx).candidates(key, caller)
  await ctx.authorizer.authorize(req)
}
