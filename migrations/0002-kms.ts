import type { Kysely } from 'kysely'
import { blobType } from './columns.ts'

/** KMS keys, their material versions, aliases, tags and import parameters. */
export async function up(db: Kysely<any>): Promise<void> {
  const blob = blobType(db)
  await db.schema
    .createTable('kms_keys')
    // A multi-Region key keeps one id across regions, so the key is (region, id).
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('usage', 'text', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('key_manager', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('policy', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('deletion_date', 'bigint')
    .addColumn('pending_window_days', 'integer')
    .addColumn('multi_region', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('primary_region', 'text')
    .addColumn('rotation_enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rotation_period_days', 'integer')
    .addColumn('next_rotation_at', 'bigint')
    .addColumn('on_demand_rotations', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('current_version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('valid_to', 'bigint')
    .addColumn('expiration_model', 'text')
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(1))
    .addPrimaryKeyConstraint('kms_keys_pk', ['region', 'id'])
    .execute()
  await db.schema.createIndex('kms_keys_account').on('kms_keys').columns(['account', 'region', 'created_at']).execute()
  await db.schema.createIndex('kms_keys_deletion').on('kms_keys').column('deletion_date').execute()
  await db.schema.createIndex('kms_keys_rotation').on('kms_keys').column('next_rotation_at').execute()

  await db.schema
    .createTable('kms_key_material')
    // Shared by every region of a multi-Region key: material belongs to the key id.
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('material', blob, (c) => c.notNull())
    .addColumn('material_id', 'text', (c) => c.notNull())
    .addColumn('rotation_type', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('kms_key_material_pk', ['key_id', 'version'])
    .execute()

  await db.schema
    .createTable('kms_aliases')
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('kms_aliases_pk', ['account', 'region', 'name'])
    .execute()
  await db.schema.createIndex('kms_aliases_key').on('kms_aliases').columns(['region', 'key_id']).execute()

  await db.schema
    .createTable('kms_tags')
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('tag_key', 'text', (c) => c.notNull())
    .addColumn('tag_value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('kms_tags_pk', ['region', 'key_id', 'tag_key'])
    .execute()

  await db.schema
    .createTable('kms_import_tokens')
    .addColumn('token_id', 'text', (c) => c.primaryKey())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('wrapping_algorithm', 'text', (c) => c.notNull())
    .addColumn('wrapping_key', blob, (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute()
}
