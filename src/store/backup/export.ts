import { createHash } from 'node:crypto'
import SQLite from 'better-sqlite3'
import { Kysely, SqliteDialect, sql } from 'kysely'
import type { Database } from '../db.ts'
import { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, type BackupHeader, encodeRow } from './format.ts'
import { listTables, type TableInfo } from './tables.ts'

/** Receives the archive piece by piece; awaiting it is the back-pressure. */
export type BackupSink = (chunk: string) => Promise<void> | void

export interface ExportOptions {
  arcaVersion: string
  /** Epoch milliseconds, from the caller's clock. */
  createdAt: number
}

// Rows per PostgreSQL cursor fetch, and per chunk handed to the sink.
const BATCH_ROWS = 500
const IDENT = /^[a-z_][a-z0-9_]*$/

/**
 * Writes a consistent snapshot of every Arca table to `sink` while the server keeps serving.
 * SQLite: one read transaction on a connection of its own (WAL: writers carry on, the reader
 * keeps its snapshot). PostgreSQL: one REPEATABLE READ, READ ONLY transaction.
 * Returns the header (with the row counts).
 */
export async function exportBackup(database: Pick<Database, 'db' | 'caps' | 'file'>, sink: BackupSink, opts: ExportOptions): Promise<BackupHeader> {
  const hash = createHash('sha256')
  const write = async (text: string) => {
    hash.update(text)
    await sink(text)
  }
  const header = async (tx: Kysely<any>, tables: TableInfo[]): Promise<BackupHeader> => {
    const counts: Record<string, number> = {}
    for (const t of tables) {
      const { rows } = await sql<{ n: number | bigint }>`select count(*) as n from ${sql.table(t.name)}`.execute(tx)
      counts[t.name] = Number(rows[0]?.n ?? 0)
    }
    const { rows } = await sql<{ name: string }>`select name from arca_migrations order by name desc limit 1`.execute(tx)
    const h: BackupHeader = {
      format: BACKUP_FORMAT,
      formatVersion: BACKUP_FORMAT_VERSION,
      arcaVersion: opts.arcaVersion,
      schemaVersion: rows[0]?.name ?? '',
      createdAt: opts.createdAt,
      backend: database.caps.dialect,
      counts,
    }
    await write(JSON.stringify(h) + '\n')
    return h
  }
  const result = database.caps.dialect === 'sqlite' ? await exportSqlite(database, header, write) : await exportPostgres(database.db, header, write)
  await sink(JSON.stringify({ end: true, sha256: hash.digest('hex') }) + '\n')
  return result
}

type HeaderFn = (tx: Kysely<any>, tables: TableInfo[]) => Promise<BackupHeader>
type WriteFn = (text: string) => Promise<void>

async function exportSqlite(database: Pick<Database, 'file'>, header: HeaderFn, write: WriteFn): Promise<BackupHeader> {
  if (!database.file || database.file === ':memory:') throw new Error('an in-memory database cannot be backed up')
  const conn = new SQLite(database.file, { readonly: true, fileMustExist: true })
  conn.pragma('busy_timeout = 5000')
  const k = new Kysely<any>({ dialect: new SqliteDialect({ database: conn }) })
  try {
    await sql`begin`.execute(k)
    const tables = await listTables(k, 'sqlite')
    const h = await header(k, tables)
    for (const t of tables) {
      if (!IDENT.test(t.name)) throw new Error(`unexpected table name '${t.name}'`)
      await write(JSON.stringify({ table: t.name, columns: t.columns }) + '\n')
      let chunk = ''
      let n = 0
      for (const row of conn.prepare(`select * from "${t.name}"`).iterate() as Iterable<Record<string, unknown>>) {
        chunk += encodeRow(t.columns, row) + '\n'
        if (++n % BATCH_ROWS === 0) {
          await write(chunk)
          chunk = ''
        }
      }
      if (chunk) await write(chunk)
      if (n !== h.counts[t.name]) throw new Error(`table ${t.name} changed during the backup`)
    }
    await sql`commit`.execute(k)
    return h
  } finally {
    await k.destroy()
  }
}

async function exportPostgres(db: Kysely<any>, header: HeaderFn, write: WriteFn): Promise<BackupHeader> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (tx) => {
      await sql`set transaction read only`.execute(tx)
      const tables = await listTables(tx, 'postgres')
      const h = await header(tx, tables)
      for (const t of tables) {
        await write(JSON.stringify({ table: t.name, columns: t.columns }) + '\n')
        await sql`declare arca_backup no scroll cursor for select * from ${sql.table(t.name)}`.execute(tx)
        let n = 0
        for (;;) {
          const { rows } = await sql<Record<string, unknown>>`fetch ${sql.raw(String(BATCH_ROWS))} from arca_backup`.execute(tx)
          if (rows.length === 0) break
          n += rows.length
          await write(rows.map((r) => encodeRow(t.columns, r) + '\n').join(''))
        }
        await sql`close arca_backup`.execute(tx)
        if (n !== h.counts[t.name]) throw new Error(`table ${t.name} changed during the backup`)
      }
      return h
    })
}
