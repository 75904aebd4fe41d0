import type { Kysely } from 'kysely'
import type { Clock } from '../../core/index.ts'
import type { Caller } from '../../kms/index.ts'
import type { Schema } from '../../store/index.ts'
import type { Authorize, EventSink, OutboundEvent, SecretExpiryHooks } from '../shared/index.ts'
import type { SecretsKms } from './envelope.ts'
import type { SecretRow } from './resolve.ts'

/** What the secrets service needs, narrowed to what it uses. */
export interface SecretsDeps {
  db: Kysely<Schema>
  kms: SecretsKms
  clock: Clock
  authorize: Authorize
  events: EventSink
  /** services/expiry's hooks (issue 11), when wired. */
  expiry?: SecretExpiryHooks
}

export const SOURCE = 'aws.secretsmanager' as const
/** The detail-type of every change event (detail.operation names the API call). */
export const CHANGE_EVENT = 'Secrets Manager Secret Change'

/** A change event of one secret; `detail` never holds a value. */
export function changeEvent(row: Pick<SecretRow, 'arn' | 'name' | 'account' | 'region'>, operation: string, detail: Record<string, unknown> = {}): OutboundEvent {
  return {
    source: SOURCE,
    detailType: CHANGE_EVENT,
    account: row.account,
    region: row.region,
    resources: [row.arn],
    detail: { operation, secretArn: row.arn, name: row.name, ...detail },
  }
}

/** secretsmanager:ResourceTag/<k> and aws:ResourceTag/<k> for the policy engine, plus the secret id. */
export function secretConditions(row: Pick<SecretRow, 'arn' | 'tags'>, extra: Record<string, string | string[] | undefined> = {}) {
  const out: Record<string, string | string[] | undefined> = { 'secretsmanager:SecretId': row.arn, ...extra }
  if (row.tags !== '[]') {
    for (const t of JSON.parse(row.tags) as { Key: string; Value: string }[]) {
      out[`aws:ResourceTag/${t.Key}`] = t.Value
      out[`secretsmanager:ResourceTag/${t.Key}`] = t.Value
    }
  }
  return out
}

/** authorize() for an operation on one secret, with its resource policy and tags. */
export function authorizeOn(deps: Pick<SecretsDeps, 'authorize'>, caller: Caller, action: string, row: Pick<SecretRow, 'arn' | 'tags' | 'resource_policy'>, extra?: Record<string, string | string[] | undefined>): Promise<void> {
  return deps.authorize(caller, `secretsmanager:${action}`, row.arn, {
    ...(row.resource_policy ? { resourcePolicy: row.resource_policy } : {}),
    conditions: secretConditions(row, extra),
  })
}

/** Start of the UTC day of `ms`: AWS keeps LastAccessedDate at day granularity. */
export function dayOf(ms: number): number {
  return ms - (ms % 86_400_000)
}

export function parseStages(json: string): string[] {
  return json === '[]' ? [] : (JSON.parse(json) as string[])
}
