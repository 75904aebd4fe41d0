import { ArcaError } from '../../core/index.ts'
import { type KmsContext, authorize } from '../context-deps.ts'
import type { Caller } from '../types.ts'
import { checkPolicyText } from './default-policy.ts'
import { mustUpdate } from './lifecycle.ts'
import { resolveKey } from './resolve.ts'

// AWS: the only key policy name is "default".
const POLICY_NAME = 'default'

function checkPolicyName(name: string | undefined): void {
  if (name !== undefined && name !== POLICY_NAME) throw new ArcaError('NotFound', `No such policy exists: ${name}`)
}

export async function getKeyPolicy(ctx: KmsContext, caller: Caller, input: { keyId: string; policyName?: string }): Promise<{ policy: string; policyName: string }> {
  const { key } = await resolveKey(ctx.store, caller, input.keyId, { allowAlias: false })
  await authorize(ctx, caller, 'kms:GetKeyPolicy', key)
  checkPolicyName(input.policyName)
  return { policy: key.policy, policyName: POLICY_NAME }
}

export async function listKeyPolicies(ctx: KmsContext, caller: Caller, input: { keyId: string; limit?: number; marker?: string }): Promise<{ policyNames: string[]; truncated: boolean }> {
  const { key } = await resolveKey(ctx.store, caller, input.keyId, { allowAlias: false })
  await authorize(ctx, caller, 'kms:ListKeyPolicies', key)
  return { policyNames: [POLICY_NAME], truncated: false }
}

export async function putKeyPolicy(
  ctx: KmsContext,
  caller: Caller,
  input: { keyId: string; policyName?: string; policy: string; bypassPolicyLockoutSafetyCheck?: boolean },
): Promise<Record<string, never>> {
  const { key } = await resolveKey(ctx.store, caller, input.keyId, { allowAlias: false })
  await authorize(ctx, caller, 'kms:PutKeyPolicy', key)
  checkPolicyName(input.policyName)
  checkPolicyText(input.policy)
  if (key.keyManager === 'AWS') throw new ArcaError('UnsupportedOperation', `${key.arn} is an AWS managed key; its policy cannot be changed.`)
  if (!input.bypassPolicyLockoutSafetyCheck && ctx.lockoutCheck && !ctx.lockoutCheck(caller, key.arn, input.policy))
    throw new ArcaError('MalformedPolicyDocument', 'The new key policy will not allow you to update the key policy in the future.')
  await mustUpdate(ctx, key, { policy: input.policy })
  return {}
}
