import { ArcaError, isArcaError } from '../../core/index.ts'
import { type Caller, validatePolicy } from '../../kms/index.ts'
import { type SecretsDeps, authorizeOn, changeEvent } from './context.ts'
import { MAX_POLICY_LENGTH } from './limits.ts'
import { findSecret, requireNotDeleted } from './resolve.ts'
import { lockSecret } from './versions.ts'

/**
 * Resource policies on secrets. The grammar is the policy engine's (a resource policy: every
 * statement names a principal); "public" follows the idea of AWS's BlockPublicPolicy check: an
 * Allow to every principal (`*`, `{"AWS":"*"}` or NotPrincipal) that no condition narrows to
 * known accounts, principals, organisations, networks or sources.
 */

// Condition keys that pin a statement to known callers (IAM "Determining whether a policy is public").
const NARROWING_KEYS = new Set([
  'aws:principalaccount',
  'aws:principalarn',
  'aws:principalorgid',
  'aws:principalorgpaths',
  'aws:sourceaccount',
  'aws:sourcearn',
  'aws:sourceowner',
  'aws:sourcevpc',
  'aws:sourcevpce',
  'aws:sourceip',
  'aws:userid',
  'aws:username',
  'kms:calleraccount',
])

function checkPolicyText(text: unknown): string {
  if (typeof text !== 'string' || text.length === 0) throw new ArcaError('Validation', "1 validation error detected: Value at 'resourcePolicy' failed to satisfy constraint: Member must have length greater than or equal to 1", { field: 'resourcePolicy' })
  if (text.length > MAX_POLICY_LENGTH)
    throw new ArcaError('Validation', `1 validation error detected: Value at 'resourcePolicy' failed to satisfy constraint: Member must have length less than or equal to ${MAX_POLICY_LENGTH}`, { field: 'resourcePolicy' })
  return text
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v])

function everyone(principal: unknown): boolean {
  if (principal === '*') return true
  if (typeof principal !== 'object' || principal === null) return false
  return list((principal as Record<string, unknown>).AWS).includes('*')
}

function narrowed(condition: unknown): boolean {
  if (typeof condition !== 'object' || condition === null) return false
  for (const [operator, body] of Object.entries(condition as Record<string, unknown>)) {
    const op = operator.toLowerCase()
    // Negated and IfExists operators do not pin the caller down.
    if (op.includes('not') || op.endsWith('ifexists') || typeof body !== 'object' || body === null) continue
    for (const [key, values] of Object.entries(body as Record<string, unknown>)) {
      if (!NARROWING_KEYS.has(key.toLowerCase())) continue
      const vs = list(values)
      if (vs.length > 0 && vs.every((v) => typeof v === 'string' && !v.includes('*') && v !== '0.0.0.0/0' && v !== '::/0')) return true
    }
  }
  return false
}

/** Does the (valid) policy allow access to anyone, unconditionally? */
export function isPublicPolicy(text: string): boolean {
  const doc = JSON.parse(text) as { Statement?: unknown }
  return list(doc.Statement).some((s) => {
    const st = s as Record<string, unknown>
    if (st.Effect !== 'Allow') return false
    const open = st.NotPrincipal !== undefined || everyone(st.Principal)
    return open && !narrowed(st.Condition)
  })
}

export interface ValidationError {
  checkName: string
  errorMessage: string
}

function validationErrors(text: string): ValidationError[] {
  try {
    validatePolicy(text, 'key')
  } catch (e) {
    if (isArcaError(e) && e.code === 'MalformedPolicyDocument') return [{ checkName: 'MALFORMED_POLICY_DOCUMENT', errorMessage: e.message }]
    throw e
  }
  if (isPublicPolicy(text))
    return [{ checkName: 'BLOCK_PUBLIC_POLICY', errorMessage: 'The resource policy grants broad access to the secret: an Allow to every principal that no condition narrows.' }]
  return []
}

export async function putResourcePolicy(deps: SecretsDeps, caller: Caller, input: { secretId: string; resourcePolicy: string; blockPublicPolicy?: boolean }): Promise<{ arn: string; name: string }> {
  const text = checkPolicyText(input.resourcePolicy)
  const row = await findSecret(deps.db, caller, input.secretId)
  await authorizeOn(deps, caller, 'PutResourcePolicy', row)
  requireNotDeleted(row)
  validatePolicy(text, 'key')
  if (input.blockPublicPolicy === true && isPublicPolicy(text))
    throw new ArcaError('PublicPolicy', 'The BlockPublicPolicy parameter is set to true, and the resource policy did not prevent broad access to the secret.')
  await deps.db.transaction().execute(async (tx) => {
    await lockSecret(tx, row.id, deps.clock.now())
    await tx.updateTable('secrets').set({ resource_policy: text }).where('id', '=', row.id).execute()
    await deps.events.record(tx, changeEvent(row, 'PutResourcePolicy'))
  })
  return { arn: row.arn, name: row.name }
}

export async function getResourcePolicy(deps: SecretsDeps, caller: Caller, input: { secretId: string }): Promise<{ arn: string; name: string; resourcePolicy?: string }> {
  const row = await findSecret(deps.db, caller, input.secretId)
  await authorizeOn(deps, caller, 'GetResourcePolicy', row)
  return { arn: row.arn, name: row.name, ...(row.resource_policy !== null ? { resourcePolicy: row.resource_policy } : {}) }
}

export async function deleteResourcePolicy(deps: SecretsDeps, caller: Caller, input: { secretId: string }): Promise<{ arn: string; name: string }> {
  const row = await findSecret(deps.db, caller, input.secretId)
  await authorizeOn(deps, caller, 'DeleteResourcePolicy', row)
  requireNotDeleted(row)
  if (row.resource_policy === null) return { arn: row.arn, name: row.name }
  await deps.db.transaction().execute(async (tx) => {
    await lockSecret(tx, row.id, deps.clock.now())
    await tx.updateTable('secrets').set({ resource_policy: null }).where('id', '=', row.id).execute()
    await deps.events.record(tx, changeEvent(row, 'DeleteResourcePolicy'))
  })
  return { arn: row.arn, name: row.name }
}

export async function validateResourcePolicy(
  deps: SecretsDeps,
  caller: Caller,
  input: { secretId?: string; resourcePolicy: string },
): Promise<{ policyValidationPassed: boolean; validationErrors: ValidationError[] }> {
  const text = checkPolicyText(input.resourcePolicy)
  if (input.secretId !== undefined && input.secretId !== null) {
    const row = await findSecret(deps.db, caller, input.secretId)
    await authorizeOn(deps, caller, 'ValidateResourcePolicy', row)
  } else await deps.authorize(caller, 'secretsmanager:ValidateResourcePolicy', '*')
  const errors = validationErrors(text)
  return { policyValidationPassed: errors.length === 0, validationErrors: errors }
}
