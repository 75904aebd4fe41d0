/**
 * The one redaction function: request parameters as they may appear in an audit record, a log
 * line or an event. Allow-list based: a field is kept only when it is named below for its
 * service; every other field becomes a marker saying what was there (type, and size for
 * bytes), so a field added to an API later can never leak by default. The kept fields are the
 * ones CloudTrail itself logs as request parameters (key ids, encryption contexts, algorithms,
 * sizes, names, tags, policies); never plaintexts, ciphertexts, keys, key material, passwords,
 * signatures, MACs, tokens, or secret/parameter values.
 */
export type AuditService = 'kms' | 'ssm' | 'secretsmanager' | 'sts' | 'arca'

const words = (s: string) => s.trim().split(/\s+/)

// Kept verbatim (with nested values sanitised: bytes never pass). Names are camelCase.
const KMS_FIELDS = words(`
  keyId aliasName targetKeyId sourceKeyId destinationKeyId keyArn
  encryptionContext sourceEncryptionContext destinationEncryptionContext
  encryptionAlgorithm sourceEncryptionAlgorithm destinationEncryptionAlgorithm
  signingAlgorithm macAlgorithm messageType keyAgreementAlgorithm wrappingAlgorithm wrappingKeySpec
  numberOfBytes keySpec keyPairSpec customerMasterKeySpec keyUsage origin description
  policy policyName bypassPolicyLockoutSafetyCheck tags tagKeys multiRegion pendingWindowInDays
  limit marker grantId granteePrincipal retiringPrincipal operations constraints name
  expirationModel validTo importType keyMaterialId keyMaterialDescription includeKeyMaterial
  rotationPeriodInDays primaryRegion replicaRegion dryRun dryRunModifiers
  customKeyStoreId customKeyStoreName customKeyStoreType`)

const SSM_FIELDS = words(`
  name names path recursive type keyId overwrite tier dataType description allowedPattern
  tags tagKeys labels parameterVersion withDecryption maxResults nextToken filters
  parameterFilters policies resourceId resourceType shared`)

const SECRETSMANAGER_FIELDS = words(`
  secretId name description kmsKeyId versionId versionStage versionStages tags tagKeys
  clientRequestToken recoveryWindowInDays forceDeleteWithoutRecovery rotationLambdaARN
  rotationRules rotateImmediately moveToVersionId removeFromVersionId filters maxResults
  nextToken sortOrder sortBy includePlannedDeletion includeDeprecated secretIdList
  excludeCharacters excludeNumbers excludePunctuation excludeUppercase excludeLowercase
  passwordLength includeSpace requireEachIncludedType resourcePolicy blockPublicPolicy
  addReplicaRegions removeReplicaRegions forceOverwriteReplicaSecret type`)

const STS_FIELDS = words(`durationSeconds roleArn roleSessionName`)

// The native REST API: path parameters and query filters, never bodies.
const ARCA_FIELDS = words(`
  account name kind accessKeyId policyName from to principal operation resource error limit
  cursor node`)

/**
 * Fields known to be secret. They are redacted like any unlisted field; naming them here only
 * makes the marker omit the size (a secret's length is itself a hint).
 */
const SECRET_FIELDS = words(`
  plaintext ciphertextBlob message signature mac grantToken grantTokens importToken
  encryptedKeyMaterial keyStorePassword xksProxyAuthenticationCredential publicKey
  value secretString secretBinary rotationToken password secretAccessKey token share
  sessionToken privateKey`)

const lower = (list: string[]) => new Set(list.map((n) => n.toLowerCase()))
const ALLOWED: Record<AuditService, ReadonlySet<string>> = {
  kms: lower(KMS_FIELDS),
  ssm: lower(SSM_FIELDS),
  secretsmanager: lower(SECRETSMANAGER_FIELDS),
  sts: lower(STS_FIELDS),
  arca: lower(ARCA_FIELDS),
}
const SECRET = lower(SECRET_FIELDS)

/** The marker that replaces a known secret field. */
export const REDACTED = '[redacted]'
// Guards against pathological nesting in kept fields (a policy document is a string, not a tree).
const MAX_DEPTH = 8

function typeMarker(v: unknown): string {
  if (v instanceof Uint8Array) return `[redacted bytes:${v.length}]`
  if (Array.isArray(v)) return `[redacted list:${v.length}]`
  if (v === null) return '[redacted null]'
  return `[redacted ${typeof v}]`
}

/** Copies a kept value as plain JSON data; bytes (and anything exotic) become markers. */
function sanitise(v: unknown, depth: number): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v)
  if (v instanceof Uint8Array || depth >= MAX_DEPTH) return typeMarker(v)
  if (Array.isArray(v)) return v.map((x) => sanitise(x, depth + 1))
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString()
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (x === undefined) continue
      // Map keys (encryption context, tags) are user data: kept as own properties, even "__proto__".
      Object.defineProperty(out, k, { value: sanitise(x, depth + 1), enumerable: true, writable: true, configurable: true })
    }
    return out
  }
  return typeMarker(v)
}

/**
 * `params` with every field not allow-listed for `service` replaced by a marker. Field names
 * are matched without regard to case, so both the wire form (`KeyId`) and the core's camelCase
 * (`keyId`) work. `operation` is accepted for per-operation rules; today the lists are per
 * service because AWS uses each member name with one meaning across a service.
 */
export function redact(service: AuditService, operation: string, params: unknown): Record<string, unknown> {
  void operation
  if (params === null || params === undefined) return {}
  if (typeof params !== 'object' || Array.isArray(params) || params instanceof Uint8Array) return { body: typeMarker(params) }
  const allowed = ALLOWED[service] ?? ALLOWED.arca
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(params as Record<string, unknown>)) {
    if (v === undefined) continue
    const key = k.toLowerCase()
    const value = allowed.has(key) ? sanitise(v, 1) : SECRET.has(key) ? REDACTED : typeMarker(v)
    Object.defineProperty(out, k, { value, enumerable: true, writable: true, configurable: true })
  }
  return out
}
