import type { OutboundEvent } from '../shared/index.ts'
import type { SecretRow } from '../secrets/index.ts'

/**
 * Rotation events for the outbox: detail-type "Secrets Manager Secret Rotation", and in the
 * detail CloudTrail's event names for rotation (AWS-API.md §5.4): RotationStarted,
 * RotationSucceeded, RotationFailed, RotationAbandoned. Error text is sanitised; never a value.
 */
export const ROTATION_EVENT = 'Secrets Manager Secret Rotation'
export type RotationEventName = 'RotationStarted' | 'RotationSucceeded' | 'RotationFailed' | 'RotationAbandoned'

export function rotationEvent(row: Pick<SecretRow, 'arn' | 'name' | 'account' | 'region'>, eventName: RotationEventName, detail: Record<string, unknown>): OutboundEvent {
  return {
    source: 'aws.secretsmanager',
    detailType: ROTATION_EVENT,
    account: row.account,
    region: row.region,
    resources: [row.arn],
    detail: { eventName, secretArn: row.arn, name: row.name, ...detail },
  }
}
