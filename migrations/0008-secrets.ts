import type { Kysely } from 'kysely'
import { blobType } from './columns.ts'

/**
 * Secrets Manager: secrets, their versions (each value sealed under its own KMS data key) and
 * staging labels. `secret_stages` holds each label once per secret (its primary key is the
 * "a label sits on at most one version" rule); `secret_versions.stages` repeats a version's
 * labels so that a read needs one row, and is rewritten in the same transaction as the labels.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const blob = blobType(db)
  await db.schema
    .createTable('secrets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('arn', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    // As the caller gave it; NULL = the account's alias/aws/secretsmanager key.
    .addColumn('kms_key_id', 'text')
    .addColumn('resource_policy', 'text')
    // JSON array of {Key, Value} in the order they were added.
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_changed_at', 'bigint', (c) => c.notNull())
    // Start of the UTC day of the last read (AWS keeps day granularity).
    .addColumn('last_accessed_at', 'bigint')
    // When DeleteSecret was called, and when the secret is purged.
    .addColumn('deleted_at', 'bigint')
    .addColumn('deletion_date', 'bigint')
    .addColumn('rotation_enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rotation_lambda_arn', 'text')
    // JSON {AutomaticallyAfterDays?, Duration?, ScheduleExpression?}.
    .addColumn('rotation_rules', 'text')
    .addColumn('last_rotated_at', 'bigint')
    .addColumn('next_rotation_at', 'bigint')
    .addColumn('owning_service', 'text')
    .addColumn('primary_region', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(1))
    // A name stays taken while its secret waits for deletion (AWS: not reusable until purged).
    .addUniqueConstraint('secrets_name', ['account', 'region', 'name'])
    .addUniqueConstraint('secrets_arn', ['arn'])
    .execute()
  await db.schema.createIndex('secrets_list').on('secrets').columns(['account', 'region', 'created_at']).execute()
  await db.schema.createIndex('secrets_deletion').on('secrets').column('deletion_date').execute()

  await db.schema
    .createTable('secret_versions')
    .addColumn('secret_id', 'text', (c) => c.notNull())
    .addColumn('version_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_accessed_at', 'bigint')
    // JSON array of this version's staging labels (mirror of secret_stages).
    .addColumn('stages', 'text', (c) => c.notNull().defaultTo('[]'))
    // 'string' | 'binary'; NULL while the version has no value (RotateSecret's empty AWSPENDING).
    .addColumn('kind', 'text')
    // KMS ciphertext of the version's data key (context {SecretARN, SecretVersionId}).
    .addColumn('data_key', blob)
    // IV | AES-256-GCM ciphertext | tag under the data key, AAD = ARN + version id.
    .addColumn('value', blob)
    .addColumn('kms_key_arn', 'text')
    .addColumn('default_key', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('secret_versions_pk', ['secret_id', 'version_id'])
    .execute()
  await db.schema.createIndex('secret_versions_created').on('secret_versions').columns(['secret_id', 'created_at']).execute()

  await db.schema
    .createTable('secret_stages')
    .addColumn('secret_id', 'text', (c) => c.notNull())
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('version_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('secret_stages_pk', ['secret_id', 'stage'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('secret_stages').execute()
  await db.schema.dropTable('secret_versions').execute()
  await db.schema.dropTable('secrets').execute()
}
