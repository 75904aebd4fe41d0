import { type Kysely, type Migration, Migrator, PostgresAdapter, sql } from 'kysely'
import { migrations } from '../../migrations/index.ts'

/**
 * The schema the migration tables live in. On PostgreSQL it must be named: without it Kysely's
 * migrator looks for its tables in every schema of the database, finds another instance's
 * (ARCA_DATABASE_SCHEMA lets several share one database), skips creating its own and fails with
 * `relation "arca_migrations_lock" does not exist`.
 */
async function migrationSchema(db: Kysely<any>): Promise<string | undefined> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return undefined
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db)
  return rows[0]?.schema ?? undefined
}

/** Applies every pending migration; safe to call from several nodes at once (Kysely takes a lock). */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  return migrateUpTo(db, undefined)
}

/** Applies the migrations up to and including `name` (a restore loads an older backup at its own version first). */
export async function migrateTo(db: Kysely<any>, name: string): Promise<string[]> {
  return migrateUpTo(db, name)
}

async function migrateUpTo(db: Kysely<any>, target: string | undefined): Promise<string[]> {
  const schema = await migrationSchema(db)
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations as Record<string, Migration> },
    migrationTableName: 'arca_migrations',
    migrationLockTableName: 'arca_migrations_lock',
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  })
  for (let attempt = 1; ; attempt++) {
    const { error, results } = target === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(target)
    if (!error) return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
    if (attempt >= SCHEMA_RACE_ATTEMPTS || !droppedMeanwhile(error, schema)) throw error
  }
}

// Kysely's PostgreSQL introspection (which the migrator runs before taking its lock) scans every
// schema of the database and fails with invalid_schema_name (3F000) when another one is dropped
// during the scan. That schema is not ours, and migrating is idempotent: try again.
const SCHEMA_RACE_ATTEMPTS = 10

function droppedMeanwhile(error: unknown, ours: string | undefined): boolean {
  const e = error as { code?: unknown; message?: unknown }
  return e?.code === '3F000' && typeof e.message === 'string' && (ours === undefined || !e.message.includes(`"${ours}"`))
}

/** The name of the newest migration this build knows: the schema version. */
export const schemaVersion = Object.keys(migrations).at(-1) ?? ''

/** Every migration name this build knows, oldest first. */
export const knownSchemaVersions: readonly string[] = Object.keys(migrations)
