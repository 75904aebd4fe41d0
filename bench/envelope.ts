// Envelope encryption: `arca encrypt` of a 100 MB file (the AWS Encryption SDK message format,
// committing suite with ECDSA P-384) beside raw AES-256-GCM over the same bytes (node:crypto,
// file to file, no framing, no KMS), same run; then 1 KiB messages through the client library's
// envelope helpers with and without the data-key cache. The Arca server runs in its own process.
import { spawn } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms'
import { createEnvelope } from '../src/client/index.ts'

const ROOT = path.resolve(import.meta.dirname, '..')
const creds = { accessKeyId: 'AKIABENCHBENCHBENCH1', secretAccessKey: 'benchsecretbenchsecretbenchsecretbenchse' }
const SIZE = Number(process.env.ARCA_BENCH_ENVELOPE_BYTES ?? 100 * 1024 * 1024)
const SECONDS = Number(process.env.ARCA_BENCH_SECONDS ?? 3)

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; ms: number; stderr: string }> {
  const t0 = performance.now()
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  return new Promise((res) => child.on('close', (code) => res({ code, ms: performance.now() - t0, stderr })))
}

function startServer(dataDir: string): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'src/cli/arca.mjs'), 'server'], {
    env: { ...process.env, ARCA_PORT: '0', ARCA_DATA_DIR: dataDir, ARCA_ACCOUNT_ID: '111111111111', ARCA_ADMIN_ACCESS_KEY_ID: creds.accessKeyId, ARCA_ADMIN_SECRET_ACCESS_KEY: creds.secretAccessKey, ARCA_LOG_LEVEL: 'error', ARCA_QUOTAS: 'off' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /listening on (http:\/\/\S+)/.exec(out)
      if (m) resolve({ url: m[1], stop: () => child.kill('SIGTERM') })
    })
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)))
  })
}

async function rawGcm(input: string, output: string): Promise<number> {
  const t0 = performance.now()
  const cipher = crypto.createCipheriv('aes-256-gcm', crypto.randomBytes(32), crypto.randomBytes(12))
  await pipeline(fs.createReadStream(input, { highWaterMark: 1 << 20 }), cipher, fs.createWriteStream(output))
  cipher.getAuthTag()
  return performance.now() - t0
}

async function rate(fn: () => Promise<unknown>): Promise<number> {
  const warm = performance.now() + 300
  while (performance.now() < warm) await fn()
  let n = 0
  const t0 = performance.now()
  while (performance.now() - t0 < SECONDS * 1000) {
    await fn()
    n++
  }
  return n / ((performance.now() - t0) / 1000)
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arca-bench-env-'))
const server = await startServer(path.join(dir, 'data'))
try {
  const kms = new KMSClient({ endpoint: server.url, region: 'us-east-1', credentials: creds })
  const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!
  const input = path.join(dir, 'input')
  const block = crypto.randomBytes(1 << 20)
  const fd = fs.openSync(input, 'w')
  for (let w = 0; w < SIZE; w += block.length) fs.writeSync(fd, block, 0, Math.min(block.length, SIZE - w))
  fs.closeSync(fd)
  const env = { ARCA_ENDPOINT: server.url, AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey, AWS_REGION: 'us-east-1' }

  const gcmMs = await rawGcm(input, path.join(dir, 'gcm.out'))
  const startup = await run([path.join(ROOT, 'src/cli/arca.mjs'), 'help'], env)
  const cli = await run([path.join(ROOT, 'src/cli/arca.mjs'), 'encrypt', '--key', key, '--in', input, '--out', path.join(dir, 'arca.out')], env)
  if (cli.code !== 0) throw new Error(`arca encrypt failed: ${cli.stderr}`)
  const envelope = createEnvelope({ endpoint: server.url, auth: { kind: 'sigv4', credentials: creds, region: 'us-east-1' }, cache: false, frameLength: 64 * 1024 })
  const t0 = performance.now()
  await pipeline(fs.createReadStream(input, { highWaterMark: 1 << 20 }), envelope.encryptStream({ keys: [key] }), fs.createWriteStream(path.join(dir, 'lib.out')))
  const libMs = performance.now() - t0
  const mbs = (ms: number) => (SIZE / 1048576 / (ms / 1000)).toFixed(0)
  const mb = (SIZE / 1048576).toFixed(0)
  process.stdout.write(`\n${mb} MB file, same run:\n`)
  process.stdout.write(`  raw AES-256-GCM (node:crypto, baseline)   ${gcmMs.toFixed(0).padStart(6)} ms  ${mbs(gcmMs)} MB/s\n`)
  process.stdout.write(`  arca encrypt (whole process)              ${cli.ms.toFixed(0).padStart(6)} ms  ${mbs(cli.ms)} MB/s  ${(gcmMs / cli.ms).toFixed(2)}× baseline\n`)
  process.stdout.write(`  arca encrypt minus CLI start-up (${startup.ms.toFixed(0)} ms)   ${(cli.ms - startup.ms).toFixed(0).padStart(6)} ms  ${mbs(cli.ms - startup.ms)} MB/s  ${(gcmMs / (cli.ms - startup.ms)).toFixed(2)}× baseline\n`)
  process.stdout.write(`  encryptStream in process (client library) ${libMs.toFixed(0).padStart(6)} ms  ${mbs(libMs)} MB/s  ${(gcmMs / libMs).toFixed(2)}× baseline\n`)

  const msg = crypto.randomBytes(1024)
  const cached = createEnvelope({ endpoint: server.url, auth: { kind: 'sigv4', credentials: creds, region: 'us-east-1' } })
  const withCache = await rate(() => cached.encrypt(msg, { keys: [key], context: { bench: '1' } }))
  const without = await rate(() => envelope.encrypt(msg, { keys: [key], context: { bench: '1' } }))
  process.stdout.write(`\n1 KiB messages, sequential, ${SECONDS} s each:\n`)
  process.stdout.write(`  without cache (GenerateDataKey per message, baseline) ${without.toFixed(0).padStart(6)} msg/s\n`)
  process.stdout.write(`  with the data-key cache (defaults)                    ${withCache.toFixed(0).padStart(6)} msg/s  ${(withCache / without).toFixed(1)}×\n`)
} finally {
  server.stop()
  fs.rmSync(dir, { recursive: true, force: true })
}
