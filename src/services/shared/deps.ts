import type { Kysely } from 'kysely'
import type { Caller } from '../../kms/index.ts'
import type { Schema } from '../../store/index.ts'

/** An event as producers hand it to the outbox (services/notify adds id, time and version). */
export interface OutboundEvent {
  source: 'aws.kms' | 'aws.ssm' | 'aws.secretsmanager' | 'arca'
  detailType: string
  account: string
  region: string
  resources: string[]
  /** Never a secret value. */
  detail: Record<string, unknown>
}

/** Writes an event inside the caller's transaction (`db` is that transaction). */
export interface EventSink {
  record(db: Kysely<Schema>, event: OutboundEvent): Promise<void>
}

export const noEvents: EventSink = { record: async () => {} }

/**
 * May `caller` do `action` (e.g. `ssm:GetParameter`) on `resourceArn`? Throws AccessDenied.
 * `resourcePolicy` is the resource's own policy (a secret's resource policy), if any.
 */
export type Authorize = (
  caller: Caller,
  action: string,
  resourceArn: string,
  extra?: { resourcePolicy?: string; conditions?: Record<string, string | string[] | number | boolean | undefined> },
) => Promise<void>
