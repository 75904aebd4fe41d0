import fs from 'node:fs'
import path from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely'
import pg from 'pg'
import type { Schema } from './schema.ts'

/** What differs between back ends, as flags rather than `if (sqlite)` scattered around. */
export interface Capabilities {
  dialect: 'sqlite' | 'postgres'
  /** Several Arca nodes may share this database. */
  shared: boolean
  /** `SELECT … FOR UPDATE SKIP LOCKED` is available. */
  skipLocked: boolean
}

export interface Database {
  db: Kysely<Schema>
  caps: Capabilities
  /** Where the data lives, without credentials, for the start-up line. */
  describe: string
  /** SQLite only: the database file (a backup reads it through a connection of its own). */
  file?: string
  close(): Promise<void>
}

export interface DatabaseOptions {
  /** `postgres://…` selects PostgreSQL; anything else is a SQLite file path (`:memory:` works). */
  url: string
  /** PostgreSQL only: the schema to use (created if missing). Tests give each run its own. */
  schema?: string
  poolSize?: number
}

// int8 columns hold epoch milliseconds, well inside 2^53.
pg.types.setTypeParser(20, (v) => Number(v))

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url)
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  return isPostgresUrl(opts.url) ? openPostgres(opts) : openSqlite(opts.url)
}

function openSqlite(file: string): Database {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
  const sqlite = new SQLite(file)
  sqlite.pragma('journal_mode = WAL')
  // WAL + NORMAL survives a process crash (kill -9) without losing a committed transaction;
  // only an OS crash or power loss may drop the newest commits.
  sqlite.pragma('synchronous = NORMAL')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('foreign_keys = ON')
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) })
  return {
    db,
    caps: { dialect: 'sqlite', shared: false, skipLocked: false },
    describe: `sqlite:${file}`,
    file,
    close: () => db.destroy(),
  }
}

// Kysely's SQLite driver prepares every query anew; preparing costs more than running a keyed
// read. Statements are reusable (the driver runs each to completion synchronously), so identical
// SQL text shares one prepared statement. Bounded: query shapes are few, but a text built with
// inline values must not grow the cache forever.
const STATEMENT_CACHE_SIZE = 500

function withStatementCache(sqlite: SQLite.Database): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>()
  const prepare = (sql: string) => {
    let stmt = cache.get(sql)
    if (stmt === undefined) {
      stmt = sqlite.prepare(sql)
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!)
      cache.set(sql, stmt)
    }
    return stmt
  }
  return new Proxy(sqlite, {
    get(target, prop) {
      if (prop === 'prepare') return prepare
      const value = Reflect.get(target, prop, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

async function openPostgres(opts: DatabaseOptions): Promise<Database> {
  const schema = opts.schema
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name '${schema}'`)
  if (schema) {
    const admin = new pg.Client({ connectionString: opts.url })
    await admin.connect()
    try {
      await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`)
    } finally {
      await admin.end()
    }
  }
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.poolSize ?? 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  })
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) })
  const u = new URL(opts.url)
  return {
    db,
    caps: { dialect: 'postgres', shared: true, skipLocked: true },
    describe: `postgres://${u.host}${u.pathname}${schema ? `#${schema}` : ''}`,
    close: () => db.destroy(),
  }
}
