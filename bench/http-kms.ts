// Decrypt and GenerateDataKey over HTTP with SigV4 (16 connections) beside a bare Hono route that
// returns a constant, same client, same run. Arca and the baseline each run in their own process.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { KMSClient, CreateKeyCommand, EncryptCommand } from '@aws-sdk/client-kms'
import { type LoadResult, load } from './load.ts'
import { BENCH_CREDENTIALS, signed as signedRequest, start } from './processes.ts'

const ROOT = path.resolve(import.meta.dirname, '..')
const creds = BENCH_CREDENTIALS
const signed = (url: string, target: string, body: object) => signedRequest(url, 'kms', target, body)



const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arca-bench-http-'))
// ARCA_BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the Arca process.
const nodeArgs = (process.env.ARCA_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)
const arca = await start([...nodeArgs, path.join(ROOT, 'src/cli/arca.mjs'), 'server'], {
  ARCA_PORT: '0',
  ARCA_DATA_DIR: dataDir,
  ARCA_ACCOUNT_ID: '111111111111',
  ARCA_ADMIN_ACCESS_KEY_ID: creds.accessKeyId,
  ARCA_ADMIN_SECRET_ACCESS_KEY: creds.secretAccessKey,
  ARCA_LOG_LEVEL: 'error',
  ...(process.env.ARCA_BENCH_ENV ? JSON.parse(process.env.ARCA_BENCH_ENV) : {}),
}, /arca listening on (http:\/\/\S+)/)
const bare = await start(['--import', 'tsx', path.join(ROOT, 'bench/bare-hono.ts')], {}, /bare listening on (http:\/\/\S+)/)

const client = new KMSClient({ endpoint: arca.url, region: 'us-east-1', credentials: creds, maxAttempts: 1 })
const { KeyMetadata } = await client.send(new CreateKeyCommand({}))
const keyId = KeyMetadata!.KeyId!
const context = { app: 'bench' }
const { CiphertextBlob } = await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.alloc(32, 1), EncryptionContext: context }))
const blob = Buffer.from(CiphertextBlob!).toString('base64')

const results: LoadResult[] = []
results.push(await load('bare Hono constant', await signed(bare.url, 'TrentService.Decrypt', { CiphertextBlob: blob })))
results.push(await load('Decrypt (SigV4, 32-byte secret)', await signed(arca.url, 'TrentService.Decrypt', { CiphertextBlob: blob, EncryptionContext: context })))
results.push(await load('GenerateDataKey AES_256', await signed(arca.url, 'TrentService.GenerateDataKey', { KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: context })))

const base = results[0]
process.stdout.write(`baseline: ${base.name}; 16 connections, 5 s each, loopback\n`)
for (const r of results)
  process.stdout.write(`${JSON.stringify({ name: r.name, 'req/s': Math.round(r.reqPerSec), 'p99 ms': r.p99ms.toFixed(2), errors: r.errors, 'vs baseline': `${((r.reqPerSec / base.reqPerSec) * 100).toFixed(0)}%` })}\n`)
arca.stop()
bare.stop()
fs.rmSync(dataDir, { recursive: true, force: true })
