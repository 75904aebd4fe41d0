import { type Kysely, sql } from 'kysely'
import { blobType, isPostgres } from './columns.ts'

/**
 * Parameter Store: one row per parameter (its current metadata and newest sealed value), one per kept version (the
 * envelope-encrypted value), labels (each names one version of its parameter) and the
 * parameter policies with their next due time (the policy job's work list).
 *
 * Names compare byte-wise on both back ends (PostgreSQL `COLLATE "C"`, SQLite's BINARY), so a
 * subtree `/a/b/…` is the contiguous key range [`/a/b/`, `/a/b0`) of the primary key and
 * GetParametersByPath is an index range scan; `parent` (the name up to its last `/`) indexes the
 * one-level listing. Keyset paging on name uses the same order.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const blob = blobType(db)
  const name = isPostgres(db) ? sql`text collate "C"` : sql`text`

  await db.schema
    .createTable('ssm_parameters')
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('name', name, (c) => c.notNull())
    // The name up to and including its last '/'; '/' for a name without one.
    .addColumn('parent', name, (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    // As the caller gave it (SecureString only), e.g. alias/aws/ssm.
    .addColumn('key_id', 'text')
    .addColumn('description', 'text')
    .addColumn('allowed_pattern', 'text')
    .addColumn('tier', 'text', (c) => c.notNull())
    .addColumn('data_type', 'text', (c) => c.notNull())
    // JSON array of policy texts, or null.
    .addColumn('policies', 'text')
    // The newest version: the compare-and-set token of every write.
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('modified_at', 'bigint', (c) => c.notNull())
    .addColumn('modified_by', 'text', (c) => c.notNull())
    // JSON object of tag key → value.
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    // The newest version's sealed value and data key (a copy of its version row), so that a
    // subtree listing is one index range scan with no join.
    .addColumn('data_key', blob, (c) => c.notNull())
    .addColumn('value', blob, (c) => c.notNull())
    .addPrimaryKeyConstraint('ssm_parameters_pk', ['account', 'region', 'name'])
    .execute()
  await db.schema.createIndex('ssm_parameters_parent').on('ssm_parameters').columns(['account', 'region', 'parent', 'name']).execute()

  await db.schema
    .createTable('ssm_parameter_versions')
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('name', name, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text')
    .addColumn('description', 'text')
    .addColumn('allowed_pattern', 'text')
    .addColumn('tier', 'text', (c) => c.notNull())
    .addColumn('data_type', 'text', (c) => c.notNull())
    .addColumn('policies', 'text')
    .addColumn('modified_at', 'bigint', (c) => c.notNull())
    .addColumn('modified_by', 'text', (c) => c.notNull())
    // The KMS ciphertext of this version's data key (context {PARAMETER_ARN: arn}).
    .addColumn('data_key', blob, (c) => c.notNull())
    // IV | AES-256-GCM ciphertext | tag of the value, AAD binding it to the ARN and version.
    .addColumn('value', blob, (c) => c.notNull())
    .addPrimaryKeyConstraint('ssm_parameter_versions_pk', ['account', 'region', 'name', 'version'])
    .execute()

  await db.schema
    .createTable('ssm_parameter_labels')
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('name', name, (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('ssm_parameter_labels_pk', ['account', 'region', 'name', 'label'])
    .execute()

  await db.schema
    .createTable('ssm_parameter_policies')
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('name', name, (c) => c.notNull())
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    // Pending | Finished
    .addColumn('status', 'text', (c) => c.notNull())
    // When the policy acts next; null once it has (the job's compare-and-set token).
    .addColumn('due_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('fired_at', 'bigint')
    .addPrimaryKeyConstraint('ssm_parameter_policies_pk', ['account', 'region', 'name', 'idx'])
    .execute()
  await db.schema.createIndex('ssm_parameter_policies_due').on('ssm_parameter_policies').column('due_at').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['ssm_parameter_policies', 'ssm_parameter_labels', 'ssm_parameter_versions', 'ssm_parameters']) await db.schema.dropTable(t).ifExists().execute()
}
