import type { Kysely } from 'kysely'

/**
 * The audit trail: one row per API request, hash-chained per writer node (`node`, `seq`,
 * `prev_hash`, `hash`), and signed checkpoints over the chain. Append-only: Arca never updates
 * or deletes these rows. Times are epoch milliseconds.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('audit_records')
    .addColumn('node', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('time', 'bigint', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull())
    // The caller's account; null when the request was not authenticated.
    .addColumn('account', 'text')
    // The account whose resources the request addressed (CloudTrail's recipientAccountId).
    .addColumn('recipient_account', 'text', (c) => c.notNull())
    .addColumn('principal_arn', 'text')
    .addColumn('access_key_id', 'text')
    .addColumn('source_ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('region', 'text')
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('via_service', 'text')
    // JSON array of resource ARNs.
    .addColumn('resources', 'text', (c) => c.notNull())
    // JSON object: request parameters after redaction.
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    // Lower-case hex SHA-256.
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_records_pk', ['node', 'seq'])
    .execute()
  await db.schema.createIndex('audit_records_time').on('audit_records').columns(['time', 'node', 'seq']).execute()
  await db.schema.createIndex('audit_records_account').on('audit_records').columns(['account', 'time']).execute()
  await db.schema.createIndex('audit_records_recipient').on('audit_records').columns(['recipient_account', 'time']).execute()

  await db.schema
    .createTable('audit_checkpoints')
    .addColumn('node', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('time', 'bigint', (c) => c.notNull())
    // Hex Ed25519 signature by the audit signing key over (node, seq, hash, time).
    .addColumn('signature', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_checkpoints_pk', ['node', 'seq'])
    .execute()
}
