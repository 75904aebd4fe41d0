// Soak: a mixed workload against a real `arca server` process at ~80 % of its measured peak for a
// long time (SOAK_SECONDS, default 600). 80 % reads (GetSecretValue, GetParameter), 15 % writes
// (PutParameter, PutSecretValue), 5 % KMS (Encrypt). Reports throughput per interval, p50/p99,
// errors (must be 0), server RSS and open fds at start and end (must be flat), database growth and
// the audit chain's verification at the end.
//
//   node --import tsx bench/soak.ts                 SQLite in a temp dir, 10 minutes
//   SOAK_SECONDS=150 node --import tsx bench/soak.ts
//   ARCA_DATABASE_URL=postgres://… ARCA_DATABASE_SCHEMA=soak node --import tsx bench/soak.ts
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { signRequest } from '../src/client/index.ts'

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600)
const PEAK_SECONDS = Number(process.env.SOAK_PEAK_SECONDS ?? 10)
const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 32)
const TARGET_SHARE = 0.8
const INTERVALS = 10
const ROOT = path.resolve(import.meta.dirname, '..')
const REGION = 'us-east-1'
const creds = { accessKeyId: 'AKIASOAKSOAKSOAKSOAK', secretAccessKey: 'soaksecretsoaksecretsoaksecretsoaksecret' }
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arca-soak-'))
const pgUrl = process.env.ARCA_DATABASE_URL
const pgSchema = process.env.ARCA_DATABASE_SCHEMA ?? (pgUrl ? `soak_${process.pid}` : undefined)

function startServer(): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: dataDir,
    ARCA_PORT: '0',
    ARCA_DATA_DIR: dataDir,
    ARCA_ROOT_KEY: Buffer.alloc(32, 7).toString('base64'),
    ARCA_ADMIN_ACCESS_KEY_ID: creds.accessKeyId,
    ARCA_ADMIN_SECRET_ACCESS_KEY: creds.secretAccessKey,
    ARCA_QUOTAS: 'off',
    ARCA_LOG_LEVEL: 'warn',
    ...(pgUrl ? { ARCA_DATABASE_URL: pgUrl, ARCA_DATABASE_SCHEMA: pgSchema! } : {}),
  }
  const child = spawn(process.execPath, [path.join(ROOT, 'src/cli/arca.mjs'), 'server'], { env, stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /arca listening on (\S+)/.exec(out)
      if (m) resolve({ url: m[1]!, pid: child.pid!, stop: () => new Promise((r) => (child.once('exit', () => r()), child.kill('SIGTERM'))) })
    })
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)))
  })
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 })
let base: URL

/** One signed request; resolves with status and latency (status 0: connection error). */
function call(target: string | undefined, body: string, pathName = '/', service = 'kms'): Promise<{ status: number; ms: number; text: string }> {
  const url = new URL(pathName, base)
  const headers = signRequest(
    { method: 'POST', url, headers: { 'content-type': 'application/x-amz-json-1.1', ...(target ? { 'x-amz-target': target } : {}) }, body },
    creds,
    { region: REGION, service, now: Date.now() },
  )
  const t0 = performance.now()
  return new Promise((resolve) => {
    const r = http.request({ agent, host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers }, (res) => {
      let text = ''
      res.on('data', (d: Buffer) => (text += d.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0, text }))
    })
    r.on('error', () => resolve({ status: 0, ms: performance.now() - t0, text: '' }))
    r.end(body)
  })
}

const SECRETS = 20
const PARAMS = 50
let keyId = ''
let blob = ''
let n = 0

/** The next request of the mix: [target, body, service]. */
function next(): [string, string, string] {
  const i = n++
  const roll = i % 100
  if (roll < 40) return ['secretsmanager.GetSecretValue', JSON.stringify({ SecretId: `soak/s${i % SECRETS}` }), 'secretsmanager']
  if (roll < 80) return ['AmazonSSM.GetParameter', JSON.stringify({ Name: `/soak/p${i % PARAMS}`, WithDecryption: true }), 'ssm']
  if (roll < 88) return ['AmazonSSM.PutParameter', JSON.stringify({ Name: `/soak/p${i % PARAMS}`, Value: `v${i}`, Type: 'SecureString', Overwrite: true }), 'ssm']
  if (roll < 95) return ['secretsmanager.PutSecretValue', JSON.stringify({ SecretId: `soak/s${i % SECRETS}`, SecretString: `value-${i}`, ClientRequestToken: randomUUID() }), 'secretsmanager']
  return i % 2 ? ['TrentService.Encrypt', JSON.stringify({ KeyId: keyId, Plaintext: Buffer.from(`p${i}`).toString('base64') }), 'kms'] : ['TrentService.Decrypt', JSON.stringify({ CiphertextBlob: blob }), 'kms']
}

async function setup() {
  const ok = async (p: Promise<{ status: number; text: string }>) => {
    const r = await p
    if (r.status !== 200) throw new Error(`setup failed: ${r.status} ${r.text}`)
    return JSON.parse(r.text) as Record<string, unknown>
  }
  keyId = ((await ok(call('TrentService.CreateKey', '{}'))).KeyMetadata as { KeyId: string }).KeyId
  blob = (await ok(call('TrentService.Encrypt', JSON.stringify({ KeyId: keyId, Plaintext: Buffer.from('soak').toString('base64') })))).CiphertextBlob as string
  for (let i = 0; i < SECRETS; i++) await ok(call('secretsmanager.CreateSecret', JSON.stringify({ Name: `soak/s${i}`, SecretString: 'initial', ClientRequestToken: randomUUID() }), '/', 'secretsmanager'))
  for (let i = 0; i < PARAMS; i++) await ok(call('AmazonSSM.PutParameter', JSON.stringify({ Name: `/soak/p${i}`, Value: 'initial', Type: 'SecureString' }), '/', 'ssm'))
}

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return 0
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(s.length * p))]!
}

/** Closed loop, CONNECTIONS at once: the peak rate. */
async function peak(): Promise<number> {
  let stop = false
  let done = 0
  const until = performance.now() + PEAK_SECONDS * 1000
  setTimeout(() => (stop = true), PEAK_SECONDS * 1000)
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (!stop) {
        const [t, b, s] = next()
        await call(t, b, '/', s)
        if (performance.now() < until) done++
      }
    }),
  )
  return done / PEAK_SECONDS
}

function procStats(pid: number) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
  return { rssMb: Math.round(rssKb / 1024), fds: fs.readdirSync(`/proc/${pid}/fd`).length }
}

async function dbBytes(): Promise<number> {
  if (!pgUrl) return ['arca.db', 'arca.db-wal'].map((f) => path.join(dataDir, f)).filter(fs.existsSync).reduce((a, f) => a + fs.statSync(f).size, 0)
  const c = new pg.Client({ connectionString: pgUrl })
  await c.connect()
  const r = await c.query(`select coalesce(sum(pg_total_relation_size(format('%I.%I', schemaname, tablename))), 0)::bigint as n from pg_tables where schemaname = $1`, [pgSchema])
  await c.end()
  return Number(r.rows[0].n)
}

/** Open loop at `rate` requests/s (at most 4×CONNECTIONS in flight), for SECONDS, reporting per interval. */
async function soak(rate: number, pid: number) {
  const intervalMs = (SECONDS * 1000) / INTERVALS
  const rows: { t: number; rps: number; p50: number; p99: number; errors: number; rssMb: number; fds: number }[] = []
  let lat: number[] = []
  let errors = 0
  let totalErrors = 0
  let total = 0
  let inFlight = 0
  const started = performance.now()
  let sent = 0
  const errorSamples: string[] = []
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const elapsed = performance.now() - started
      const due = Math.min(Math.floor((elapsed / 1000) * rate), sent + 4 * CONNECTIONS - inFlight)
      for (; sent < due; sent++) {
        inFlight++
        const [t, b, s] = next()
        void call(t, b, '/', s).then((r) => {
          inFlight--
          lat.push(r.ms)
          total++
          if (r.status !== 200) {
            errors++
            totalErrors++
            if (errorSamples.length < 5) errorSamples.push(`${t}: ${r.status} ${r.text.slice(0, 120)}`)
          }
        })
      }
      if (elapsed >= (rows.length + 1) * intervalMs) {
        rows.push({ t: Math.round(elapsed / 1000), rps: Math.round(lat.length / (intervalMs / 1000)), p50: +pct(lat, 0.5).toFixed(1), p99: +pct(lat, 0.99).toFixed(1), errors, ...procStats(pid) })
        console.log(`  t=${String(rows.at(-1)!.t).padStart(4)}s  ${String(rows.at(-1)!.rps).padStart(5)} req/s  p50 ${rows.at(-1)!.p50} ms  p99 ${rows.at(-1)!.p99} ms  errors ${errors}  rss ${rows.at(-1)!.rssMb} MB  fds ${rows.at(-1)!.fds}`)
        lat = []
        errors = 0
      }
      if (elapsed >= SECONDS * 1000) {
        clearInterval(tick)
        const wait = setInterval(() => inFlight === 0 && (clearInterval(wait), resolve()), 10)
      }
    }, 5)
  })
  return { rows, total, totalErrors, errorSamples }
}

async function main() {
  const server = await startServer()
  base = new URL(server.url)
  console.log(`server ${server.url} (pid ${server.pid}); setting up`)
  try {
    await run(server)
  } finally {
    await server.stop()
    agent.destroy()
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

async function run(server: { pid: number }) {
  await setup()
  console.log(`soak: ${pgUrl ? `postgres schema ${pgSchema}` : `sqlite ${dataDir}`}, ${SECONDS}s, mix 80% reads / 15% writes / 5% KMS, ${os.cpus().length} CPUs`)
  const peakRate = await peak()
  const rate = Math.round(peakRate * TARGET_SHARE)
  console.log(`peak (closed loop, ${CONNECTIONS} connections, ${PEAK_SECONDS}s): ${Math.round(peakRate)} req/s; soaking at ${rate} req/s`)
  const start = { ...procStats(server.pid), db: await dbBytes() }
  const r = await soak(rate, server.pid)
  const end = { ...procStats(server.pid), db: await dbBytes() }
  const verify = await call(undefined, '', '/v1/audit/verify', 'arca')
  const all = r.rows
  console.log(`\nrequests ${r.total}, errors ${r.totalErrors}${r.errorSamples.length ? ` (${r.errorSamples.join('; ')})` : ''}`)
  console.log(`throughput ${Math.min(...all.map((x) => x.rps))}–${Math.max(...all.map((x) => x.rps))} req/s per interval; worst p99 ${Math.max(...all.map((x) => x.p99))} ms`)
  console.log(`server RSS ${start.rssMb} → ${end.rssMb} MB, open fds ${start.fds} → ${end.fds}`)
  console.log(`database ${(start.db / 1e6).toFixed(1)} → ${(end.db / 1e6).toFixed(1)} MB (+${((end.db - start.db) / 1e6).toFixed(1)} MB, ${((end.db - start.db) / Math.max(1, r.total)).toFixed(0)} B/request)`)
  console.log(`audit verify: HTTP ${verify.status} ${verify.text}`)
  if (pgUrl && !process.env.ARCA_DATABASE_SCHEMA) {
    const c = new pg.Client({ connectionString: pgUrl })
    await c.connect()
    await c.query(`drop schema if exists ${pgSchema} cascade`)
    await c.end()
  }
  process.exitCode = r.totalErrors === 0 && verify.status === 200 && /"valid":true/.test(verify.text) ? 0 : 1
}

await main()
