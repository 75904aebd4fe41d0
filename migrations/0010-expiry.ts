import type { Kysely } from 'kysely'

/**
 * Expiry (issue 11): per-item expiry configuration with its change/access times, and the due
 * moments that configuration produces. A moment is claimed once (pending 1 → 0) in the same
 * transaction as its outbox event; the unique key keeps a fired moment from being scheduled again.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('expiry_items')
    .addColumn('item_type', 'text', (c) => c.notNull())
    .addColumn('arn', 'text', (c) => c.notNull())
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    // JSON {policies: string[], action, recoveryDays} set through the REST API; wins over tags.
    .addColumn('api_config', 'text')
    // The same, derived from the item's arca:* tags.
    .addColumn('tag_config', 'text')
    // Last new value (NoChangeNotification) and last read (NoAccessNotification), epoch ms.
    .addColumn('changed_at', 'bigint', (c) => c.notNull())
    .addColumn('accessed_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('expiry_items_pk', ['item_type', 'arn'])
    .execute()
  await db.schema
    .createTable('expiry_moments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('item_type', 'text', (c) => c.notNull())
    .addColumn('arn', 'text', (c) => c.notNull())
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('policy_type', 'text', (c) => c.notNull())
    .addColumn('policy_text', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    // 1 until fired; the claim is compare-and-set on it.
    .addColumn('pending', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('fired_at', 'bigint')
    .addColumn('late', 'integer', (c) => c.notNull().defaultTo(0))
    .addUniqueConstraint('expiry_moments_once', ['item_type', 'arn', 'policy_type', 'due_at'])
    .execute()
  await db.schema.createIndex('expiry_moments_due').on('expiry_moments').columns(['pending', 'due_at']).execute()
  await db.schema.createIndex('expiry_moments_view').on('expiry_moments').columns(['account', 'pending', 'due_at', 'id']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('expiry_moments').execute()
  await db.schema.dropTable('expiry_items').execute()
}
