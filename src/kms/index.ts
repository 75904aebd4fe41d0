/** The key-management core: one object whose methods are AWS KMS's operations. */
export { createKms, type Kms, type KmsDeps, type KmsOperations, type KmsOperationName } from './kms.ts'
export type { Caller, KeyMetadata, KeyState, Origin, Tag, EncryptionContext, Grant } from './types.ts'
export { type Authorizer, type AuthzRequest, accessDenied, accountAuthorizer, adminOnlyAuthorizer } from './authorizer.ts'
export { createPolicyAuthorizer, validatePolicy, explainEvaluation, type PolicyAuthorizer, type PolicyAuthorizerDeps, type Explanation, type Evaluation, type DecidedBy } from './policy/index.ts'
export type { Barrier } from './barrier.ts'
export type { EventRecorder, KmsEvent } from './context-deps.ts'
export { defaultKeyPolicy } from './keys/default-policy.ts'
/** A bounded map with age-based expiry on the injected clock (services cache data keys with it). */
export { TtlCache } from './keys/cache.ts'
