import { type Kysely, sql } from 'kysely'

/** One Arca table as the database describes it (never a hard-coded list that goes stale). */
export interface TableInfo {
  name: string
  columns: string[]
  /** Tables this one references through a foreign key. */
  references: string[]
}

/** The migrator's own bookkeeping: never backed up, never restored (the restore runs the migrator). */
export const BOOKKEEPING_TABLES: ReadonlySet<string> = new Set(['arca_migrations', 'arca_migrations_lock'])

/** Every Arca table, referenced tables before the tables that reference them (insert order). */
export async function listTables(db: Kysely<any>, dialect: 'sqlite' | 'postgres'): Promise<TableInfo[]> {
  const tables = dialect === 'sqlite' ? await sqliteTables(db) : await postgresTables(db)
  return dependencyOrder(tables.filter((t) => !BOOKKEEPING_TABLES.has(t.name)))
}

async function sqliteTables(db: Kysely<any>): Promise<TableInfo[]> {
  const { rows } = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`.execute(db)
  const out: TableInfo[] = []
  for (const { name } of rows) {
    const cols = await sql<{ name: string }>`select name from pragma_table_info(${name}) order by cid`.execute(db)
    const fks = await sql<{ table: string }>`select "table" from pragma_foreign_key_list(${name})`.execute(db)
    out.push({ name, columns: cols.rows.map((c) => c.name), references: [...new Set(fks.rows.map((f) => f.table))] })
  }
  return out
}

async function postgresTables(db: Kysely<any>): Promise<TableInfo[]> {
  const { rows } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(db)
  const cols = await sql<{ table: string; name: string }>`
    select table_name as table, column_name as name from information_schema.columns
    where table_schema = current_schema() order by table_name, ordinal_position`.execute(db)
  const fks = await sql<{ table: string; target: string }>`
    select cl.relname as table, ref.relname as target from pg_constraint c
    join pg_class cl on cl.oid = c.conrelid join pg_class ref on ref.oid = c.confrelid
    join pg_namespace n on n.oid = cl.relnamespace
    where c.contype = 'f' and n.nspname = current_schema()`.execute(db)
  return rows.map(({ name }) => ({
    name,
    columns: cols.rows.filter((c) => c.table === name).map((c) => c.name),
    references: [...new Set(fks.rows.filter((f) => f.table === name).map((f) => f.target))],
  }))
}

/** Topological order by foreign keys; ties by name, so the order is the same on both back ends. */
function dependencyOrder(tables: TableInfo[]): TableInfo[] {
  const byName = new Map(tables.map((t) => [t.name, t]))
  const done = new Set<string>()
  const out: TableInfo[] = []
  const visit = (t: TableInfo, path: Set<string>) => {
    if (done.has(t.name) || path.has(t.name)) return
    path.add(t.name)
    for (const r of [...t.references].sort()) {
      const dep = byName.get(r)
      if (dep && r !== t.name) visit(dep, path)
    }
    done.add(t.name)
    out.push(t)
  }
  for (const t of [...tables].sort((a, b) => (a.name < b.name ? -1 : 1))) visit(t, new Set())
  return out
}
