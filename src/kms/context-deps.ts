import type { Kysely } from 'kysely'
import type { Clock } from '../core/index.ts'
import type { Schema } from '../store/index.ts'
import type { AuthzRequest, Authorizer } from './authorizer.ts'
import type { Barrier } from './barrier.ts'
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
}

export async function authorize(
  ctx: KmsContext,
  caller: Caller,
  action: string,
  key: KeyRecord | undefined,
  extra: Omit<AuthzRequest, 'caller' | 'action' | 'key'> = {},
): Promise<void> {
  await ctx.authorizer.authorize({ caller, action, key, ...extra })
}
