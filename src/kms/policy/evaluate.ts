import { ArcaError } from '../../core/index.ts'
import { grantAllows, isGrantee } from '../grants/index.ts'
import type { Grant } from '../types.ts'
import { compilePolicy } from './cache.ts'
import { testCondition } from './conditions.ts'
import { matches } from './match.ts'
import type { CompiledPolicy, CompiledStatement } from './parse.ts'
import { type Who, principalMatch, whoIs } from './principals.ts'
import { RequestContext, type RequestFacts } from './request-context.ts'

/** One authorization question, as the pure evaluator takes it. */
export interface EvaluationInput extends RequestFacts {
  /** The resource ARN for an account-level action (no key); `*` when absent. */
  resource?: string
  /** The grant operation this action maps to (`Decrypt`), when grants can allow it. */
  grantOperation?: string
  grants?: readonly Grant[]
}

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny'

/** What decided: a statement of the key policy or of one identity policy, a grant, or the administrator flag. */
export interface DecidedBy {
  source: 'key-policy' | 'identity-policy' | 'grant' | 'admin'
  sid?: string
  /** The statement's position in its document. */
  index?: number
  /** Which of the caller's identity policies (position in `caller.policies`). */
  policyIndex?: number
  grantId?: string
}

export interface Evaluation {
  decision: Decision
  by?: DecidedBy
  /** The other half an Allow needed: the key policy statement that delegates, or the identity allow a cross-account call needs. */
  also?: DecidedBy
  /** For an implicit deny: which kind of policy had no Allow (AWS names it in AccessDenied). */
  missing?: 'identity-based' | 'resource-based'
  reason: string
}

/** Why each statement or grant did or did not apply; filled only when explain asks for it. */
export interface TraceEntry {
  source: 'key-policy' | 'identity-policy' | 'grant'
  policyIndex?: number
  index?: number
  sid?: string
  grantId?: string
  effect?: 'Allow' | 'Deny'
  outcome: 'applies' | 'delegates-to-account' | 'action-mismatch' | 'resource-mismatch' | 'principal-mismatch' | 'condition-false' | 'grant-mismatch'
  /** The failing condition (`StringEquals kms:EncryptionContext:dept`), or what a grant lacked. */
  detail?: string
}

export type Trace = TraceEntry[]

type Outcome = TraceEntry['outcome']

// principals.ts's PrincipalMatch values, as local literals: this is the per-statement loop.
const NO_MATCH = 0
const DIRECT = 1
const ACCOUNT = 2
const KEY_POLICY: Pick<TraceEntry, 'source'> = { source: 'key-policy' }

function statementApplies(st: CompiledStatement, action: string, resource: string, who: Who, ctx: RequestContext, trace: Trace | undefined, at: Pick<TraceEntry, 'source' | 'policyIndex'> | undefined): number {
  let outcome: Outcome | undefined
  let detail: string | undefined
  let match: number = NO_MATCH
  if (matches(st.actions, action) === st.notAction) outcome = 'action-mismatch'
  else if (matches(st.resources, resource) === st.notResource) outcome = 'resource-mismatch'
  else if ((match = principalMatch(st, who)) === NO_MATCH) outcome = 'principal-mismatch'
  else {
    for (let i = 0; i < st.conditions.length; i++) {
      const c = st.conditions[i]
      if (!testCondition(c, ctx)) {
        outcome = 'condition-false'
        if (trace) detail = `${c.operator} ${c.key}`
        match = NO_MATCH
        break
      }
    }
  }
  if (trace) {
    trace.push({
      ...(at ?? KEY_POLICY),
      index: st.index,
      ...(st.sid === undefined ? {} : { sid: st.sid }),
      effect: st.effect,
      outcome: outcome ?? (match === ACCOUNT && st.effect === 'Allow' ? 'delegates-to-account' : 'applies'),
      ...(detail === undefined ? {} : { detail }),
    })
  }
  return match
}

const by = (source: DecidedBy['source'], st: CompiledStatement, policyIndex?: number): DecidedBy => ({
  source,
  ...(st.sid === undefined ? {} : { sid: st.sid }),
  index: st.index,
  ...(policyIndex === undefined ? {} : { policyIndex }),
})

const describe = (b: DecidedBy): string =>
  b.source === 'grant'
    ? `grant ${b.grantId}`
    : b.source === 'admin'
      ? 'the account administrator'
      : `${b.source} ${b.policyIndex === undefined ? '' : `[${b.policyIndex}] `}statement ${b.sid === undefined ? `#${b.index}` : `"${b.sid}"`}`

function compileOrDeny(text: string, kind: 'key' | 'identity'): CompiledPolicy | ArcaError {
  try {
    return compilePolicy(text, kind)
  } catch (e) {
    if (e instanceof ArcaError && e.code === 'MalformedPolicyDocument') return e
    throw e
  }
}

/**
 * The KMS authorization decision, a pure function of the request, the key policy, the caller's
 * identity policies and the grants (KMS Developer Guide, "Determining access to AWS KMS keys";
 * IAM User Guide, "Policy evaluation logic", "Cross-account policy evaluation logic"):
 * 1. an explicit Deny in the key policy or in an identity policy wins, over grants too;
 * 2. the key policy allows the caller itself → Allow (from another account, the caller's own
 *    identity policy must allow as well);
 * 3. the key policy allows the caller's account root (delegation) and an identity policy of the
 *    caller allows the action on the key → Allow;
 * 4. a grant whose grantee is the caller allows the operation under its constraints → Allow;
 * 5. otherwise ImplicitDeny. Account-level actions (no key) are decided by identity policies alone.
 * The account root user and `caller.admin` hold an identity allow for everything, and are still
 * subject to the key policy. A malformed stored policy fails closed (explicit deny).
 */
export function evaluate(input: EvaluationInput, trace?: Trace): Evaluation {
  const { caller, key } = input
  const who = whoIs(caller)
  const action = input.action.toLowerCase()
  const resource = key ? key.arn : (input.resource ?? '*')
  const ctx = new RequestContext(input)

  let direct: DecidedBy | undefined
  let delegate: DecidedBy | undefined
  if (key) {
    const doc = compileOrDeny(key.policy, 'key')
    if (doc instanceof ArcaError) return { decision: 'ExplicitDeny', by: { source: 'key-policy' }, reason: `the key policy is malformed (${doc.message}); nothing is allowed until it is replaced` }
    for (const st of doc.statements) {
      const m = statementApplies(st, action, resource, who, ctx, trace, KEY_POLICY)
      if (m === NO_MATCH) continue
      if (st.effect === 'Deny') {
        const b = by('key-policy', st)
        return { decision: 'ExplicitDeny', by: b, reason: `explicitly denied by ${describe(b)}` }
      }
      if (m === DIRECT) direct ??= by('key-policy', st)
      else if (m === ACCOUNT) delegate ??= by('key-policy', st)
    }
  }

  let identity: DecidedBy | undefined = caller.admin || who.isRoot ? { source: 'admin' } : undefined
  const policies = caller.policies ?? []
  for (let p = 0; p < policies.length; p++) {
    const doc = compileOrDeny(policies[p], 'identity')
    if (doc instanceof ArcaError)
      return { decision: 'ExplicitDeny', by: { source: 'identity-policy', policyIndex: p }, reason: `identity policy [${p}] is malformed (${doc.message}); nothing is allowed until it is replaced` }
    for (const st of doc.statements) {
      if (statementApplies(st, action, resource, who, ctx, trace, trace && { source: 'identity-policy', policyIndex: p }) === NO_MATCH) continue
      if (st.effect === 'Deny') {
        const b = by('identity-policy', st, p)
        return { decision: 'ExplicitDeny', by: b, reason: `explicitly denied by ${describe(b)}` }
      }
      identity ??= by('identity-policy', st, p)
    }
  }

  if (!key) {
    if (identity) return { decision: 'Allow', by: identity, reason: `allowed by ${describe(identity)}` }
    return { decision: 'ImplicitDeny', missing: 'identity-based', reason: `no identity policy statement allows ${input.action}` }
  }

  const sameAccount = key.account === caller.account
  if (direct && (sameAccount || identity)) {
    const also = sameAccount ? undefined : identity
    return { decision: 'Allow', by: direct, ...(also ? { also } : {}), reason: `allowed by ${describe(direct)}${also ? ` and ${describe(also)} (cross-account)` : ''}` }
  }
  if (delegate && identity) return { decision: 'Allow', by: identity, also: delegate, reason: `allowed by ${describe(identity)}; ${describe(delegate)} delegates to the account` }

  const grant = input.grantOperation === undefined ? undefined : findGrant(input, who, identity !== undefined, trace)
  if (grant) {
    const b: DecidedBy = { source: 'grant', grantId: grant.grantId }
    return { decision: 'Allow', by: b, reason: `allowed by ${describe(b)}` }
  }

  if (direct || delegate) {
    const half = direct ?? delegate!
    return { decision: 'ImplicitDeny', missing: 'identity-based', also: half, reason: `${describe(half)} allows the account, but no identity policy statement allows ${input.action}` }
  }
  return { decision: 'ImplicitDeny', missing: 'resource-based', reason: `no key policy statement allows ${input.action} for ${caller.principalArn}, and no grant does` }
}

/**
 * A grant allows when the caller is its grantee and the operation and constraints fit. A grant
 * to an account (`…:root`) reaches the account's other principals only through their identity
 * policies, like a key policy naming the account.
 */
function findGrant(input: EvaluationInput, who: Who, identityAllows: boolean, trace: Trace | undefined): Grant | undefined {
  const key = input.key!
  for (const g of input.grants ?? []) {
    let lacks: string | undefined
    if (g.account !== key.account || (key.id !== undefined && g.keyId !== key.id)) lacks = 'is for another key'
    else if (!isGrantee(g, input.caller)) lacks = 'names another grantee'
    else if (g.granteePrincipal !== who.arn && !who.isRoot && !identityAllows) lacks = 'is for the account, and no identity policy allows the caller'
    else if (!grantAllows(g, input.grantOperation!, input.encryptionContext)) lacks = `does not allow ${input.grantOperation} with this encryption context`
    trace?.push({ source: 'grant', grantId: g.grantId, outcome: lacks ? 'grant-mismatch' : 'applies', ...(lacks ? { detail: lacks } : {}) })
    if (!lacks) return g
  }
  return undefined
}
