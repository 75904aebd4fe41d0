/** The key-management core: one object whose methods are AWS KMS's operations. */
export { createKms, type Kms, type KmsDeps, type KmsOperations, type KmsOperationName } from './kms.ts'
export type { Caller, KeyMetadata, KeyState, Origin, Tag, EncryptionContext } from './types.ts'
export { type Authorizer, type AuthzRequest, accessDenied, accountAuthorizer, adminOnlyAuthorizer } from './authorizer.ts'
export type { Barrier } from './barrier.ts'
export type { EventRecorder, KmsEvent } from './context-deps.ts'
export { defaultKeyPolicy } from './keys/default-policy.ts'
