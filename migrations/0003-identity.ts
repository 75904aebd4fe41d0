import type { Kysely } from 'kysely'
import { blobType } from './columns.ts'

/**
 * Identity: accounts, principals (users and roles), access keys (secrets wrapped under the
 * root key), API tokens (SHA-256 hashes only) and inline identity policies. The meta row
 * `identity.version` is bumped in every identity write so that other nodes can drop caches.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const blob = blobType(db)
  await db.schema
    .createTable('iam_accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('iam_principals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account', 'text', (c) => c.notNull().references('iam_accounts.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    // IAM names are unique without regard to case ("ADMIN" and "admin" cannot both exist).
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('admin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('iam_principals_name', ['account', 'kind', 'name_key'])
    .execute()

  await db.schema
    .createTable('iam_access_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('principal_id', 'text', (c) => c.notNull().references('iam_principals.id').onDelete('cascade'))
    // Barrier blob, AAD `arca:access-key:<id>`.
    .addColumn('secret', blob, (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('iam_access_keys_principal').on('iam_access_keys').column('principal_id').execute()

  await db.schema
    .createTable('iam_tokens')
    // Hex SHA-256 of the token; the token itself is never stored.
    .addColumn('hash', 'text', (c) => c.primaryKey())
    .addColumn('principal_id', 'text', (c) => c.notNull().references('iam_principals.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('iam_tokens_principal').on('iam_tokens').columns(['principal_id', 'expires_at']).execute()

  await db.schema
    .createTable('iam_policies')
    .addColumn('principal_id', 'text', (c) => c.notNull().references('iam_principals.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('iam_policies_pk', ['principal_id', 'name'])
    .execute()

  await db
    .insertInto('meta')
    .values({ key: 'identity.version', value: '0' })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute()
}
