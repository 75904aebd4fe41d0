/** Where an event comes from, in EventBridge's words. */
export const EVENT_SOURCES = ['aws.kms', 'aws.ssm', 'aws.secretsmanager', 'arca'] as const
export type EventSource = (typeof EVENT_SOURCES)[number]

/** What a producer says happened; written with `recordEvent` inside its own transaction. */
export interface EventInput {
  source: EventSource
  /** AWS's detail-type where AWS emits the event ("KMS CMK Rotation", "Parameter Store Change"). */
  detailType: string
  account: string
  region: string
  /** ARNs of the resources involved. */
  resources: string[]
  /** Redacted before it is stored: no secret value ever reaches an event. */
  detail: Record<string, unknown>
}

/** The EventBridge envelope, exactly as webhooks and the stream receive it. */
export interface EventEnvelope {
  version: '0'
  id: string
  'detail-type': string
  source: EventSource
  account: string
  /** ISO 8601, seconds precision, UTC (EventBridge's format). */
  time: string
  region: string
  resources: string[]
  detail: Record<string, unknown>
}

/** An outbox row: the envelope and its place in the database's event sequence. */
export interface StoredEvent {
  /** Gap-free and in commit order across all nodes: the SSE `id` and `Last-Event-ID`. */
  seq: number
  event: EventEnvelope
}

/** Which events a webhook or a stream wants; every given part must match (absent = any). */
export interface EventPattern {
  source?: string[]
  detailType?: string[]
  /** At least one of the event's resources starts with this. */
  resourcePrefix?: string
}
