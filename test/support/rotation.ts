/**
 * The rotation service over the test database (SQLite file, or its own PostgreSQL schema with
 * ARCA_TEST_DATABASE=postgres) with the real KMS core and secrets service, a manual clock and
 * collected events. `where` says how to open the same data from another process (see
 * rotation-node.ts, the "server killed mid-rotation" test).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Kysely } from 'kysely'
import pg from 'pg'
import { ManualClock, randomBytes, randomString } from '../../src/core/index.ts'
import { type Caller, type Kms, createKms } from '../../src/kms/index.ts'
import { Seal } from '../../src/kms/root/index.ts'
import { type Rotation, createRotation } from '../../src/services/rotation/index.ts'
import { type Secrets, createSecrets } from '../../src/services/secrets/index.ts'
import type { Authorize, OutboundEvent } from '../../src/services/shared/index.ts'
import { type Database, type Schema, metaStore, migrateToLatest, openDatabase } from '../../src/store/index.ts'
import { testBackend, testPgUrl } from './db.ts'

export const REPO_PLUGINS = fileURLToPath(new URL('../../plugins', import.meta.url))
export const CONTRACT = fileURLToPath(new URL('../../src/services/rotation/contract.ts', import.meta.url))
export const ACCOUNT = '111111111111'
export const REGION = 'us-east-1'
export const caller: Caller = { account: ACCOUNT, principalArn: `arn:aws:iam::${ACCOUNT}:root`, region: REGION }

/** How another process opens the same database and root key. */
export interface Where {
  url: string
  schema?: string
  rootKey: string
  dataDir: string
  pluginsDir: string
}

export interface RotationHarness {
  db: Database
  kms: Kms
  clock: ManualClock
  secrets: Secrets
  rotation: Rotation
  events: OutboundEvent[]
  where: Where
  /** Another node over the same database (its own host, leases and workers). */
  node(name: string): Rotation
  /** Another node with its own connection pool to the same database, as a second server would have. */
  server(name: string): Promise<{ rotation: Rotation; db: Database }>
  dispose(): Promise<void>
}

const allowAll: Authorize = async () => {}

/** Builds the secrets and rotation services over an open database (also used by rotation-node.ts). */
export async function assemble(db: Database, where: Where, clock: ManualClock, events: OutboundEvent[], nodeName: string, stepTimeoutMs?: number) {
  const { seal } = await Seal.open(metaStore(db.db), { rootKey: where.rootKey, dataDir: where.dataDir })
  const kms = createKms({ db: db.db, barrier: seal, clock })
  const sink = {
    async record(_tx: Kysely<Schema>, e: OutboundEvent) {
      events.push(e)
    },
  }
  const secrets = createSecrets({ db: db.db, kms, clock, authorize: allowAll, events: sink })
  const node = (name: string) =>
    createRotation({ db: db.db, secrets, clock, authorize: allowAll, events: sink, pluginsDir: where.pluginsDir, nodeId: name, ...(stepTimeoutMs ? { stepTimeoutMs } : {}) })
  return { kms, secrets, node, rotation: node(nodeName) }
}

export async function createRotationHarness(opts: { pluginsDir?: string; stepTimeoutMs?: number } = {}): Promise<RotationHarness> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arca-rot-'))
  const schema = testBackend === 'postgres' ? `r_${randomString(12, 'abcdefghijklmnopqrstuvwxyz0123456789')}` : undefined
  const url = schema ? testPgUrl : path.join(dataDir, 'arca.db')
  const where: Where = { url, ...(schema ? { schema } : {}), rootKey: Buffer.from(randomBytes(32)).toString('base64'), dataDir, pluginsDir: opts.pluginsDir ?? REPO_PLUGINS }
  const db = await openDatabase({ url, ...(schema ? { schema, poolSize: 4 } : {}) })
  await migrateToLatest(db.db)
  const clock = new ManualClock()
  const events: OutboundEvent[] = []
  const a = await assemble(db, where, clock, events, 'node-a', opts.stepTimeoutMs)
  const nodes: Rotation[] = [a.rotation]
  const dbs: Database[] = []
  return {
    db,
    kms: a.kms,
    clock,
    secrets: a.secrets,
    rotation: a.rotation,
    events,
    where,
    node(name) {
      const r = a.node(name)
      nodes.push(r)
      return r
    },
    async server(name) {
      const other = await openDatabase({ url, ...(schema ? { schema, poolSize: 4 } : {}) })
      dbs.push(other)
      const b = await assemble(other, where, clock, events, name, opts.stepTimeoutMs)
      nodes.push(b.rotation)
      return { rotation: b.rotation, db: other }
    },
    async dispose() {
      for (const n of nodes) await n.stop()
      for (const d of dbs) await d.close().catch(() => {})
      await db.close().catch(() => {})
      if (schema) {
        const c = new pg.Client({ connectionString: testPgUrl })
        await c.connect()
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
        await c.end()
      }
      fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/**
 * A plugins folder for a test: the repository's plugins plus the given ones, each
 * `{ 'index.ts': source, 'package.json'?: text }` (import the contract from CONTRACT).
 */
export function pluginFolder(plugins: Record<string, { 'index.ts': string; 'package.json'?: string }>): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arca-plugins-'))
  fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}')
  for (const [name, files] of Object.entries(plugins)) {
    fs.mkdirSync(path.join(dir, name))
    for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name, file), text)
  }
  for (const name of fs.readdirSync(REPO_PLUGINS)) if (!(name in plugins)) fs.symlinkSync(path.join(REPO_PLUGINS, name), path.join(dir, name))
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) }
}

export const rotationEvents = (events: OutboundEvent[]) => events.filter((e) => e.detailType === 'Secrets Manager Secret Rotation').map((e) => e.detail.eventName as string)

/** Skips (one line) when a server is missing and CI is unset; under CI a missing server fails the suite. */
export function needServer(what: string, reason: string | undefined): boolean {
  if (reason === undefined) return true
  if (process.env.CI) throw new Error(`${what} is required under CI: ${reason}`)
  process.stderr.write(`skipping ${what} tests: ${reason}\n`)
  return false
}
