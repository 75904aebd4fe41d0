import type { Kysely } from 'kysely'
import { blobType } from './columns.ts'

/**
 * Notifications: the event outbox, its sequence counter, webhook subscriptions, their
 * deliveries (one per event and subscription) and every delivery attempt.
 *
 * `events.seq` is not an autoincrement: it is taken from the single `event_sequence` row with
 * `UPDATE … SET value = value + 1 RETURNING value` inside the producer's transaction. The row
 * lock is held until that transaction ends, so sequence numbers are handed out in commit order
 * and a rolled-back transaction gives its number back: the sequence has no gaps and a reader
 * that has seen N has seen everything below N (see services/notify/outbox.ts).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const blob = blobType(db)
  await db.schema
    .createTable('event_sequence')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .execute()
  await db.insertInto('event_sequence').values({ name: 'events', value: 0 }).execute()

  await db.schema
    .createTable('events')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('detail_type', 'text', (c) => c.notNull())
    // JSON array of resource ARNs, for resource-prefix filters.
    .addColumn('resources', 'text', (c) => c.notNull())
    // The whole EventBridge envelope, as delivered.
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    // 1 once delivery rows exist for every matching subscription.
    .addColumn('fanned_out', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema.createIndex('events_account_seq').on('events').columns(['account', 'seq']).execute()
  await db.schema.createIndex('events_fan_out').on('events').columns(['fanned_out', 'seq']).execute()
  await db.schema.createIndex('events_created').on('events').column('created_at').execute()

  await db.schema
    .createTable('webhooks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    // JSON {source?, detailType?, resourcePrefix?}.
    .addColumn('pattern', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    // Barrier blob, AAD `arca:webhook-secret:<id>`.
    .addColumn('secret', blob, (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('webhooks_account').on('webhooks').columns(['account', 'created_at']).execute()

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('webhook_id', 'text', (c) => c.notNull().references('webhooks.id').onDelete('cascade'))
    .addColumn('event_seq', 'bigint', (c) => c.notNull().references('events.seq').onDelete('cascade'))
    // pending | delivered | failed
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    // A node's claim: no other node attempts this row until claimed_until has passed.
    .addColumn('claim_id', 'text')
    .addColumn('claimed_until', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('webhook_deliveries_once', ['webhook_id', 'event_seq'])
    .execute()
  await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['state', 'next_attempt_at']).execute()

  await db.schema
    .createTable('webhook_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('delivery_id', 'text', (c) => c.notNull().references('webhook_deliveries.id').onDelete('cascade'))
    .addColumn('webhook_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('attempted_at', 'bigint', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('error', 'text')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('success', 'integer', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('webhook_attempts_webhook').on('webhook_attempts').columns(['webhook_id', 'attempted_at']).execute()
  await db.schema.createIndex('webhook_attempts_delivery').on('webhook_attempts').column('delivery_id').execute()
}
