import { type Kysely, type Migration, Migrator } from 'kysely'
import { migrations } from '../../migrations/index.ts'

/** Applies every pending migration; safe to call from several nodes at once (Kysely takes a lock). */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations as Record<string, Migration> },
    migrationTableName: 'arca_migrations',
    migrationLockTableName: 'arca_migrations_lock',
  })
  const { error, results } = await migrator.migrateToLatest()
  if (error) throw error
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}

/** The name of the newest migration this build knows: the schema version. */
export const schemaVersion = Object.keys(migrations).at(-1) ?? ''
