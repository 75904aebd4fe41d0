/**
 * The backup archive at the storage layer, on the back end under test: a round trip is exact, a
 * damaged or truncated file is refused before anything is written, a non-empty target and a newer
 * schema are refused, and an older backup is migrated forward after loading.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { sql } from 'kysely'
import { afterAll, describe, expect, it } from 'vitest'
import { randomString } from '../../../src/core/index.ts'
import { type Database, exportBackup, knownSchemaVersions, migrateTo, openDatabase, readBackup, restoreBackup } from '../../../src/store/index.ts'
import { createTestDatabase, testBackend, testPgUrl, type TestDatabase } from '../../support/db.ts'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arca-backup-unit-'))
const cleanups: (() => Promise<void>)[] = []
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {})
  fs.rmSync(dir, { recursive: true, force: true })
})

async function fresh(): Promise<TestDatabase> {
  const d = await createTestDatabase()
  cleanups.push(() => d.dispose())
  return d
}

/** A database with no Arca tables at all (a never-started data dir or schema). */
async function blank(): Promise<Database> {
  if (testBackend === 'postgres') {
    const schema = `b_${randomString(12, 'abcdefghijklmnopqrstuvwxyz0123456789')}`
    const d = await openDatabase({ url: testPgUrl, schema, poolSize: 2 })
    cleanups.push(async () => {
      await d.close()
      const c = new pg.Client({ connectionString: testPgUrl })
      await c.connect()
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await c.end()
    })
    return d
  }
  const d = await openDatabase({ url: path.join(fs.mkdtempSync(path.join(dir, 'db-')), 'arca.db') })
  cleanups.push(() => d.close())
  return d
}

let n = 0
async function backupOf(d: Database): Promise<string> {
  const file = path.join(dir, `b${++n}.jsonl`)
  const parts: string[] = []
  await exportBackup(d, (c) => void parts.push(c), { arcaVersion: 'test', createdAt: 1_700_000_000_000 })
  fs.writeFileSync(file, parts.join(''))
  return file
}

async function seed(d: Database) {
  const db = d.db as any
  await db.insertInto('meta').values({ key: 'backup.test', value: 'héllo ✓' }).execute()
  await db.insertInto('event_sequence').values({ name: 'other', value: 2 ** 40 }).execute()
  await db
    .insertInto('webhooks')
    .values({ id: 'wh1', account: '111111111111', url: 'https://example.com/h', pattern: '{}', enabled: 0, secret: Buffer.from([0, 1, 2, 255, 254]), created_at: 1, updated_at: 2 ** 41 })
    .execute()
}

/** Rewrites the header and recomputes the digest, as a forger (or a newer Arca) would. */
function withHeader(file: string, change: (h: Record<string, unknown>) => void): string {
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean)
  const h = JSON.parse(lines[0]!)
  change(h)
  lines[0] = JSON.stringify(h)
  const body = lines.slice(0, -1).map((l) => l + '\n').join('')
  const out = `${file}.edited`
  fs.writeFileSync(out, body + JSON.stringify({ end: true, sha256: createHash('sha256').update(body).digest('hex') }) + '\n')
  return out
}

async function tableRows(d: Database): Promise<string> {
  const parts: string[] = []
  await exportBackup(d, (c) => void parts.push(c), { arcaVersion: 'x', createdAt: 0 })
  // Everything but the header's back-end name and the digest (which covers it).
  return parts.join('').split('\n').slice(1, -2).join('\n')
}

describe(`backup archive (${testBackend})`, () => {
  it('round-trips every row exactly, blobs and large integers included', async () => {
    const src = await fresh()
    await seed(src)
    const file = await backupOf(src)
    const summary = await readBackup(file)
    expect(summary.header).toMatchObject({ format: 'arca-backup', formatVersion: 1, schemaVersion: knownSchemaVersions.at(-1), createdAt: 1_700_000_000_000 })
    expect(summary.header.counts.webhooks).toBe(1)
    const dst = await blank()
    const r = await restoreBackup(dst, file)
    expect(r.migrated).toEqual([])
    expect(await tableRows(dst)).toBe(await tableRows(src))
    const wh = await (dst.db as any).selectFrom('webhooks').selectAll().executeTakeFirst()
    expect(Buffer.from(wh.secret)).toEqual(Buffer.from([0, 1, 2, 255, 254]))
    expect(wh.updated_at).toBe(2 ** 41)
  })

  it('refuses a flipped byte, a truncated file and trailing junk, and writes nothing', async () => {
    const src = await fresh()
    await seed(src)
    const file = await backupOf(src)
    const bytes = fs.readFileSync(file)
    const variants: [string, Buffer, RegExp][] = [
      ['flipped', Buffer.from(bytes.map((b, i) => (i === Math.floor(bytes.length / 2) ? b ^ 0x01 : b))), /damaged/],
      ['truncated', bytes.subarray(0, Math.floor(bytes.length * 0.7)), /incomplete|damaged/],
      ['no end line', bytes.subarray(0, bytes.lastIndexOf('{"end"')), /incomplete/],
      ['junk after end', Buffer.concat([bytes, Buffer.from('[1]\n')]), /after its end/],
      ['not a backup', Buffer.from('hello\n'), /damaged|not an Arca backup/],
    ]
    for (const [name, content, why] of variants) {
      const f = path.join(dir, `bad-${name.replace(/ /g, '-')}.jsonl`)
      fs.writeFileSync(f, content)
      await expect(readBackup(f), name).rejects.toThrow(why)
      const dst = await blank()
      await expect(restoreBackup(dst, f), name).rejects.toThrow(why)
      expect(await (dst.db as any).selectFrom('meta').selectAll().execute().catch(() => []), name).toEqual([])
    }
  })

  it('refuses a non-empty target, and a failed restore leaves the target restorable', async () => {
    const src = await fresh()
    await seed(src)
    const file = await backupOf(src)
    const busy = await fresh()
    await (busy.db as any).insertInto('meta').values({ key: 'someone', value: 'else' }).execute()
    await expect(restoreBackup(busy, file)).rejects.toThrow(/already holds Arca data/)
    expect(await (busy.db as any).selectFrom('meta').select('key').where('key', '=', 'backup.test').execute()).toEqual([])
    // A migrated but untouched target (only what migrations seed) is empty: restore works.
    const seeded = await fresh()
    await restoreBackup(seeded, file)
    expect(await tableRows(seeded)).toBe(await tableRows(src))
  })

  it('refuses a backup from a newer schema or format', async () => {
    const src = await fresh()
    const file = await backupOf(src)
    await expect(restoreBackup(await blank(), withHeader(file, (h) => (h.schemaVersion = '9999-future')))).rejects.toThrow(/newer schema \(9999-future\)/)
    await expect(readBackup(withHeader(file, (h) => (h.formatVersion = 2)))).rejects.toThrow(/format version 2 is not supported/)
  })

  it('loads an older backup at its own schema version, then migrates forward', async () => {
    const older = knownSchemaVersions.at(-2)!
    const src = await blank()
    await migrateTo(src.db, older)
    await (src.db as any).insertInto('meta').values({ key: 'from.old', value: 'v' }).execute()
    const file = await backupOf(src)
    expect((await readBackup(file)).header.schemaVersion).toBe(older)
    const dst = await blank()
    const r = await restoreBackup(dst, file)
    expect(r.migrated).toEqual([knownSchemaVersions.at(-1)])
    expect(await (dst.db as any).selectFrom('meta').select('value').where('key', '=', 'from.old').executeTakeFirst()).toEqual({ value: 'v' })
    const { rows } = await sql<{ name: string }>`select name from arca_migrations order by name`.execute(dst.db)
    expect(rows.map((x) => x.name)).toEqual(knownSchemaVersions)
  })
})
