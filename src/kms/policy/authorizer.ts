import { type Clock, parseArn } from '../../core/index.ts'
import type { AuthzRequest, Authorizer } from '../authorizer.ts'
import type { KeyRecord } from '../keys/record.ts'
import type { Caller } from '../types.ts'
import { Lru, compilePolicy } from './cache.ts'
import { evaluate } from './evaluate.ts'
import { type Explanation, denial, explainEvaluation } from './explain.ts'
import type { PolicyKey } from './request-context.ts'

// AWS: tag changes may take up to five minutes to affect authorization (KMS Developer Guide,
// "ABAC for AWS KMS"); we keep a key's tags for a second, and drop them when the key is tagged.
export const RESOURCE_TAGS_TTL_MS = 1000
const RESOURCE_TAGS_ENTRIES = 4096

export interface PolicyAuthorizerDeps {
  clock: Clock
  /** The key's tags, for `aws:ResourceTag/<k>`; asked only when some applicable policy reads one. */
  resourceTags?: (key: KeyRecord) => Promise<Record<string, string>>
  resourceTagsTtlMs?: number
}

export interface PolicyAuthorizer extends Authorizer {
  /** The decision and the statement, grant or missing allow that made it, for any request. */
  explain(req: AuthzRequest): Promise<Explanation>
  /**
   * PutKeyPolicy's safety check: would the caller, with its current identity policies, still be
   * allowed kms:PutKeyPolicy on the key under `policy`? Throws MalformedPolicyDocument for a bad document.
   */
  lockoutCheck(caller: Caller, keyArn: string, policy: string): boolean
  /** Forgets a key's cached tags (the core may call this after TagResource/UntagResource). */
  forgetResourceTags(keyArn: string): void
}

const TAG_ACTIONS = new Set(['kms:tagresource', 'kms:untagresource'])

function readsResourceTags(req: AuthzRequest): boolean {
  try {
    if (req.key && compilePolicy(req.key.policy, 'key').readsResourceTags) return true
    for (const p of req.caller.policies ?? []) if (compilePolicy(p, 'identity').readsResourceTags) return true
  } catch {
    // A malformed policy denies without needing tags.
  }
  return false
}

/** The policy engine as the KMS core's Authorizer. */
export function createPolicyAuthorizer(deps: PolicyAuthorizerDeps): PolicyAuthorizer {
  const tags = new Lru<Record<string, string>>(RESOURCE_TAGS_ENTRIES, { clock: deps.clock, ms: deps.resourceTagsTtlMs ?? RESOURCE_TAGS_TTL_MS })

  async function loadTags(key: KeyRecord): Promise<Record<string, string>> {
    const hit = tags.get(key.arn)
    if (hit) return hit
    const fresh = await deps.resourceTags!(key)
    tags.set(key.arn, fresh)
    return fresh
  }

  function decide(req: AuthzRequest, resourceTags: Record<string, string> | undefined): void {
    const ev = evaluate({ ...req, now: deps.clock.now(), ...(resourceTags ? { resourceTags } : {}) })
    if (ev.decision !== 'Allow') throw denial(req, ev)
    if (req.key && TAG_ACTIONS.has(req.action.toLowerCase())) tags.delete(req.key.arn)
  }

  const needsTags = (req: AuthzRequest): req is AuthzRequest & { key: KeyRecord } => req.key !== undefined && deps.resourceTags !== undefined && readsResourceTags(req)

  return {
    authorize(req) {
      if (!needsTags(req)) return decide(req, undefined)
      return loadTags(req.key).then((t) => decide(req, t))
    },

    async explain(req) {
      const resourceTags = needsTags(req) ? await loadTags(req.key) : undefined
      return explainEvaluation({ ...req, now: deps.clock.now(), ...(resourceTags ? { resourceTags } : {}) })
    },

    lockoutCheck(caller, keyArn, policy) {
      compilePolicy(policy, 'key')
      const arn = parseArn(keyArn)
      const key: PolicyKey = {
        arn: keyArn,
        account: arn?.account ?? caller.account,
        policy,
        ...(arn ? { region: arn.region, id: arn.resource.replace(/^key\//, '') } : {}),
      }
      const resourceTags = tags.get(keyArn)
      return evaluate({ caller, action: 'kms:PutKeyPolicy', key, now: deps.clock.now(), ...(resourceTags ? { resourceTags } : {}) }).decision === 'Allow'
    },

    forgetResourceTags(keyArn) {
      tags.delete(keyArn)
    },
  }
}
