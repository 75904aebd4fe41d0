import { type Kysely, sql } from 'kysely'
import { ArcaError } from '../../core/index.ts'
import { type Database, openDatabase } from '../db.ts'
import { knownSchemaVersions, migrateTo, migrateToLatest } from '../migrate.ts'
import { encodeValue, type Value } from './format.ts'
import { type BackupSummary, readBackup } from './read.ts'
import { listTables, type TableInfo } from './tables.ts'

export interface RestoreResult extends BackupSummary {
  /** Migrations applied after loading (the backup came from an older schema). */
  migrated: string[]
}

// Bound parameters per INSERT: SQLite allows 32,766 (SQLITE_MAX_VARIABLE_NUMBER since 3.32), PostgreSQL 65,535.
const MAX_PARAMS = 30_000

/**
 * Loads an archive into an empty database: checks the whole file first (format, digest, counts,
 * schema version), refuses a non-empty target, brings the target to the backup's schema version,
 * loads every row in one transaction (all or nothing), then migrates forward to this build.
 */
export async function restoreBackup(database: Database, file: string): Promise<RestoreResult> {
  const summary = await readBackup(file)
  const version = summary.header.schemaVersion
  if (!knownSchemaVersions.includes(version)) {
    throw new ArcaError(
      'Validation',
      `the backup comes from a newer schema (${version || 'unknown'}) than this Arca knows (${knownSchemaVersions.at(-1)}); restore it with a newer Arca`,
    )
  }
  const dialect = database.caps.dialect
  await refuseNonEmpty(database.db, dialect, version)
  await migrateTo(database.db, version)
  const tables = new Map((await listTables(database.db, dialect)).map((t) => [t.name, t]))
  for (const name of Object.keys(summary.header.counts)) {
    if (!tables.has(name)) throw new ArcaError('Validation', `the backup holds table '${name}', which schema ${version} does not have`)
  }
  const target = database.db as Kysely<any>
  await target.transaction().execute(async (tx) => {
    for (const t of [...tables.values()].reverse()) await tx.deleteFrom(t.name).execute()
    await readBackup(file, {
      table: ({ table, columns }) => {
        const known = new Set(tables.get(table)?.columns)
        const unknown = columns.find((c) => !known.has(c))
        if (unknown) throw new ArcaError('Validation', `the backup's table '${table}' has a column '${unknown}' that schema ${version} does not have`)
      },
      rows: (table, columns, rows) => insertRows(tx, table, columns, rows),
    })
  })
  const migrated = await migrateToLatest(database.db)
  return { ...summary, migrated }
}

async function insertRows(tx: Kysely<any>, table: string, columns: string[], rows: Value[][]): Promise<void> {
  const per = Math.max(1, Math.floor(MAX_PARAMS / Math.max(1, columns.length)))
  for (let i = 0; i < rows.length; i += per) {
    const values = rows.slice(i, i + per).map((r) => Object.fromEntries(columns.map((c, j) => [c, r[j]])))
    await tx.insertInto(table).values(values).execute()
  }
}

/**
 * A target is empty when it has no Arca tables, or its tables hold only what the migrations
 * themselves seed (a restore that failed and was rolled back leaves exactly that).
 */
async function refuseNonEmpty(db: Kysely<any>, dialect: 'sqlite' | 'postgres', version: string): Promise<void> {
  const tables = await listTables(db, dialect)
  if (tables.length === 0) return
  const { rows } = await sql<{ name: string }>`select name from arca_migrations order by name desc limit 1`.execute(db).catch(() => ({ rows: [] as { name: string }[] }))
  const at = rows[0]?.name ?? ''
  const seeds = knownSchemaVersions.includes(at) ? await seedRows(at) : new Map<string, Set<string>>()
  for (const t of tables) {
    const held = await rowsOf(db, t)
    const seeded = seeds.get(t.name) ?? new Set<string>()
    if (held.some((r) => !seeded.has(r))) {
      throw new ArcaError('Conflict', `the target database already holds Arca data (table ${t.name}); restore needs an empty data directory or database schema`)
    }
  }
  if (at !== version) {
    throw new ArcaError('Conflict', `the target database was initialised at schema ${at || 'unknown'}, the backup is at ${version}; restore needs an empty data directory or database schema`)
  }
}

// Seed rows are few: a table holding more than this is not a fresh one.
const SEED_LIMIT = 100

async function rowsOf(db: Kysely<any>, t: TableInfo): Promise<string[]> {
  const rows = await db.selectFrom(t.name).selectAll().limit(SEED_LIMIT + 1).execute()
  return rows.map((r) => JSON.stringify(t.columns.map((c) => encodeValue((r as Record<string, unknown>)[c]))))
}

/** What the migrations up to `version` insert by themselves, found by running them on an in-memory database. */
async function seedRows(version: string): Promise<Map<string, Set<string>>> {
  const mem = await openDatabase({ url: ':memory:' })
  try {
    await migrateTo(mem.db, version)
    const out = new Map<string, Set<string>>()
    for (const t of await listTables(mem.db, 'sqlite')) out.set(t.name, new Set(await rowsOf(mem.db, t)))
    return out
  } finally {
    await mem.close()
  }
}
