// Audit log cost. (1) Raw append rate of the group-commit writer on SQLite: one producer awaiting
// each commit, 256 concurrent producers, and async mode. (2) Decrypt through the whole unsealed
// app in process (SigV4, JSON, KMS core, 32 concurrent callers, no sockets) with the real audit
// log in sync mode beside the same app with a no-op audit sink, same run: the ratio is the cost.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { HttpRequest } from '@smithy/core/protocols'
import { SignatureV4 } from '@smithy/signature-v4'
import { createUnsealedApp } from '../src/api/unsealed-app.ts'
import { loadConfig, randomBytes, silentLogger, systemClock } from '../src/core/index.ts'
import { type AuditLog, type AuditMode, buildRecord, createAuditLog } from '../src/kms/audit/index.ts'
import { adminOnlyAuthorizer, createKms } from '../src/kms/index.ts'
import { Seal } from '../src/kms/root/index.ts'
import { createIdentity } from '../src/services/identity/index.ts'
import { metaStore, migrateToLatest, openDatabase } from '../src/store/index.ts'
import { NodeSha256 } from '../test/unit/api/aws/sigv4-helpers.ts'

const SECONDS = Number(process.env.ARCA_BENCH_SECONDS ?? 3)
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arca-bench-audit-'))
const db = await openDatabase({ url: path.join(dir, 'arca.db') })
await migrateToLatest(db.db)
const { seal } = await Seal.open(metaStore(db.db), { rootKey: Buffer.from(randomBytes(32)).toString('base64'), dataDir: dir })

const sample = () =>
  buildRecord({
    time: systemClock.now(),
    requestId: '6f1c1a3e-0c53-4c1e-9b0e-0d7c4b9e1a11',
    service: 'kms',
    operation: 'Decrypt',
    defaultAccount: '111111111111',
    account: '111111111111',
    principalArn: 'arn:aws:iam::111111111111:user/app',
    accessKeyId: 'AKIABENCHBENCHBENCH1',
    region: 'us-east-1',
    sourceIp: '127.0.0.1',
    userAgent: 'aws-sdk-js/3.900.0 ua/2.1 os/linux lang/js md/nodejs#20.19.0 api/kms#3.900.0',
    params: { ciphertextBlob: new Uint8Array(184), encryptionContext: { app: 'bench' } },
    output: { keyId: 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab' },
  })

/** `producers` loops, each awaiting its own append, for SECONDS; records per second. */
async function appendRate(log: AuditLog, producers: number): Promise<number> {
  let n = 0
  const end = performance.now() + SECONDS * 1000
  const start = performance.now()
  await Promise.all(
    Array.from({ length: producers }, async () => {
      while (performance.now() < end) {
        await log.append(sample())
        n++
      }
    }),
  )
  await log.flush()
  return n / ((performance.now() - start) / 1000)
}

async function appendBench(mode: AuditMode, producers: number) {
  const log = await createAuditLog({ db: db.db, barrier: seal, clock: systemClock, mode, tickMs: 0 })
  const rate = await appendRate(log, producers)
  const s = log.stats()
  await log.close()
  return { name: `append ${mode}, ${producers} producer(s)`, 'records/s': Math.round(rate), 'records/transaction': (s.records / Math.max(1, s.transactions)).toFixed(1) }
}

for (const [mode, producers] of [['sync', 1], ['sync', 256], ['async', 1]] as const) process.stdout.write(`${JSON.stringify(await appendBench(mode, producers))}\n`)

// (2) Decrypt through the app, audit on vs a no-op sink.
const creds = { accessKeyId: 'AKIABENCHBENCHBENCH1', secretAccessKey: 'benchsecretbenchsecretbenchsecretbenchse' }
const config = loadConfig({ ARCA_ACCOUNT_ID: '111111111111', ARCA_DATA_DIR: dir, ARCA_ADMIN_ACCESS_KEY_ID: creds.accessKeyId, ARCA_ADMIN_SECRET_ACCESS_KEY: creds.secretAccessKey })
const kms = createKms({ db: db.db, barrier: seal, clock: systemClock, authorizer: adminOnlyAuthorizer })
const identity = createIdentity({ db: db.db, barrier: seal, clock: systemClock })
await identity.bootstrap({ accountId: config.accountId, adminAccessKeyId: creds.accessKeyId, adminSecretAccessKey: creds.secretAccessKey })
const caller = { account: '111111111111', principalArn: 'arn:aws:iam::111111111111:user/admin', region: 'us-east-1', admin: true }
const { keyMetadata } = await kms.createKey(caller, {})
const context = { app: 'bench' }
const { ciphertextBlob } = await kms.encrypt(caller, { keyId: keyMetadata.keyId, plaintext: randomBytes(32), encryptionContext: context })

const text = JSON.stringify({ CiphertextBlob: Buffer.from(ciphertextBlob).toString('base64'), EncryptionContext: context })
const signed = await new SignatureV4({ credentials: creds, region: 'us-east-1', service: 'kms', sha256: NodeSha256 }).sign(
  new HttpRequest({
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 8321,
    path: '/',
    headers: { host: '127.0.0.1:8321', 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.Decrypt', 'content-length': String(Buffer.byteLength(text)) },
    body: text,
  }),
)

async function decryptRate(audit: AuditLog, callers = 32): Promise<number> {
  // Parameters and secrets are not exercised here: stand-ins with no operations.
  const none = { operationNames: [] } as never
  const app = createUnsealedApp({ config, clock: systemClock, logger: silentLogger, kms, identity, audit, params: none, secrets: none, notify: none, db: none } as Parameters<typeof createUnsealedApp>[0])
  let n = 0
  let errors = 0
  const run = async (seconds: number) => {
    const end = performance.now() + seconds * 1000
    await Promise.all(
      Array.from({ length: callers }, async () => {
        while (performance.now() < end) {
          const res = await app.fetch(new Request('http://127.0.0.1:8321/', { method: 'POST', headers: signed.headers as Record<string, string>, body: text }))
          await res.arrayBuffer()
          if (res.status !== 200) errors++
          n++
        }
      }),
    )
  }
  await run(0.5)
  n = 0
  const start = performance.now()
  await run(SECONDS)
  if (errors > 0) throw new Error(`${errors} requests failed`)
  return n / ((performance.now() - start) / 1000)
}

const noop = { append: async () => {} } as unknown as AuditLog
const real = await createAuditLog({ db: db.db, barrier: seal, clock: systemClock, mode: 'sync', tickMs: 0 })
const realAsync = await createAuditLog({ db: db.db, barrier: seal, clock: systemClock, mode: 'async', tickMs: 0 })
// Alternating rounds, best of each: the machine's other load and JIT warm-up hit all alike.
const best = { none: 0, sync: 0, async: 0 }
for (let round = 0; round < 3; round++) {
  best.none = Math.max(best.none, await decryptRate(noop))
  best.sync = Math.max(best.sync, await decryptRate(real))
  best.async = Math.max(best.async, await decryptRate(realAsync))
}
process.stdout.write(`baseline: Decrypt in process with a no-op audit sink, 32 concurrent callers, best of 3 alternating ${SECONDS} s rounds\n`)
for (const [name, rate] of [['Decrypt, no audit (baseline)', best.none], ['Decrypt, audit sync', best.sync], ['Decrypt, audit async', best.async]] as const)
  process.stdout.write(`${JSON.stringify({ name, 'req/s': Math.round(rate), 'vs baseline': `${((rate / best.none) * 100).toFixed(0)}%` })}\n`)
await real.close()
await realAsync.close()
await db.close()
fs.rmSync(dir, { recursive: true, force: true })
