/**
 * Identity: accounts, principals (users and roles), access keys for SigV4, API tokens for the
 * REST API, and identity policies attached to principals.
 *
 * At rest: access-key secrets are wrapped by the barrier under the root key (AAD
 * `arca:access-key:<id>`); API tokens exist only as SHA-256 hashes; policies are stored as text.
 *
 * Caches (the SigV4 hot path): access keys, token hashes and policy documents, each at most
 * 10 000 entries and 5 s old. A change through this instance drops that principal's entries at
 * once; every identity write bumps the meta row `identity.version` in its own transaction, and
 * each instance re-reads it at most once per second, clearing its caches when it moved: a
 * change made on one node is honoured by every node within about one second.
 *
 * tables: iam_accounts, iam_principals, iam_access_keys, iam_tokens, iam_policies.
 */
export { createIdentity } from './identity.ts'
export { writeAdminCredentials, ADMIN_CREDENTIALS_FILE } from './credentials.ts'
export { ADMIN_USER } from './writes.ts'
export { CACHE_MAX_ENTRIES, CACHE_MAX_AGE_MS, VERSION_CHECK_INTERVAL_MS } from './cache.ts'
export {
  MAX_ACCESS_KEYS_PER_PRINCIPAL,
  MAX_POLICIES_PER_PRINCIPAL,
  MAX_TOKENS_PER_PRINCIPAL,
  POLICY_DOCUMENT_MAX_NON_WHITESPACE,
  TOKEN_TTL_DEFAULT_SECONDS,
  TOKEN_TTL_MAX_SECONDS,
  TOKEN_TTL_MIN_SECONDS,
} from './validate.ts'
export type {
  AdminCredentials,
  BootstrapConfig,
  Identity,
  IdentityDeps,
  Principal,
  PrincipalDetail,
  PrincipalKind,
} from './types.ts'
