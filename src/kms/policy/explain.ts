import { ArcaError } from '../../core/index.ts'
import { type AuthzRequest, accessDenied } from '../authorizer.ts'
import { type Evaluation, type EvaluationInput, type Trace, evaluate } from './evaluate.ts'

/** The answer to "why was this allowed or denied?": the decision, what decided, and every statement's and grant's outcome. */
export interface Explanation extends Evaluation {
  allowed: boolean
  principal: string
  action: string
  resource: string
  /** Statements and grants in evaluation order, each with why it did or did not apply. */
  trace: Trace
  /** The AccessDenied message the caller receives, when denied. */
  message?: string
}

/**
 * AWS's AccessDenied wording (IAM User Guide, "Troubleshoot access denied error messages"):
 * "… because no identity-based policy allows the kms:Decrypt action",
 * "… because no resource-based policy allows the kms:Decrypt action",
 * "… with an explicit deny in a resource-based policy" / "… in an identity-based policy".
 */
export function denial(req: Pick<AuthzRequest, 'caller' | 'action' | 'resource'> & { key?: { arn: string } }, ev: Evaluation): ArcaError {
  const resource = req.key?.arn ?? req.resource ?? '*'
  if (ev.decision === 'ExplicitDeny') {
    const where = ev.by?.source === 'identity-policy' ? 'an identity-based policy' : 'a resource-based policy'
    return new ArcaError('AccessDenied', `User: ${req.caller.principalArn} is not authorized to perform: ${req.action} on resource: ${resource} with an explicit deny in ${where}`)
  }
  return accessDenied({ caller: req.caller, action: req.action, resource }, `no ${ev.missing ?? 'identity-based'} policy allows the`)
}

/** Runs the same evaluation as authorize, recording each statement's and grant's outcome. */
export function explainEvaluation(input: EvaluationInput): Explanation {
  const trace: Trace = []
  const ev = evaluate(input, trace)
  const allowed = ev.decision === 'Allow'
  return {
    ...ev,
    allowed,
    principal: input.caller.principalArn,
    action: input.action,
    resource: input.key?.arn ?? input.resource ?? '*',
    trace,
    ...(allowed ? {} : { message: denial(input, ev).message }),
  }
}
