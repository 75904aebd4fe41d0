/**
 * Notifications: the event outbox, webhooks and the live change stream.
 *
 * Producers (KMS, parameters, secrets) call `recordEvent(tx, event)` inside the transaction of
 * their change: the event is committed with it or not at all, and its detail is redacted (no
 * secret value ever appears in an event). Events get a gap-free sequence number in commit order
 * (see outbox.ts for why no reader can skip one), which is the SSE `id` / `Last-Event-ID`.
 *
 * Webhooks: the delivery job fans each event out to matching enabled webhooks of its account
 * and POSTs it signed (`arca-signature: v1=hex(HMAC-SHA256(secret, timestamp + "." + body))`),
 * retrying with full-jitter backoff for 24 hours; deliveries are claimed row by row, so no
 * event is sent twice at once and a dead node's claims are taken over after CLAIM_TTL_MS.
 * Targets pass an SSRF check (target.ts) when saved and before every delivery.
 *
 * tables: event_sequence, events, webhooks, webhook_deliveries, webhook_attempts.
 */
export { createNotify, type Notify, type NotifyDeps } from './notify.ts'
export { type Outbox, createOutbox, kmsEventRecorder, MAX_EVENT_BYTES } from './outbox.ts'
export { redactSecrets, isSecretField } from './redact.ts'
export { parsePattern, matchesPattern } from './pattern.ts'
export { signPayload, verifySignature, SIGNATURE_VERSION, DEFAULT_TOLERANCE_SECONDS } from './signing.ts'
export { classifyAddress, type Lookup } from './target.ts'
export { RETRY_BASE_MS, RETRY_CAP_MS, RETRY_WINDOW_MS, retryDelay } from './retry.ts'
export { DELIVERY_TIMEOUT_MS, DELIVERY_CONCURRENCY, PER_WEBHOOK_IN_FLIGHT, CLAIM_TTL_MS, type DeliveryRunResult, type Fetch } from './delivery.ts'
export { DEFAULT_EVENT_RETENTION_MS } from './prune.ts'
export { FEED_POLL_MS, type EventFeed } from './feed.ts'
export { READ_BATCH, type ReadQuery, type ReadResult } from './read.ts'
export { MAX_WEBHOOKS_PER_ACCOUNT, type Webhook, type WebhookAttempt, type WebhookInput, type Webhooks } from './webhooks.ts'
export { EVENT_SOURCES, type EventEnvelope, type EventInput, type EventPattern, type EventSource, type StoredEvent } from './types.ts'
