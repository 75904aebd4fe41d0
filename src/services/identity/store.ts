import { type Kysely, type Selectable, sql } from 'kysely'
import { ArcaError, iamArn } from '../../core/index.ts'
import type { IamPrincipalTable, Schema } from '../../store/index.ts'
import type { Principal, PrincipalKind } from './types.ts'

/** The meta row every identity write bumps; other nodes compare it to drop their caches. */
export const VERSION_KEY = 'identity.version'

export type PrincipalRow = Selectable<IamPrincipalTable>

export async function readVersion(db: Kysely<Schema>): Promise<string | undefined> {
  const row = await db.selectFrom('meta').select('value').where('key', '=', VERSION_KEY).executeTakeFirst()
  return row?.value
}

/**
 * Runs one identity write. The version bump comes first: it locks the meta row, so identity
 * writes are serialised across nodes (PostgreSQL row lock; SQLite has one writer anyway) and
 * the counting checks inside (2 access keys, 10 policies) cannot race.
 */
export async function identityWrite<T>(db: Kysely<Schema>, fn: (tx: Kysely<Schema>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (tx) => {
    await tx
      .insertInto('meta')
      .values({ key: VERSION_KEY, value: '1' })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: sql<string>`CAST(CAST(meta.value AS BIGINT) + 1 AS TEXT)` }))
      .execute()
    return fn(tx)
  })
}

export function toPrincipal(row: PrincipalRow): Principal {
  return Object.freeze({
    id: row.id,
    account: row.account,
    kind: row.kind,
    name: row.name,
    arn: iamArn(row.account, row.kind, row.name),
    admin: Number(row.admin) === 1,
    tags: Object.freeze(JSON.parse(row.tags) as Record<string, string>),
  })
}

export function findPrincipal(db: Kysely<Schema>, kind: PrincipalKind, account: string, name: string): Promise<PrincipalRow | undefined> {
  return db
    .selectFrom('iam_principals')
    .selectAll()
    .where('account', '=', account)
    .where('kind', '=', kind)
    .where('name_key', '=', name.toLowerCase())
    .executeTakeFirst()
}

/** IAM's NoSuchEntity wording. */
export function noSuchPrincipal(kind: PrincipalKind, name: string): ArcaError {
  return new ArcaError('NotFound', `The ${kind} with name ${name} cannot be found.`, { field: 'name' })
}

export async function requirePrincipal(db: Kysely<Schema>, kind: PrincipalKind, account: string, name: string): Promise<PrincipalRow> {
  const row = await findPrincipal(db, kind, account, name)
  if (row === undefined) throw noSuchPrincipal(kind, name)
  return row
}

export async function accountExists(db: Kysely<Schema>, account: string): Promise<boolean> {
  const row = await db.selectFrom('iam_accounts').select('id').where('id', '=', account).executeTakeFirst()
  return row !== undefined
}

export async function requireAccount(db: Kysely<Schema>, account: string): Promise<void> {
  if (!(await accountExists(db, account))) throw new ArcaError('NotFound', `The account ${account} does not exist.`, { field: 'account' })
}
