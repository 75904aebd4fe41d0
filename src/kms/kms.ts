import type { Kysely } from 'kysely'
import type { Clock } from '../core/index.ts'
import type { Schema } from '../store/index.ts'
import { type Authorizer, accountAuthorizer } from './authorizer.ts'
import type { Barrier } from './barrier.ts'
import type { EventRecorder, KmsContext } from './context-deps.ts'
import * as grants from './grants/index.ts'
import * as aliases from './keys/aliases.ts'
import * as deletion from './keys/deletion.ts'
import * as importing from './keys/import.ts'
import * as keyPolicy from './keys/key-policy.ts'
import { KeyStore, type KeyStoreOptions } from './keys/key-store.ts'
import * as lifecycle from './keys/lifecycle.ts'
import * as multiRegion from './keys/multi-region.ts'
import { awsManagedKey, describeKeyOrManaged } from './keys/managed.ts'
import * as rotation from './keys/rotation.ts'
import * as tags from './keys/tags.ts'
import * as asymmetric from './ops/asymmetric.ts'
import * as symmetric from './ops/symmetric.ts'
import type { Caller } from './types.ts'
import { type ExplainInput, explainKmsRequest } from './explain-request.ts'
import type { Explanation } from './policy/index.ts'

const operations = {
  createKey: (ctx: KmsContext, caller: Caller, input: lifecycle.CreateKeyInput) => lifecycle.createKey(ctx, caller, input),
  describeKey: describeKeyOrManaged,
  listKeys: lifecycle.listKeys,
  updateKeyDescription: lifecycle.updateKeyDescription,
  enableKey: lifecycle.enableKey,
  disableKey: lifecycle.disableKey,
  scheduleKeyDeletion: deletion.scheduleKeyDeletion,
  cancelKeyDeletion: deletion.cancelKeyDeletion,
  createAlias: aliases.createAlias,
  updateAlias: aliases.updateAlias,
  deleteAlias: aliases.deleteAlias,
  listAliases: aliases.listAliases,
  tagResource: tags.tagResource,
  untagResource: tags.untagResource,
  listResourceTags: tags.listResourceTags,
  enableKeyRotation: rotation.enableKeyRotation,
  disableKeyRotation: rotation.disableKeyRotation,
  getKeyRotationStatus: rotation.getKeyRotationStatus,
  rotateKeyOnDemand: rotation.rotateKeyOnDemand,
  listKeyRotations: rotation.listKeyRotations,
  getKeyPolicy: keyPolicy.getKeyPolicy,
  putKeyPolicy: keyPolicy.putKeyPolicy,
  listKeyPolicies: keyPolicy.listKeyPolicies,
  encrypt: symmetric.encrypt,
  decrypt: symmetric.decrypt,
  reEncrypt: symmetric.reEncrypt,
  generateDataKey: symmetric.generateDataKey,
  generateDataKeyWithoutPlaintext: symmetric.generateDataKeyWithoutPlaintext,
  generateRandom: symmetric.generateRandom,
  sign: asymmetric.sign,
  verify: asymmetric.verify,
  generateMac: asymmetric.generateMac,
  verifyMac: asymmetric.verifyMac,
  getPublicKey: asymmetric.getPublicKey,
  generateDataKeyPair: asymmetric.generateDataKeyPair,
  generateDataKeyPairWithoutPlaintext: asymmetric.generateDataKeyPairWithoutPlaintext,
  deriveSharedSecret: asymmetric.deriveSharedSecret,
  getParametersForImport: importing.getParametersForImport,
  importKeyMaterial: importing.importKeyMaterial,
  deleteImportedKeyMaterial: importing.deleteImportedKeyMaterial,
  createGrant: grants.createGrant,
  listGrants: grants.listGrants,
  listRetirableGrants: grants.listRetirableGrants,
  retireGrant: grants.retireGrant,
  revokeGrant: grants.revokeGrant,
  replicateKey: multiRegion.replicateKey,
  updatePrimaryRegion: multiRegion.updatePrimaryRegion,
}

type Operations = typeof operations
type Bound<F> = F extends (ctx: KmsContext, caller: Caller, input: infer I) => infer O ? (caller: Caller, input: I) => O : never

/** Every KMS operation, named after AWS's, taking the caller and a camelCase input. */
export type KmsOperations = { [K in keyof Operations]: Bound<Operations[K]> }
export type KmsOperationName = keyof Operations

export interface Kms extends KmsOperations {
  /** The scheduler's jobs; each is idempotent and catches up after downtime. */
  jobs: {
    rotateDueKeys(now?: number): Promise<number>
    deleteDueKeys(now?: number): Promise<number>
    expireImportedMaterial(now?: number): Promise<number>
  }
  /** The AWS-managed key of a service in the caller's account and region, made on first use. */
  awsManagedKey(caller: Pick<Caller, 'account' | 'region'>, service: 'ssm' | 'secretsmanager'): Promise<{ keyId: string; arn: string }>
  /** Which statement, grant or missing allow decides a request (POST /v1/admin/explain). */
  explain(caller: Caller, input: ExplainInput): Promise<Explanation>
  /** A key's tags, for `aws:ResourceTag/<k>` conditions. */
  keyTags(region: string, keyId: string): Promise<Record<string, string>>
  /** Forgets every cached key row, alias and unwrapped material. */
  clearCaches(): void
  readonly operationNames: readonly KmsOperationName[]
}

export interface KmsDeps {
  db: Kysely<Schema>
  barrier: Barrier
  clock: Clock
  authorizer?: Authorizer
  recordEvent?: EventRecorder
  lockoutCheck?: KmsContext['lockoutCheck']
  cache?: KeyStoreOptions
}

/** Builds the in-process KMS core. API faces and services all call this one object. */
export function createKms(deps: KmsDeps): Kms {
  const ctx: KmsContext = {
    db: deps.db,
    store: new KeyStore(deps.db, deps.barrier, deps.clock, deps.cache),
    clock: deps.clock,
    authorizer: deps.authorizer ?? accountAuthorizer,
    recordEvent: deps.recordEvent ?? (async () => {}),
    lockoutCheck: deps.lockoutCheck,
    barrier: deps.barrier,
    grants: new grants.GrantStore(deps.db, deps.barrier, deps.clock, { ttlMs: deps.cache?.keyTtlMs, maxKeys: deps.cache?.maxCachedKeys }),
  }
  const bound = {} as Record<string, unknown>
  for (const [name, fn] of Object.entries(operations)) {
    bound[name] = (caller: Caller, input: unknown) => (fn as (c: KmsContext, caller: Caller, i: unknown) => unknown)(ctx, caller, input ?? {})
  }
  return {
    ...(bound as KmsOperations),
    jobs: {
      rotateDueKeys: (now) => rotation.rotateDueKeys(ctx, now),
      deleteDueKeys: (now) => deletion.deleteDueKeys(ctx, now),
      expireImportedMaterial: (now) => importing.expireImportedMaterial(ctx, now),
    },
    async awsManagedKey(caller, service) {
      const key = await awsManagedKey(ctx, caller, service)
      return { keyId: key.id, arn: key.arn }
    },
    keyTags: (region, keyId) => tags.keyTags(ctx, region, keyId),
    explain: (caller, input) => explainKmsRequest(ctx, caller, input),
    clearCaches: () => {
      ctx.store.clearCaches()
      ctx.grants?.clear()
    },
    operationNames: Object.keys(operations) as KmsOperationName[],
  }
}
