/**
 * The policy engine: AWS's policy grammar, condition operators and KMS authorization logic (key
 * policy, identity policies, grants), as one pure evaluator shared by authorize and explain.
 */
export { createPolicyAuthorizer, type PolicyAuthorizer, type PolicyAuthorizerDeps, RESOURCE_TAGS_TTL_MS } from './authorizer.ts'
export { evaluate, type Decision, type DecidedBy, type Evaluation, type EvaluationInput, type Trace, type TraceEntry } from './evaluate.ts'
export { explainEvaluation, denial, type Explanation } from './explain.ts'
export { parsePolicy, POLICY_VERSIONS, type CompiledPolicy, type CompiledStatement, type PolicyKind, type PrincipalSet } from './parse.ts'
export { compilePolicy, COMPILED_POLICY_CACHE_ENTRIES } from './cache.ts'
export { compileCondition, testCondition, parseOperator, type CompiledCondition } from './conditions.ts'
export type { ConditionContext, ContextValue } from './variables.ts'
export { RequestContext, type PolicyKey, type RequestFacts } from './request-context.ts'

import { compilePolicy } from './cache.ts'
import type { PolicyKind } from './parse.ts'

/**
 * Checks a policy document's grammar (PutKeyPolicy, CreateKey, identity policy uploads): throws
 * ArcaError('MalformedPolicyDocument') naming the fault, e.g. "Statement[1].Effect must be Allow or Deny".
 */
export function validatePolicy(text: string, kind: PolicyKind): void {
  compilePolicy(text, kind)
}
