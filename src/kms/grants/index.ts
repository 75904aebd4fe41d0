/** KMS grants: storage, the grant operations, and the pure rules the policy engine applies. */
export { createGrant, type CreateGrantInput, MAX_GRANTS_PER_KEY } from './create.ts'
export { listGrants, listRetirableGrants, retireGrant, revokeGrant, type GrantList, type GrantListEntry } from './manage.ts'
export {
  grantAllows,
  isGrantee,
  contextSatisfies,
  atLeastAsStrict,
  operationsForKey,
  GRANT_OPERATIONS,
  CONTEXT_OPERATIONS,
  type ChildGrant,
  type GrantConstraints,
  type GrantOperation,
} from './rules.ts'
export { GrantStore, grantStoreOf } from './store.ts'
