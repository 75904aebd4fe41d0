import { ACCOUNT_ID_PATTERN, ArcaError, validationError } from '../../core/index.ts'
import { validatePolicy } from '../../kms/index.ts'

// IAM CreateUser/CreateRole: UserName/RoleName 1–64 of [\w+=,.@-].
export const PRINCIPAL_NAME = /^[\w+=,.@-]{1,64}$/
// IAM PutUserPolicy: PolicyName 1–128 of [\w+=,.@-].
export const POLICY_NAME = /^[\w+=,.@-]{1,128}$/
// IAM PutUserPolicy: PolicyDocument 1–131072 characters on the wire.
export const POLICY_DOCUMENT_MAX_CHARS = 131_072
// IAM quotas: a managed policy may hold 6,144 characters, white space not counted. Arca's
// policies are per-principal documents; the managed-policy size is the per-document bound
// (the inline quotas of 2,048/10,240 are totals per user/role, too tight for one document here).
export const POLICY_DOCUMENT_MAX_NON_WHITESPACE = 6_144
// IAM quotas: 10 managed policies attached per user or role. Arca's bound on policies per
// principal, which also bounds what the hot path loads and caches per principal.
export const MAX_POLICIES_PER_PRINCIPAL = 10
// IAM quotas: 2 access keys per user.
export const MAX_ACCESS_KEYS_PER_PRINCIPAL = 2
// IAM TagUser: at most 50 tags; key 1–128, value 0–256 of [\p{L}\p{Z}\p{N}_.:/=+\-@].
export const MAX_TAGS = 50
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u
// Arca's own bounds on API tokens: default 30 days, at least a minute, at most a year.
export const TOKEN_TTL_DEFAULT_SECONDS = 30 * 86_400
export const TOKEN_TTL_MIN_SECONDS = 60
export const TOKEN_TTL_MAX_SECONDS = 365 * 86_400
// Arca's bound on live tokens per principal (expired ones are purged when a new one is made).
export const MAX_TOKENS_PER_PRINCIPAL = 100
// IAM AccessKeyId: 16–128 of [\w]. Operator-supplied ids may be shorter (LocalStack-style
// setups use `test`), so only the character set and the upper bound are enforced for them.
export const OPERATOR_ACCESS_KEY_ID = /^\w{1,128}$/
// The secret is an HMAC key: any visible ASCII, at most 128 characters.
export const OPERATOR_SECRET = /^[\x21-\x7e]{1,128}$/

export function checkKind(kind: unknown): 'user' | 'role' {
  if (kind !== 'user' && kind !== 'role') throw validationError('kind', kind, "Member must be 'user' or 'role'")
  return kind
}

export function checkAccountId(account: unknown, field = 'account'): string {
  if (typeof account !== 'string' || !ACCOUNT_ID_PATTERN.test(account)) {
    throw validationError(field, account, 'Member must be a 12-digit account id')
  }
  return account
}

export function checkPrincipalName(name: unknown, field = 'name'): string {
  if (typeof name !== 'string' || !PRINCIPAL_NAME.test(name)) {
    throw validationError(field, name, 'Member must satisfy regular expression pattern: [\\w+=,.@-]+ and have length 1–64')
  }
  return name
}

export function checkPolicyName(name: unknown, field = 'policyName'): string {
  if (typeof name !== 'string' || !POLICY_NAME.test(name)) {
    throw validationError(field, name, 'Member must satisfy regular expression pattern: [\\w+=,.@-]+ and have length 1–128')
  }
  return name
}

export function checkTags(tags: unknown, field = 'tags'): Record<string, string> {
  if (tags === undefined) return {}
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) {
    throw validationError(field, tags, 'Member must be an object of tag keys to string values')
  }
  const entries = Object.entries(tags)
  if (entries.length > MAX_TAGS) throw validationError(field, tags, `Member must have at most ${MAX_TAGS} tags`)
  const seen = new Set<string>()
  const out: Record<string, string> = {}
  for (const [k, v] of entries) {
    if (!TAG_KEY.test(k) || k.toLowerCase().startsWith('aws:')) {
      throw validationError(`${field}.${k}`, k, 'Tag keys have length 1–128 of letters, digits, spaces and _.:/=+-@, and must not start with aws:')
    }
    if (typeof v !== 'string' || !TAG_VALUE.test(v)) {
      throw validationError(`${field}.${k}`, v, 'Tag values are strings of length 0–256 of letters, digits, spaces and _.:/=+-@')
    }
    // IAM tag keys are unique without regard to case.
    if (seen.has(k.toLowerCase())) throw validationError(`${field}.${k}`, k, 'Tag keys must be unique regardless of case')
    seen.add(k.toLowerCase())
    out[k] = v
  }
  return out
}

export function checkTtlSeconds(ttl: unknown, field = 'ttlSeconds'): number {
  if (ttl === undefined) return TOKEN_TTL_DEFAULT_SECONDS
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < TOKEN_TTL_MIN_SECONDS || ttl > TOKEN_TTL_MAX_SECONDS) {
    throw validationError(field, ttl, `Member must be an integer from ${TOKEN_TTL_MIN_SECONDS} to ${TOKEN_TTL_MAX_SECONDS}`)
  }
  return ttl
}

/**
 * An identity policy upload: IAM's size bounds, IAM's wording for a JSON syntax error, then the
 * policy engine's grammar check (the same parser the evaluator uses, so a stored document always
 * compiles), with the field named.
 */
export function checkPolicyDocument(document: unknown): string {
  if (typeof document !== 'string' || document.length === 0) throw new ArcaError('MalformedPolicyDocument', 'The policy document is empty.', { field: 'document' })
  if (document.length > POLICY_DOCUMENT_MAX_CHARS) {
    throw validationError('document', `${document.length} characters`, `Member must have length less than or equal to ${POLICY_DOCUMENT_MAX_CHARS}`)
  }
  const size = document.replace(/\s/g, '').length
  if (size > POLICY_DOCUMENT_MAX_NON_WHITESPACE) {
    throw new ArcaError('Validation', `Maximum policy size of ${POLICY_DOCUMENT_MAX_NON_WHITESPACE} characters exceeded (white space not counted): ${size}`, {
      field: 'document',
    })
  }
  try {
    JSON.parse(document)
  } catch (cause) {
    throw new ArcaError('MalformedPolicyDocument', `Syntax errors in policy: ${(cause as Error).message}`, { field: 'document' })
  }
  try {
    validatePolicy(document, 'identity')
  } catch (e) {
    if (e instanceof ArcaError && e.code === 'MalformedPolicyDocument') throw new ArcaError('MalformedPolicyDocument', e.message, { field: 'document' })
    throw e
  }
  return document
}
