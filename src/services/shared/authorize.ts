import { accountRootArn, parseArn } from '../../core/index.ts'
import type { AuthzRequest, Authorizer } from '../../kms/index.ts'
import type { Authorize } from './deps.ts'

type PolicyResource = NonNullable<AuthzRequest['key']>

const MAX_CACHED = 1024
const delegating = new Map<string, string>()

/**
 * A resource policy as the KMS evaluator reads it, plus a statement delegating to the resource's
 * account. KMS key policies need that delegation before identity policies count; for parameters
 * and secrets AWS lets either the identity or the resource policy allow a same-account caller, so
 * the delegation gives exactly that union, while explicit denies and cross-account rules stay as
 * the evaluator has them.
 */
function withDelegation(policy: string, account: string): string {
  const cacheKey = `${account}\n${policy}`
  let text = delegating.get(cacheKey)
  if (text === undefined) {
    let doc: { Statement?: unknown } | undefined
    try {
      doc = JSON.parse(policy) as { Statement?: unknown }
    } catch {
      doc = undefined
    }
    if (!doc || typeof doc !== 'object') text = policy // malformed: the evaluator fails closed
    else {
      const statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : []
      text = JSON.stringify({ ...doc, Statement: [...statements, delegationStatement(account)] })
    }
    if (delegating.size >= MAX_CACHED) delegating.delete(delegating.keys().next().value!)
    delegating.set(cacheKey, text)
  }
  return text
}

function delegationStatement(account: string) {
  return { Sid: 'ArcaAccountDelegation', Effect: 'Allow', Principal: { AWS: accountRootArn(account) }, Action: '*', Resource: '*' }
}

/** A resource without a policy of its own: identity policies of its account decide. */
function delegationOnly(account: string): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [delegationStatement(account)] })
}

/**
 * Authorization for parameters and secrets through the one policy engine: identity policies of
 * the caller, the resource's own policy when it has one, explicit deny first.
 */
export function serviceAuthorizer(engine: Authorizer): Authorize {
  const defaults = new Map<string, string>()
  return async (caller, action, resourceArn, extra) => {
    const account = parseArn(resourceArn)?.account || caller.account
    let policy: string
    if (extra?.resourcePolicy) policy = withDelegation(extra.resourcePolicy, account)
    else {
      policy = defaults.get(account) ?? delegationOnly(account)
      if (defaults.size < MAX_CACHED) defaults.set(account, policy)
    }
    const resource = { arn: resourceArn, account, policy } as PolicyResource
    await engine.authorize({ caller, action, key: resource, ...(extra?.conditions ? { conditions: extra.conditions } : {}) })
  }
}
