import { ArcaError, accountRootArn } from '../../core/index.ts'
import { validatePolicy } from '../policy/index.ts'

// AWS: a key policy document may hold at most 32 KB.
export const MAX_POLICY_BYTES = 32_768

/** AWS's default key policy: the account root may do everything, which turns identity policies on. */
export function defaultKeyPolicy(account: string): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [
        {
          Sid: 'Enable IAM User Permissions',
          Effect: 'Allow',
          Principal: { AWS: accountRootArn(account) },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    },
    null,
    2,
  )
}

/**
 * Every key policy written (CreateKey, PutKeyPolicy, ReplicateKey), bypass or not: size, JSON, then
 * the policy engine's grammar check, so a document the evaluator would refuse is never stored.
 */
export function checkPolicyText(policy: string): void {
  if (typeof policy !== 'string' || policy.length === 0) throw new ArcaError('MalformedPolicyDocument', 'The policy document is empty.')
  if (Buffer.byteLength(policy, 'utf8') > MAX_POLICY_BYTES) throw new ArcaError('LimitExceeded', `The key policy exceeds the ${MAX_POLICY_BYTES}-byte quota.`)
  let doc: unknown
  try {
    doc = JSON.parse(policy)
  } catch {
    throw new ArcaError('MalformedPolicyDocument', 'The policy document is not valid JSON.')
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || !('Statement' in doc))
    throw new ArcaError('MalformedPolicyDocument', 'The policy document must be a JSON object with a Statement.')
  validatePolicy(policy, 'key')
}
