/**
 * kill -9 safety: the real server process (`arca server`) takes concurrent writes (parameters,
 * secret versions, KMS keys, label moves) and is killed with SIGKILL at seeded moments, then
 * restarted. Every acknowledged write must be there with its exact value and version, version
 * numbers have no holes or duplicates, nothing unacknowledged is half-present (every stored value
 * is one a client sent), every acknowledged request has its audit record, and the audit chain verifies.
 *
 * Disk full / read-only data dir: not tested here. A read-only data dir cannot be simulated for a
 * root test runner (chmod does not stop root) and no small tmpfs can be mounted without privileges;
 * see the README's limits section.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { CreateKeyCommand, DescribeKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms'
import { GetParameterCommand, GetParameterHistoryCommand, LabelParameterVersionCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm'
import { CreateSecretCommand, GetSecretValueCommand, ListSecretVersionIdsCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { afterAll, describe, expect, it } from 'vitest'
import { randomString } from '../../src/core/index.ts'
import { openDatabase } from '../../src/store/index.ts'
import { consistencyProblems } from '../support/consistency.ts'
import { testBackend, testPgUrl } from '../support/db.ts'
import { TEST_ACCOUNT, TEST_REGION } from '../support/server.ts'

const SEED = 0xc0ffee
const CYCLES = 2
const WORKERS = 12
const PARAMS = 6
const SECRETS = 3
const BIN = path.resolve(import.meta.dirname, '../../src/cli/arca.mjs')
const alnum = 'abcdefghijklmnopqrstuvwxyz0123456789'

function prng(seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = Math.imul(a ^ (a >>> 15), 1 | a)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
  return { next, int: (n: number) => Math.floor(next() * n) }
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arca-crash-'))
const schema = testBackend === 'postgres' ? `c_${randomString(12, alnum)}` : undefined
const admin = { accessKeyId: `AKIA${randomString(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`, secretAccessKey: randomString(40, alnum) }
const env: Record<string, string> = {
  PATH: process.env.PATH ?? '',
  HOME: dataDir,
  ARCA_PORT: '0',
  ARCA_DATA_DIR: dataDir,
  ARCA_ACCOUNT_ID: TEST_ACCOUNT,
  ARCA_REGION: TEST_REGION,
  ARCA_ROOT_KEY: Buffer.from(randomString(32, alnum)).toString('base64'),
  ARCA_ADMIN_ACCESS_KEY_ID: admin.accessKeyId,
  ARCA_ADMIN_SECRET_ACCESS_KEY: admin.secretAccessKey,
  ARCA_QUOTAS: 'off',
  ARCA_LOG_LEVEL: 'error',
  ...(schema ? { ARCA_DATABASE_URL: testPgUrl, ARCA_DATABASE_SCHEMA: schema } : {}),
}

let proc: ChildProcess | undefined
afterAll(async () => {
  proc?.kill('SIGKILL')
  fs.rmSync(dataDir, { recursive: true, force: true })
  if (schema) {
    const c = new pg.Client({ connectionString: testPgUrl })
    await c.connect()
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await c.end()
  }
})

/** Starts `arca server` and resolves with its URL once it listens. */
function startProcess(): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, 'server'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    proc = p
    let out = ''
    let err = ''
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out} ${err}`)), 30_000)
    p.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /arca listening on (\S+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve(m[1]!)
      }
    })
    p.stderr!.on('data', (d: Buffer) => (err += d.toString()))
    p.on('exit', (code) => {
      clearTimeout(timer)
      if (!/arca listening on/.test(out)) reject(new Error(`server exited with ${code}: ${err}`))
    })
  })
}

function killNow(): Promise<void> {
  const p = proc!
  return new Promise((resolve) => {
    p.once('exit', () => resolve())
    p.kill('SIGKILL')
  })
}

const clients = (url: string) => {
  const o = { endpoint: url, region: TEST_REGION, credentials: admin, maxAttempts: 1 }
  return { ssm: new SSMClient(o), sm: new SecretsManagerClient(o), kms: new KMSClient(o) }
}

// What the clients sent and what the server acknowledged.
const sentParam = new Map<string, Set<string>>() // name -> every value sent
const ackedParam = new Map<string, Map<number, string>>() // name -> version -> value
const sentSecret = new Map<string, Set<string>>()
const ackedSecret = new Map<string, Map<string, string>>() // arn -> versionId -> value
const ackedKeys: string[] = []
const labels = new Map<string, { acked?: number; inflight: Set<number> }>() // `${name} ${label}`
const ackedRequestIds: string[] = []
let secretArns: string[] = []
let serverErrors: string[] = []

async function setup(url: string) {
  const c = clients(url)
  for (let i = 0; i < PARAMS; i++) {
    const name = `/crash/p${i}`
    sentParam.set(name, new Set(['v0']))
    const r = await c.ssm.send(new PutParameterCommand({ Name: name, Value: 'v0', Type: 'SecureString' }))
    ackedParam.set(name, new Map([[r.Version!, 'v0']]))
  }
  for (let i = 0; i < SECRETS; i++) {
    const r = await c.sm.send(new CreateSecretCommand({ Name: `crash/s${i}`, SecretString: 's0' }))
    secretArns.push(r.ARN!)
    sentSecret.set(r.ARN!, new Set(['s0']))
    ackedSecret.set(r.ARN!, new Map([[r.VersionId!, 's0']]))
  }
}

/** Writes from WORKERS concurrent clients until `stop()`; every ack is recorded. */
async function load(url: string, cycle: number, r: ReturnType<typeof prng>, shouldStop: () => boolean, killed: () => boolean) {
  const c = clients(url)
  const worker = async (w: number) => {
    for (let i = 0; !shouldStop(); i++) {
      const op = r.int(20)
      try {
        if (op < 9) {
          const name = `/crash/p${r.int(PARAMS)}`
          const value = `v-${cycle}-${w}-${i}-${randomString(6, alnum)}`
          sentParam.get(name)!.add(value)
          const res = await c.ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'SecureString', Overwrite: true }))
          ackedParam.get(name)!.set(res.Version!, value)
          ackedRequestIds.push(res.$metadata.requestId!)
        } else if (op < 15) {
          const arn = secretArns[r.int(SECRETS)]!
          const value = `s-${cycle}-${w}-${i}-${randomString(6, alnum)}`
          sentSecret.get(arn)!.add(value)
          const res = await c.sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: value }))
          ackedSecret.get(arn)!.set(res.VersionId!, value)
          ackedRequestIds.push(res.$metadata.requestId!)
        } else if (op < 17) {
          const res = await c.kms.send(new CreateKeyCommand({ Description: `crash ${cycle}` }))
          ackedKeys.push(res.KeyMetadata!.KeyId!)
          ackedRequestIds.push(res.$metadata.requestId!)
        } else {
          // Each worker owns its label, so its acknowledged moves are ordered.
          const name = `/crash/p${w % PARAMS}`
          const versions = [...ackedParam.get(name)!.keys()]
          const version = versions[r.int(versions.length)]!
          const key = `${name} live-${w}`
          const l = labels.get(key) ?? { inflight: new Set<number>() }
          labels.set(key, l)
          l.inflight.add(version)
          const res = await c.ssm.send(new LabelParameterVersionCommand({ Name: name, ParameterVersion: version, Labels: [`live-${w}`] }))
          l.inflight.clear()
          l.acked = version
          ackedRequestIds.push(res.$metadata.requestId!)
        }
      } catch (e) {
        const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode
        if (!killed() && (status === undefined || status >= 500)) serverErrors.push(`${(e as Error).name}: ${(e as Error).message}`)
      }
    }
  }
  await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)))
  c.ssm.destroy()
  c.sm.destroy()
  c.kms.destroy()
}

const acks = () => ackedRequestIds.length

describe(`kill -9 during concurrent writes (${testBackend})`, () => {
  it('loses nothing acknowledged, leaves nothing half-written, keeps versions contiguous and the audit chain valid', async () => {
    const r = prng(SEED)
    let url = await startProcess()
    await setup(url)
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      const killAt = acks() + 250 + r.int(150)
      let killed = false
      const running = load(url, cycle, r, () => killed, () => killed)
      while (acks() < killAt && serverErrors.length === 0) await new Promise((res) => setTimeout(res, 5))
      killed = true
      await killNow()
      await running
      url = await startProcess()
    }
    expect(serverErrors).toEqual([])
    expect(acks()).toBeGreaterThanOrEqual(CYCLES * 250)

    const c = clients(url)
    const problems: string[] = []
    for (const [name, acked] of ackedParam) {
      const history = []
      let token: string | undefined
      do {
        const page = await c.ssm.send(new GetParameterHistoryCommand({ Name: name, WithDecryption: true, NextToken: token, MaxResults: 50 }))
        history.push(...(page.Parameters ?? []))
        token = page.NextToken
      } while (token)
      const versions = history.map((h) => h.Version!)
      const newest = Math.max(...versions)
      const expected = Array.from({ length: versions.length }, (_, i) => newest - versions.length + 1 + i)
      if (JSON.stringify([...versions].sort((a, b) => a - b)) !== JSON.stringify(expected)) problems.push(`${name}: versions not contiguous: ${versions.join(',')}`)
      const byVersion = new Map(history.map((h) => [h.Version!, h.Value!]))
      for (const [v, value] of acked) if (byVersion.get(v) !== value) problems.push(`${name}: acknowledged version ${v} lost or changed`)
      for (const h of history) if (!sentParam.get(name)!.has(h.Value!)) problems.push(`${name}: version ${h.Version} holds a value nobody sent`)
    }
    for (const [key, l] of labels) {
      const [name, label] = key.split(' ')
      const got = await c.ssm.send(new GetParameterCommand({ Name: `${name}:${label}` })).then((x) => x.Parameter!.Version!, () => undefined)
      const allowed = new Set([...(l.acked === undefined ? [undefined] : [l.acked]), ...l.inflight])
      if (!allowed.has(got)) problems.push(`${key}: label on version ${got}, acknowledged ${l.acked}`)
    }
    for (const [arn, acked] of ackedSecret) {
      const listed = (await c.sm.send(new ListSecretVersionIdsCommand({ SecretId: arn, IncludeDeprecated: true }))).Versions ?? []
      const ids = new Set(listed.map((v) => v.VersionId))
      for (const [versionId, value] of acked) {
        if (!ids.has(versionId)) {
          // Only the newest versions are listed as kept; an older acknowledged one may be deprecated and purged by design.
          continue
        }
        const got = await c.sm.send(new GetSecretValueCommand({ SecretId: arn, VersionId: versionId }))
        if (got.SecretString !== value) problems.push(`${arn}: acknowledged version ${versionId} changed`)
      }
      for (const v of listed) {
        const got = await c.sm.send(new GetSecretValueCommand({ SecretId: arn, VersionId: v.VersionId }))
        if (!sentSecret.get(arn)!.has(got.SecretString!)) problems.push(`${arn}: version ${v.VersionId} holds a value nobody sent`)
      }
      const newestAcked = [...acked.keys()].at(-1)!
      const current = await c.sm.send(new GetSecretValueCommand({ SecretId: arn }))
      if (!sentSecret.get(arn)!.has(current.SecretString!)) problems.push(`${arn}: AWSCURRENT holds a value nobody sent`)
      if (!ids.has(newestAcked)) problems.push(`${arn}: newest acknowledged version ${newestAcked} is gone`)
    }
    for (const keyId of ackedKeys) {
      const d = await c.kms.send(new DescribeKeyCommand({ KeyId: keyId })).catch((e: Error) => e)
      if (d instanceof Error || !d.KeyMetadata?.Enabled) problems.push(`key ${keyId}: lost or not enabled`)
    }
    if (ackedKeys.length) await c.kms.send(new EncryptCommand({ KeyId: ackedKeys.at(-1), Plaintext: Buffer.from('x') }))
    expect(problems).toEqual([])

    const db = await openDatabase({ url: schema ? testPgUrl : path.join(dataDir, 'arca.db'), schema })
    try {
      expect(await consistencyProblems(db.db)).toEqual([])
      const ids = new Set((await db.db.selectFrom('audit_records').select('request_id').where('error_code', 'is', null).execute()).map((x) => x.request_id))
      expect(ackedRequestIds.filter((id) => !ids.has(id))).toEqual([])
    } finally {
      await db.close()
    }
    const verify = await fetch(`${url}/v1/audit/verify`, { method: 'POST', headers: await signedAdmin(url) })
    expect(await verify.json()).toMatchObject({ valid: true })
    c.ssm.destroy()
    c.sm.destroy()
    c.kms.destroy()
    await killNow()
  }, 180_000)
})

/** SigV4 headers for a REST call as the administrator (service `arca`). */
async function signedAdmin(url: string): Promise<Record<string, string>> {
  const { signRequest } = await import('../../src/client/index.ts')
  return signRequest({ method: 'POST', url: new URL(`${url}/v1/audit/verify`), headers: {}, body: '' }, admin, { region: TEST_REGION, service: 'arca', now: Date.now() })
}
