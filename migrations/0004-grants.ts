import type { Kysely } from 'kysely'
import { blobType } from './columns.ts'

/**
 * KMS grants. A grant belongs to one regional key row (region, key_id): grants are not shared
 * between the regions of a multi-Region key. `token_key` is a per-grant HMAC key wrapped by the
 * root-key barrier; grant tokens carry a MAC under it, so the database never holds a usable token.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const blob = blobType(db)
  await db.schema
    .createTable('kms_grants')
    .addColumn('grant_id', 'text', (c) => c.primaryKey())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('grantee_principal', 'text', (c) => c.notNull())
    .addColumn('retiring_principal', 'text')
    // JSON array of operation names; JSON object {encryptionContextSubset?, encryptionContextEquals?}.
    .addColumn('operations', 'text', (c) => c.notNull())
    .addColumn('constraints', 'text')
    // Digest of name + parameters for named grants (NULL when unnamed): a retried CreateGrant finds its grant.
    .addColumn('dedupe', 'text')
    .addColumn('token_key', blob, (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('kms_grants_dedupe', ['region', 'key_id', 'dedupe'])
    .execute()
  await db.schema.createIndex('kms_grants_key').on('kms_grants').columns(['region', 'key_id', 'created_at', 'grant_id']).execute()
  await db.schema.createIndex('kms_grants_grantee').on('kms_grants').columns(['region', 'key_id', 'grantee_principal']).execute()
  await db.schema.createIndex('kms_grants_retiring').on('kms_grants').columns(['retiring_principal', 'region', 'created_at']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('kms_grants').execute()
}
