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

/** An item as the expiry hooks see it (never a value). */
export interface ExpiryItemRef {
  arn: string
  account: string
  region: string
  name: string
}

/**
 * What the secrets service tells services/expiry (issue 11), wired in server.ts. `checkTags`
 * refuses malformed `arca:*` expiry tags; the two write hooks run inside the write's transaction;
 * `beforeRead` refuses a value that expired under deny-reads and records the read (cheaply).
 */
export interface SecretExpiryHooks {
  /** `changedKeys`: the tags this write sets (an unchanged past arca:expires-at is not refused again). */
  checkTags(tags: readonly { Key: string; Value: string }[], now: number, changedKeys?: readonly string[]): void
  tagsChanged(tx: Kysely<Schema>, item: ExpiryItemRef, tags: readonly { Key: string; Value: string }[], now: number): Promise<void>
  versionWritten(tx: Kysely<Schema>, item: ExpiryItemRef, now: number): Promise<void>
  beforeRead(item: ExpiryItemRef, now: number): Promise<void>
}
