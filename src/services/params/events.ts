import type { Kysely } from 'kysely'
import type { Schema } from '../../store/index.ts'
import type { EventSink } from '../shared/index.ts'
import type { Scope } from './names.ts'
import type { PolicyType } from './policies.ts'

/** EventBridge events of Parameter Store (AWS-API.md §4.7); never a value. */
export const CHANGE_EVENT = 'Parameter Store Change'
export const POLICY_EVENT = 'Parameter Store Policy Action'

export type ChangeOperation = 'Create' | 'Update' | 'Delete' | 'LabelParameterVersion' | 'UnlabelParameterVersion'

export function recordChange(
  events: EventSink,
  tx: Kysely<Schema>,
  scope: Scope,
  arn: string,
  p: { operation: ChangeOperation; name: string; type: string; description?: string | null },
): Promise<void> {
  const detail: Record<string, unknown> = { operation: p.operation, name: p.name, type: p.type }
  if (p.description) detail.description = p.description
  return events.record(tx, { source: 'aws.ssm', detailType: CHANGE_EVENT, account: scope.account, region: scope.region, resources: [arn], detail })
}

export function recordPolicyAction(
  events: EventSink,
  tx: Kysely<Schema>,
  scope: Scope,
  arn: string,
  p: { name: string; type: string; policyType: PolicyType; policyText: string; reason: string },
): Promise<void> {
  return events.record(tx, {
    source: 'aws.ssm',
    detailType: POLICY_EVENT,
    account: scope.account,
    region: scope.region,
    resources: [arn],
    detail: {
      'parameter-name': p.name,
      'parameter-type': p.type,
      'policy-type': p.policyType,
      'policy-content': p.policyText,
      'action-status': 'Success',
      'action-reason': p.reason,
    },
  })
}
