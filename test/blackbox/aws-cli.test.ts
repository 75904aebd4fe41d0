/**
 * `aws kms …` as a user runs it against Arca: only --endpoint-url and credentials in the
 * environment (HOME is empty, no pager, no retries). Works with CLI v1 (pip) and v2 (Debian's
 * awscli): blob arguments go through `fileb://`, which both read as raw bytes (AWS-API.md §6);
 * blob outputs come back base64 and are decoded here as `base64 -d` would.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliResult, awsCli, awsCliMajor, awsCliVersion } from '../support/aws.ts'
import { TEST_ACCOUNT, TEST_REGION, type TestServer, startTestServer } from '../support/server.ts'

const version = awsCliVersion()
const required = Boolean(process.env.CI)

let t: TestServer
let dir: string

/** Runs the CLI and parses its JSON output; fails with the CLI's own words otherwise. */
async function aws(...args: string[]): Promise<Record<string, unknown>> {
  const r = await awsCli(t, [...args, '--output', 'json'], { cwd: dir })
  if (r.code !== 0) throw new Error(`aws ${args.join(' ')} exited ${r.code}:\n${r.stderr}`)
  return r.stdout.trim() === '' ? {} : (JSON.parse(r.stdout) as Record<string, unknown>)
}

/** `--query X --output text`, as in the documented shell pipelines. */
async function awsText(...args: string[]): Promise<string> {
  const r = await awsCli(t, [...args, '--output', 'text'], { cwd: dir })
  if (r.code !== 0) throw new Error(`aws ${args.join(' ')} exited ${r.code}:\n${r.stderr}`)
  return r.stdout.trim()
}

/** `… | base64 -d > file` */
function writeB64(name: string, b64: string): string {
  fs.writeFileSync(path.join(dir, name), Buffer.from(b64, 'base64'))
  return `fileb://${name}`
}

function writeRaw(name: string, data: string | Uint8Array): string {
  fs.writeFileSync(path.join(dir, name), data)
  return `fileb://${name}`
}

// Each CLI run starts a Python process (about a second, more on a busy machine).
describe.skipIf(!version && !required)(`aws kms (${version ?? 'skipped: the aws CLI is not installed; CI requires it'})`, { timeout: 90_000 }, () => {
  beforeAll(async () => {
    t = await startTestServer()
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arca-cli-'))
  })
  afterAll(async () => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true })
    await t?.stop()
  })

  it('the aws CLI is installed (CI installs Debian awscli)', () => {
    expect(version, 'aws --version failed: install the AWS CLI').toBeTruthy()
    expect([1, 2]).toContain(awsCliMajor(version!))
  })

  let keyId: string

  it('create-key, create-alias, list-aliases, describe-key by alias', async () => {
    const created = await aws('kms', 'create-key', '--description', 'from the cli', '--tags', 'TagKey=env,TagValue=test')
    const md = created.KeyMetadata as Record<string, unknown>
    keyId = md.KeyId as string
    expect(md).toMatchObject({ Arn: `arn:aws:kms:${TEST_REGION}:${TEST_ACCOUNT}:key/${keyId}`, KeyState: 'Enabled', Description: 'from the cli', KeySpec: 'SYMMETRIC_DEFAULT' })
    // CLI v1 and v2 both print timestamps they parsed from epoch seconds
    expect(typeof md.CreationDate === 'number' || typeof md.CreationDate === 'string').toBe(true)

    expect(await aws('kms', 'create-alias', '--alias-name', 'alias/cli-app', '--target-key-id', keyId)).toEqual({})
    const aliases = await aws('kms', 'list-aliases', '--key-id', keyId)
    expect((aliases.Aliases as { AliasName: string }[]).map((a) => a.AliasName)).toEqual(['alias/cli-app'])
    const all = await aws('kms', 'list-aliases')
    expect((all.Aliases as { AliasName: string }[]).map((a) => a.AliasName)).toContain('alias/cli-app')

    const d = await aws('kms', 'describe-key', '--key-id', 'alias/cli-app')
    expect((d.KeyMetadata as { KeyId: string }).KeyId).toBe(keyId)
  })

  it('encrypt with --encryption-context and fileb://, decrypt with --query Plaintext --output text | base64 -d', async () => {
    const secret = crypto.randomBytes(48)
    const blobB64 = await awsText('kms', 'encrypt', '--key-id', 'alias/cli-app', '--plaintext', writeRaw('secret.bin', secret), '--encryption-context', 'app=web,tier=db', '--query', 'CiphertextBlob')
    const blob = writeB64('blob.bin', blobB64)
    const plainB64 = await awsText('kms', 'decrypt', '--ciphertext-blob', blob, '--encryption-context', 'tier=db,app=web', '--query', 'Plaintext')
    expect(Buffer.from(plainB64, 'base64').equals(secret)).toBe(true)

    // the whole decrypt answer names the key ARN
    const full = await aws('kms', 'decrypt', '--ciphertext-blob', blob, '--encryption-context', 'app=web,tier=db')
    expect(full.KeyId).toBe(`arn:aws:kms:${TEST_REGION}:${TEST_ACCOUNT}:key/${keyId}`)
    expect(full.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT')

    // JSON form of the context works too
    const json = await awsText('kms', 'decrypt', '--ciphertext-blob', blob, '--encryption-context', '{"app":"web","tier":"db"}', '--query', 'Plaintext')
    expect(Buffer.from(json, 'base64').equals(secret)).toBe(true)
  })

  it('a wrong context: exit code 254 (v2) / 255 (v1) and InvalidCiphertextException in stderr', async () => {
    const blobB64 = await awsText('kms', 'encrypt', '--key-id', keyId, '--plaintext', writeRaw('p.txt', 'hello'), '--encryption-context', 'a=b', '--query', 'CiphertextBlob')
    const r: CliResult = await awsCli(t, ['kms', 'decrypt', '--ciphertext-blob', writeB64('ctx.bin', blobB64), '--encryption-context', 'a=c'], { cwd: dir })
    expect([254, 255]).toContain(r.code)
    expect(r.code).toBe(awsCliMajor(version!) === 1 ? 255 : 254)
    expect(r.stderr).toMatch(/An error occurred \(InvalidCiphertextException\) when calling the Decrypt operation/)
    expect(r.stdout).toBe('')
  })

  it('a missing key: NotFoundException with its message, nothing on stdout', async () => {
    const r = await awsCli(t, ['kms', 'describe-key', '--key-id', 'alias/does-not-exist'], { cwd: dir })
    expect([254, 255]).toContain(r.code)
    expect(r.stdout).toBe('')
    // v1 in standard retry mode adds " (reached max retries: 0)" before the colon
    expect(r.stderr).toMatch(
      new RegExp(`An error occurred \\(NotFoundException\\) when calling the DescribeKey operation(?: \\(reached max retries: \\d+\\))?: Alias arn:aws:kms:${TEST_REGION}:${TEST_ACCOUNT}:alias/does-not-exist is not found\\.`),
    )
  })

  it('generate-data-key: the plaintext data key and its ciphertext decrypt to the same bytes', async () => {
    const out = await aws('kms', 'generate-data-key', '--key-id', 'alias/cli-app', '--key-spec', 'AES_256', '--encryption-context', 'use=dek')
    const plain = Buffer.from(out.Plaintext as string, 'base64')
    expect(plain).toHaveLength(32)
    const back = await awsText('kms', 'decrypt', '--ciphertext-blob', writeB64('dek.bin', out.CiphertextBlob as string), '--encryption-context', 'use=dek', '--query', 'Plaintext')
    expect(Buffer.from(back, 'base64').equals(plain)).toBe(true)
    const n = await aws('kms', 'generate-data-key', '--key-id', keyId, '--number-of-bytes', '24')
    expect(Buffer.from(n.Plaintext as string, 'base64')).toHaveLength(24)
  })

  it('sign / verify with an ECC key; the signature checks with node:crypto; a wrong message fails', async () => {
    const created = await aws('kms', 'create-key', '--key-spec', 'ECC_NIST_P256', '--key-usage', 'SIGN_VERIFY')
    const id = (created.KeyMetadata as { KeyId: string }).KeyId
    const message = writeRaw('msg.txt', 'sign this')
    const sigB64 = await awsText('kms', 'sign', '--key-id', id, '--message', message, '--message-type', 'RAW', '--signing-algorithm', 'ECDSA_SHA_256', '--query', 'Signature')
    const sig = writeB64('sig.bin', sigB64)
    const v = await aws('kms', 'verify', '--key-id', id, '--message', message, '--message-type', 'RAW', '--signing-algorithm', 'ECDSA_SHA_256', '--signature', sig)
    expect(v.SignatureValid).toBe(true)

    const pubB64 = await awsText('kms', 'get-public-key', '--key-id', id, '--query', 'PublicKey')
    const pub = crypto.createPublicKey({ key: Buffer.from(pubB64, 'base64'), format: 'der', type: 'spki' })
    expect(crypto.verify('sha256', Buffer.from('sign this'), pub, Buffer.from(sigB64, 'base64'))).toBe(true)

    const bad = await awsCli(t, ['kms', 'verify', '--key-id', id, '--message', writeRaw('other.txt', 'other'), '--message-type', 'RAW', '--signing-algorithm', 'ECDSA_SHA_256', '--signature', sig], { cwd: dir })
    expect([254, 255]).toContain(bad.code)
    expect(bad.stderr).toContain('KMSInvalidSignatureException')
  })

  it('enable-key-rotation / get-key-rotation-status / rotate-key-on-demand; old ciphertexts still decrypt', async () => {
    const before = await awsText('kms', 'encrypt', '--key-id', keyId, '--plaintext', writeRaw('old.txt', 'before rotation'), '--query', 'CiphertextBlob')
    expect(await aws('kms', 'enable-key-rotation', '--key-id', keyId, '--rotation-period-in-days', '180')).toEqual({})
    const st = await aws('kms', 'get-key-rotation-status', '--key-id', keyId)
    expect(st).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 180 })
    await aws('kms', 'rotate-key-on-demand', '--key-id', keyId)
    const rotations = await aws('kms', 'list-key-rotations', '--key-id', keyId)
    expect(rotations.Rotations as unknown[]).toHaveLength(1)
    const plain = await awsText('kms', 'decrypt', '--ciphertext-blob', writeB64('old.bin', before), '--query', 'Plaintext')
    expect(Buffer.from(plain, 'base64').toString()).toBe('before rotation')
  })

  it('list-keys paginates on its own (the CLI follows NextMarker)', async () => {
    for (let i = 0; i < 3; i++) await aws('kms', 'create-key')
    const out = await aws('kms', 'list-keys', '--page-size', '2')
    const ids = (out.Keys as { KeyId: string }[]).map((k) => k.KeyId)
    expect(ids.length).toBeGreaterThanOrEqual(5)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids).toContain(keyId)
  })

  it('an unknown access key: UnrecognizedClientException', async () => {
    const r = await awsCli(t, ['kms', 'list-keys'], { cwd: dir, credentials: { accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: 'x'.repeat(40) } })
    expect([254, 255]).toContain(r.code)
    expect(r.stderr).toContain('UnrecognizedClientException')
  })
})
