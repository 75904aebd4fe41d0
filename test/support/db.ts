import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { type Database, migrateToLatest, openDatabase } from '../../src/store/index.ts'
import { randomString } from '../../src/core/index.ts'

export const testBackend: 'sqlite' | 'postgres' = process.env.ARCA_TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite'
export const testPgUrl = process.env.ARCA_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

export interface TestDatabase extends Database {
  /** How to open the same data again (a restart). */
  reopen(): Promise<Database>
  /** SQLite file path, for raw scans of the stored bytes. */
  file?: string
  /** Drop everything this test made. */
  dispose(): Promise<void>
}

/** A fresh, migrated database on the back end under test: a temp SQLite file or its own PostgreSQL schema. */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (testBackend === 'postgres') {
    const schema = `t_${randomString(12, 'abcdefghijklmnopqrstuvwxyz0123456789')}`
    const open = () => openDatabase({ url: testPgUrl, schema, poolSize: 4 })
    const database = await open()
    await migrateToLatest(database.db)
    return {
      ...database,
      reopen: open,
      async dispose() {
        await database.close().catch(() => {})
        const client = new pg.Client({ connectionString: testPgUrl })
        await client.connect()
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
        await client.end()
      },
    }
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arca-test-'))
  const file = path.join(dir, 'arca.db')
  const open = () => openDatabase({ url: file })
  const database = await open()
  await migrateToLatest(database.db)
  return {
    ...database,
    file,
    reopen: open,
    async dispose() {
      await database.close().catch(() => {})
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Every byte the back end holds for this test database, for "no plaintext at rest" scans. */
export async function rawDatabaseBytes(t: TestDatabase): Promise<Buffer> {
  if (t.file) {
    const parts = [t.file, `${t.file}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f))
    return Buffer.concat(parts)
  }
  // PostgreSQL: dump every column of every table as text (bytea as hex and as raw bytes).
  const tables = await t.db.introspection.getTables()
  const chunks: Buffer[] = []
  for (const table of tables) {
    const rows = await t.db.selectFrom(table.name as any).selectAll().execute()
    for (const row of rows) {
      for (const v of Object.values(row as Record<string, unknown>)) {
        if (v instanceof Uint8Array) chunks.push(Buffer.from(v))
        else chunks.push(Buffer.from(String(v)))
      }
    }
  }
  return Buffer.concat(chunks)
}
