import { ArcaError, accountRootArn, validationError } from '../../core/index.ts'
import type { EncryptionContext } from '../context.ts'
import type { KeyRecord } from '../keys/record.ts'
import type { Caller, Grant } from '../types.ts'

// The pure rules of grants: which operations a grant may name, which suit a key, what a
// constraint allows. The policy engine imports grantAllows and isGrantee from here.

/** AWS: the GrantOperation enum (botocore kms 2014-11-01). */
export const GRANT_OPERATIONS = [
  'Decrypt',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'ReEncryptFrom',
  'ReEncryptTo',
  'Sign',
  'Verify',
  'GetPublicKey',
  'CreateGrant',
  'RetireGrant',
  'DescribeKey',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
  'GenerateMac',
  'VerifyMac',
  'DeriveSharedSecret',
] as const
export type GrantOperation = (typeof GRANT_OPERATIONS)[number]

/**
 * Operations that take an encryption context; grant constraints apply to these only (AWS
 * GrantConstraints: "not applied to operations that do not support an encryption context, such
 * as … DescribeKey or RetireGrant").
 */
export const CONTEXT_OPERATIONS: ReadonlySet<string> = new Set([
  'Encrypt',
  'Decrypt',
  'ReEncryptFrom',
  'ReEncryptTo',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
])

// AWS (API_GrantConstraints, create-grant-overview): each constraint holds at most 8 pairs, and
// its encryption context may not exceed 384 characters (read here as keys + values together).
export const MAX_CONSTRAINT_PAIRS = 8
export const MAX_CONSTRAINT_CHARS = 384
// AWS: GrantNameType 1–256 of [a-zA-Z0-9:/_-]; PrincipalIdType 1–256 of [\w+=,.@:/-].
export const MAX_GRANT_NAME = 256
export const MAX_PRINCIPAL = 256
const NAME = /^[a-zA-Z0-9:/_-]+$/
const PRINCIPAL_CHARS = /^[\w+=,.@:/-]+$/
const IAM_PRINCIPAL = /^arn:aws:iam::\d{12}:(root|user\/[\w+=,.@/-]+|role\/[\w+=,.@/-]+)$/
const STS_PRINCIPAL = /^arn:aws:sts::\d{12}:(assumed-role|federated-user)\/[\w+=,.@/-]+$/
const SERVICE_PRINCIPAL = /^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com(\.cn)?$/

const COMMON: GrantOperation[] = ['CreateGrant', 'RetireGrant', 'DescribeKey']

/** The grant operations a key supports (AWS: "the operation must be supported on the KMS key"). */
export function operationsForKey(key: Pick<KeyRecord, 'spec' | 'usage'>): ReadonlySet<GrantOperation> {
  const ops: GrantOperation[] = [...COMMON]
  switch (key.usage) {
    case 'ENCRYPT_DECRYPT':
      ops.push('Encrypt', 'Decrypt', 'ReEncryptFrom', 'ReEncryptTo')
      if (key.spec === 'SYMMETRIC_DEFAULT') ops.push('GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext')
      else ops.push('GetPublicKey')
      break
    case 'SIGN_VERIFY':
      ops.push('Sign', 'Verify', 'GetPublicKey')
      break
    case 'GENERATE_VERIFY_MAC':
      ops.push('GenerateMac', 'VerifyMac')
      break
    case 'KEY_AGREEMENT':
      ops.push('DeriveSharedSecret', 'GetPublicKey')
      break
  }
  return new Set(ops)
}

export type GrantConstraints = NonNullable<Grant['constraints']>

/** Checks a grantee or retiring principal: an IAM/STS principal ARN, an account root ARN or an AWS service principal. */
export function checkPrincipal(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw validationError(field, String(value ?? 'null'), 'Member must have length greater than or equal to 1')
  if (value.length > MAX_PRINCIPAL) throw validationError(field, value, `Member must have length less than or equal to ${MAX_PRINCIPAL}`)
  if (!PRINCIPAL_CHARS.test(value)) throw validationError(field, value, 'Member must satisfy regular expression pattern: ^[\\w+=,.@:/-]+$')
  if (!IAM_PRINCIPAL.test(value) && !STS_PRINCIPAL.test(value) && !SERVICE_PRINCIPAL.test(value))
    throw new ArcaError('Validation', `Invalid principal ${value}: use the ARN of an account (…:root), user or role, or an AWS service principal.`, { field })
  return value
}

export function checkGrantName(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string' || value.length < 1) throw validationError('name', String(value), 'Member must have length greater than or equal to 1')
  if (value.length > MAX_GRANT_NAME) throw validationError('name', value, `Member must have length less than or equal to ${MAX_GRANT_NAME}`)
  if (!NAME.test(value)) throw validationError('name', value, 'Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$')
  return value
}

/** Checks the Operations list against the enum and the key; duplicates collapse, order kept. */
export function checkOperations(value: unknown, key: KeyRecord): GrantOperation[] {
  if (value === undefined || value === null) throw validationError('operations', 'null', 'Member must not be null')
  if (!Array.isArray(value) || value.length === 0) throw new ArcaError('Validation', 'Operations must list at least one grant operation.', { field: 'operations' })
  const out: GrantOperation[] = []
  for (const op of value) {
    if (typeof op !== 'string' || !(GRANT_OPERATIONS as readonly string[]).includes(op))
      throw validationError('operations', String(op), `Member must satisfy enum value set: [${GRANT_OPERATIONS.join(', ')}]`)
    if (!out.includes(op as GrantOperation)) out.push(op as GrantOperation)
  }
  const supported = operationsForKey(key)
  const bad = out.filter((op) => !supported.has(op))
  if (bad.length > 0)
    throw new ArcaError('Validation', `Grant operations ${bad.join(', ')} are not valid for a key with key spec ${key.spec} and key usage ${key.usage}.`, {
      field: 'operations',
    })
  return out
}

/** Checks Constraints: one kind at most, ≤ 8 pairs of strings, ≤ 384 characters, symmetric keys only. */
export function checkConstraints(value: unknown, key: KeyRecord): GrantConstraints | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'object' || Array.isArray(value)) throw new ArcaError('Validation', 'Constraints must be a structure.', { field: 'constraints' })
  const { encryptionContextSubset: subset, encryptionContextEquals: equals } = value as GrantConstraints
  if (subset === undefined && equals === undefined) return undefined
  if (subset !== undefined && equals !== undefined)
    throw new ArcaError('Validation', 'Specify either EncryptionContextSubset or EncryptionContextEquals in grant constraints, not both.', { field: 'constraints' })
  const [field, map] = subset !== undefined ? ['constraints.encryptionContextSubset', subset] : ['constraints.encryptionContextEquals', equals]
  if (typeof map !== 'object' || map === null || Array.isArray(map) || Object.values(map).some((v) => typeof v !== 'string'))
    throw new ArcaError('Validation', `${field} must be a map of strings.`, { field })
  const pairs = Object.entries(map)
  if (pairs.length > MAX_CONSTRAINT_PAIRS)
    throw new ArcaError('Validation', `A grant constraint can include at most ${MAX_CONSTRAINT_PAIRS} encryption context pairs.`, { field })
  if (pairs.reduce((n, [k, v]) => n + k.length + v.length, 0) > MAX_CONSTRAINT_CHARS)
    throw new ArcaError('Validation', `The encryption context in a grant constraint cannot exceed ${MAX_CONSTRAINT_CHARS} characters.`, { field })
  if (key.spec !== 'SYMMETRIC_DEFAULT')
    throw new ArcaError('Validation', `Encryption context grant constraints are not supported for key spec ${key.spec}: only symmetric encryption keys take an encryption context.`, {
      field: 'constraints',
    })
  return subset !== undefined ? { encryptionContextSubset: { ...subset } } : { encryptionContextEquals: { ...equals } }
}

/** AWS: in a grant constraint the key of each pair is not case-sensitive, the value is (API_GrantConstraints). */
function folded(map: EncryptionContext): Map<string, string> {
  return new Map(Object.entries(map).map(([k, v]) => [k.toLowerCase(), v]))
}

/** Every pair of `inner` is in `outer` (keys without regard to case, values exactly). */
function includes(outer: Map<string, string>, inner: Map<string, string>): boolean {
  for (const [k, v] of inner) if (outer.get(k) !== v) return false
  return true
}

/** Does a request's encryption context satisfy a grant's constraints? */
export function contextSatisfies(constraints: GrantConstraints | undefined, context: EncryptionContext | undefined): boolean {
  if (!constraints) return true
  const request = folded(context ?? {})
  if (constraints.encryptionContextEquals) {
    const want = folded(constraints.encryptionContextEquals)
    return want.size === request.size && includes(request, want)
  }
  if (constraints.encryptionContextSubset) return includes(request, folded(constraints.encryptionContextSubset))
  return true
}

/**
 * A child grant made with CreateGrant permission from a grant must be at least as strict (AWS
 * create-grant-overview, "Granting CreateGrant permission"): Subset pairs may be added, Subset may
 * become Equals, never the reverse.
 */
export function atLeastAsStrict(child: GrantConstraints | undefined, parent: GrantConstraints | undefined): boolean {
  if (!parent || (!parent.encryptionContextEquals && !parent.encryptionContextSubset)) return true
  if (!child) return false
  if (parent.encryptionContextEquals) {
    if (!child.encryptionContextEquals) return false
    const p = folded(parent.encryptionContextEquals)
    const c = folded(child.encryptionContextEquals)
    return p.size === c.size && includes(c, p)
  }
  const need = folded(parent.encryptionContextSubset ?? {})
  const have = child.encryptionContextEquals ?? child.encryptionContextSubset
  return have !== undefined && includes(folded(have), need)
}

/** The grant a CreateGrant request would make, for checking it against a parent grant. */
export interface ChildGrant {
  operations: readonly string[]
  constraints?: GrantConstraints
}

/**
 * Whether `grant` allows `operation` (a grant operation name such as `Decrypt`) with this
 * encryption context. Constraints apply only to operations that take a context. For
 * `CreateGrant`, pass the grant being created as `child`: it may name only the parent's
 * operations and must be constrained at least as strictly. Does not check the grantee: see
 * {@link isGrantee}.
 */
export function grantAllows(grant: Pick<Grant, 'operations' | 'constraints'>, operation: string, encryptionContext?: EncryptionContext, child?: ChildGrant): boolean {
  if (!grant.operations.includes(operation)) return false
  if (operation === 'CreateGrant' && child) {
    return child.operations.every((op) => grant.operations.includes(op)) && atLeastAsStrict(child.constraints, grant.constraints)
  }
  if (!CONTEXT_OPERATIONS.has(operation)) return true
  return contextSatisfies(grant.constraints, encryptionContext)
}

/** Whether the caller is the grant's grantee: its own ARN, or its account's root ARN when the grantee is the account. */
export function isGrantee(grant: Pick<Grant, 'granteePrincipal'>, caller: Pick<Caller, 'principalArn' | 'account'>): boolean {
  return grant.granteePrincipal === caller.principalArn || grant.granteePrincipal === accountRootArn(caller.account)
}

/**
 * Whether the caller is exactly the grant's retiring principal. A retiring principal that names
 * an account (`…:root`) is not matched here: the account's own policies decide for its principals.
 */
export function isRetiringPrincipal(grant: Pick<Grant, 'retiringPrincipal'>, caller: Pick<Caller, 'principalArn'>): boolean {
  return grant.retiringPrincipal !== undefined && grant.retiringPrincipal === caller.principalArn
}
