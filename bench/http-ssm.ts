// Parameter Store over HTTP with SigV4, the policy engine and audit (16 connections), beside a bare
// Hono route returning a constant, same client, same run; then the same reads with 1,000, 100,000
// and 1,000,000 parameters stored, to show the per-request cost stays flat. Arca and the baseline
// each run in their own process. Each store is seeded before its server starts: the parameters
// that are read go through the params service (real envelope encryption); the rest are filler rows
// written straight into the tables in other subtrees (never read, but in every index).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import SQLite from 'better-sqlite3'
import { ManualClock, randomBytes } from '../src/core/index.ts'
import { createKms } from '../src/kms/index.ts'
import { Seal } from '../src/kms/root/index.ts'
import { createParams } from '../src/services/params/index.ts'
import { noEvents } from '../src/services/shared/index.ts'
import { metaStore, migrateToLatest, openDatabase } from '../src/store/index.ts'
import { type LoadResult, load } from './load.ts'
import { BENCH_CREDENTIALS, signed as signedRequest, start } from './processes.ts'

const ROOT = path.resolve(import.meta.dirname, '..')
const ACCOUNT = '111111111111'
const creds = BENCH_CREDENTIALS
const signed = (url: string, target: string, body: object) => signedRequest(url, 'ssm', target, body)
const SIZES = (process.env.ARCA_BENCH_SSM_SIZES ?? '1000,100000,1000000').split(',').map(Number)




/** A data dir whose database holds `total` parameters; the ones read live under /bench/app. */
async function seed(total: number, rootKey: string): Promise<string> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arca-bench-ssm-'))
  const file = path.join(dataDir, 'arca.db')
  const database = await openDatabase({ url: file })
  await migrateToLatest(database.db)
  const { seal } = await Seal.open(metaStore(database.db), { rootKey, dataDir })
  const clock = new ManualClock(Date.now())
  const kms = createKms({ db: database.db, barrier: seal, clock })
  const params = createParams({ db: database.db, kms, clock, authorize: async () => {}, events: noEvents })
  const admin = { account: ACCOUNT, region: 'us-east-1', principalArn: `arn:aws:iam::${ACCOUNT}:user/admin`, admin: true }
  await params.putParameters(admin, [
    ...Array.from({ length: 10 }, (_, i) => ({ name: `/bench/app/p${i}`, value: `value-${i}-${'x'.repeat(40)}`, type: 'String' })),
    { name: '/bench/secure', value: `secret-${'y'.repeat(40)}`, type: 'SecureString' },
  ])
  await database.close()
  const filler = total - 11
  const sqlite = new SQLite(file)
  sqlite.pragma('journal_mode = WAL')
  const blob = Buffer.from(randomBytes(117))
  const value = Buffer.from(randomBytes(60))
  const p = sqlite.prepare(
    `INSERT INTO ssm_parameters (account, region, name, parent, type, key_id, description, allowed_pattern, tier, data_type, policies, version, modified_at, modified_by, tags, created_at, data_key, value)
     VALUES ('${ACCOUNT}', 'us-east-1', ?, ?, 'String', NULL, NULL, NULL, 'Standard', 'text', NULL, 1, 0, 'arn:aws:iam::${ACCOUNT}:user/admin', '{}', 0, ?, ?)`,
  )
  const v = sqlite.prepare(
    `INSERT INTO ssm_parameter_versions (account, region, name, version, type, key_id, description, allowed_pattern, tier, data_type, policies, modified_at, modified_by, data_key, value)
     VALUES ('${ACCOUNT}', 'us-east-1', ?, 1, 'String', NULL, NULL, NULL, 'Standard', 'text', NULL, 0, 'arn:aws:iam::${ACCOUNT}:user/admin', ?, ?)`,
  )
  const batch = sqlite.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      // fillers in sibling subtrees before and after /bench/app: /bench/a…, /bench/f…, /fill/…
      const group = i % 3 === 0 ? '/bench/a' : i % 3 === 1 ? '/bench/f' : '/fill'
      const parent = `${group}${Math.floor(i / 1000)}/`
      const name = `${parent}p${i % 1000}`
      p.run(name, parent, blob, value)
      v.run(name, blob, value)
    }
  })
  for (let i = 0; i < filler; i += 50_000) batch(i, Math.min(filler, i + 50_000))
  sqlite.pragma('wal_checkpoint(TRUNCATE)')
  sqlite.close()
  return dataDir
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024
}

function dbMb(dataDir: string): number {
  return fs
    .readdirSync(dataDir)
    .filter((f) => f.startsWith('arca.db'))
    .reduce((n, f) => n + fs.statSync(path.join(dataDir, f)).size, 0) / 1024 / 1024
}

const rootKey = Buffer.from(randomBytes(32)).toString('base64')
const bare = await start(['--import', 'tsx', path.join(ROOT, 'bench/bare-hono.ts')], {}, /bare listening on (http:\/\/\S+)/)
const results: (LoadResult & { stored?: number })[] = []
results.push(await load('bare Hono constant', await signed(bare.url, 'AmazonSSM.GetParameter', { Name: '/bench/app/p0' })))
const notes: string[] = []
for (const total of SIZES) {
  const t0 = performance.now()
  const dataDir = await seed(total, rootKey)
  notes.push(`seeded ${total} parameters in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
  const nodeArgs = (process.env.ARCA_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)
  const arca = await start([...nodeArgs, path.join(ROOT, 'src/cli/arca.mjs'), 'server'], {
    ARCA_PORT: '0',
    ARCA_DATA_DIR: dataDir,
    ARCA_ROOT_KEY: rootKey,
    ARCA_ACCOUNT_ID: ACCOUNT,
    ARCA_ADMIN_ACCESS_KEY_ID: creds.accessKeyId,
    ARCA_ADMIN_SECRET_ACCESS_KEY: creds.secretAccessKey,
    ARCA_LOG_LEVEL: 'error',
    // Measures the request path, not the per-account quota's refusals (AWS's GetParameter default is 40/s).
    ARCA_QUOTAS: 'off',
    ...(process.env.ARCA_BENCH_ENV ? JSON.parse(process.env.ARCA_BENCH_ENV) : {}),
  }, /arca listening on (http:\/\/\S+)/)
  const run = async (name: string, target: string, body: object) => {
    const req = await signed(arca.url, target, body)
    const r = await load(`${name} @ ${total.toLocaleString('en')}`, req)
    results.push({ ...r, stored: total })
    if (r.errors) {
      // Say what a failing answer was, so an error count is never a mystery.
      const res = await fetch(req.url, { method: 'POST', headers: Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'content-length')), body: req.body })
      notes.push(`${r.name}: ${r.errors} errors; a request now answers ${res.status} ${(await res.text()).slice(0, 200)}`)
    }
  }
  await run('GetParameter String WithDecryption', 'AmazonSSM.GetParameter', { Name: '/bench/app/p3', WithDecryption: true })
  await run('GetParameter SecureString WithDecryption', 'AmazonSSM.GetParameter', { Name: '/bench/secure', WithDecryption: true })
  await run('GetParametersByPath 10 results', 'AmazonSSM.GetParametersByPath', { Path: '/bench/app', WithDecryption: true })
  notes.push(`${total} stored: server RSS ${rssMb(arca.pid).toFixed(0)} MB, database ${dbMb(dataDir).toFixed(0)} MB`)
  arca.stop()
  await new Promise((r) => setTimeout(r, 500))
  fs.rmSync(dataDir, { recursive: true, force: true })
}
bare.stop()

const base = results[0]!
process.stdout.write(`baseline: ${base.name}; 16 connections, 5 s each, loopback, SQLite\n`)
for (const r of results)
  process.stdout.write(`${JSON.stringify({ name: r.name, 'req/s': Math.round(r.reqPerSec), 'p99 ms': r.p99ms.toFixed(2), errors: r.errors, 'vs baseline': `${((r.reqPerSec / base.reqPerSec) * 100).toFixed(0)}%` })}\n`)
for (const kind of ['GetParameter String', 'GetParameter SecureString', 'GetParametersByPath']) {
  const rows = results.filter((r) => r.name.startsWith(kind))
  if (rows.length > 1) {
    const costs = rows.map((r) => 1 / r.reqPerSec)
    process.stdout.write(`${kind}: per-request cost largest/smallest across store sizes = ${(Math.max(...costs) / Math.min(...costs)).toFixed(2)}x\n`)
  }
}
for (const n of notes) process.stdout.write(`${n}\n`)
