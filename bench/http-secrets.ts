// GetSecretValue (AWSCURRENT, 1 KiB JSON value) and BatchGetSecretValue of 20 secrets over HTTP
// with SigV4, authorization and audit, beside a bare Hono route that returns a constant, same
// client, same run (16 connections). Arca and the baseline each run in their own process.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { type LoadResult, load } from './load.ts'
import { BENCH_CREDENTIALS, signed as signedRequest, start } from './processes.ts'

const ROOT = path.resolve(import.meta.dirname, '..')
const creds = BENCH_CREDENTIALS
const signed = (url: string, target: string, body: object) => signedRequest(url, 'secretsmanager', target, body)



/** A 1 KiB JSON document, as a typical database credential with connection options. */
function kibJson(i: number): string {
  const base = { engine: 'postgres', host: `db-${i}.internal.example`, port: 5432, username: 'app', password: 'p'.repeat(40), dbname: 'app', options: '' }
  const json = JSON.stringify(base)
  return JSON.stringify({ ...base, options: 'x'.repeat(1024 - json.length) })
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arca-bench-secrets-'))
// ARCA_BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the Arca process.
const nodeArgs = (process.env.ARCA_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)
const arca = await start(
  [...nodeArgs, path.join(ROOT, 'src/cli/arca.mjs'), 'server'],
  {
    ARCA_PORT: '0',
    ARCA_DATA_DIR: dataDir,
    ARCA_ACCOUNT_ID: '111111111111',
    ARCA_ADMIN_ACCESS_KEY_ID: creds.accessKeyId,
    ARCA_ADMIN_SECRET_ACCESS_KEY: creds.secretAccessKey,
    ARCA_LOG_LEVEL: 'error',
    ...(process.env.ARCA_BENCH_ENV ? JSON.parse(process.env.ARCA_BENCH_ENV) : {}),
  },
  /arca listening on (http:\/\/\S+)/,
)
const bare = await start(['--import', 'tsx', path.join(ROOT, 'bench/bare-hono.ts')], {}, /bare listening on (http:\/\/\S+)/)

try {
  const client = new SecretsManagerClient({ endpoint: arca.url, region: 'us-east-1', credentials: creds, maxAttempts: 1 })
  const ids: string[] = []
  for (let i = 0; i < 20; i++) ids.push((await client.send(new CreateSecretCommand({ Name: `bench/app/db-${i}`, SecretString: kibJson(i) }))).ARN!)
  client.destroy()

  const results: LoadResult[] = []
  results.push(await load('bare Hono constant', await signed(bare.url, 'secretsmanager.GetSecretValue', { SecretId: 'bench/app/db-0' })))
  results.push(await load('GetSecretValue by name (1 KiB JSON)', await signed(arca.url, 'secretsmanager.GetSecretValue', { SecretId: 'bench/app/db-0' })))
  results.push(await load('GetSecretValue by full ARN', await signed(arca.url, 'secretsmanager.GetSecretValue', { SecretId: ids[1] })))
  results.push(await load('BatchGetSecretValue, 20 secrets', await signed(arca.url, 'secretsmanager.BatchGetSecretValue', { SecretIdList: ids })))

  const base = results[0]!
  process.stdout.write(`baseline: ${base.name}; 16 connections, 5 s each, loopback\n`)
  for (const r of results)
    process.stdout.write(
      `${JSON.stringify({ name: r.name, 'req/s': Math.round(r.reqPerSec), 'p50 ms': r.p50ms.toFixed(2), 'p99 ms': r.p99ms.toFixed(2), errors: r.errors, 'vs baseline': `${((r.reqPerSec / base.reqPerSec) * 100).toFixed(0)}%` })}\n`,
    )
} finally {
  arca.stop()
  bare.stop()
  fs.rmSync(dataDir, { recursive: true, force: true })
}
