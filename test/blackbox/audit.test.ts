/**
 * The audit trail through the real server: one record per request on both faces (KMS through
 * the real @aws-sdk/client-kms, REST), denied and unauthenticated requests included; no secret
 * in any stored byte or log line; verify catches tampering; the audit write failing fails the
 * request; the CLI reads, exports and verifies.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateGrantCommand,
  CreateKeyCommand,
  DecryptCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GenerateMacCommand,
  GenerateRandomCommand,
  GetKeyPolicyCommand,
  GetPublicKeyCommand,
  type KMSClient,
  ListAliasesCommand,
  ListGrantsCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  ReEncryptCommand,
  RevokeGrantCommand,
  ScheduleKeyDeletionCommand,
  SignCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateKeyDescriptionCommand,
  VerifyCommand,
  VerifyMacCommand,
} from '@aws-sdk/client-kms'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { runAudit } from '../../src/cli/audit.ts'
import { randomString } from '../../src/core/index.ts'
import type { CloudTrailEvent } from '../../src/kms/audit/index.ts'
import { adminApi, adminToken, kmsClient, sdkError } from '../support/aws.ts'
import { type TestDatabase, rawDatabaseBytes } from '../support/db.ts'
import { TEST_ACCOUNT, TEST_REGION, type TestServer, startTestServer } from '../support/server.ts'

let t: TestServer
let kms: KMSClient
let token: string
const logLines: string[] = []
const enc = new TextEncoder()

async function auditApi(route: string, init: RequestInit = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(`${t.url}/v1/audit${route}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) } })
  const text = await res.text()
  return { status: res.status, json: text ? JSON.parse(text) : {} }
}

async function recordsOf(requestId: string): Promise<CloudTrailEvent[]> {
  const all: CloudTrailEvent[] = []
  for await (const e of t.services.audit.export({})) if (e.requestID === requestId) all.push(e)
  return all
}

beforeAll(async () => {
  t = await startTestServer({}, { logSink: (l) => logLines.push(l) })
  kms = kmsClient(t)
  token = await adminToken(t)
})
afterAll(async () => {
  await t.stop()
})

describe('one record per request', () => {
  it('every KMS operation through the SDK leaves exactly one record, named after it', async () => {
    const calls: [string, { $metadata: { requestId?: string } }][] = []
    const send = async <T extends { $metadata: { requestId?: string } }>(name: string, p: Promise<T>): Promise<T> => {
      const out = await p
      calls.push([name, out])
      return out
    }
    const key = (await send('CreateKey', kms.send(new CreateKeyCommand({ Description: 'audited' })))).KeyMetadata!.KeyId!
    const signing = (await send('CreateKey', kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })))).KeyMetadata!.KeyId!
    const hmac = (await send('CreateKey', kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })))).KeyMetadata!.KeyId!
    await send('DescribeKey', kms.send(new DescribeKeyCommand({ KeyId: key })))
    await send('ListKeys', kms.send(new ListKeysCommand({})))
    await send('CreateAlias', kms.send(new CreateAliasCommand({ AliasName: 'alias/audited', TargetKeyId: key })))
    await send('ListAliases', kms.send(new ListAliasesCommand({})))
    const ct = (await send('Encrypt', kms.send(new EncryptCommand({ KeyId: 'alias/audited', Plaintext: enc.encode('hello'), EncryptionContext: { app: 'audit' } })))).CiphertextBlob!
    await send('Decrypt', kms.send(new DecryptCommand({ CiphertextBlob: ct, EncryptionContext: { app: 'audit' } })))
    await send('ReEncrypt', kms.send(new ReEncryptCommand({ CiphertextBlob: ct, SourceEncryptionContext: { app: 'audit' }, DestinationKeyId: key })))
    await send('GenerateDataKey', kms.send(new GenerateDataKeyCommand({ KeyId: key, KeySpec: 'AES_256' })))
    await send('GenerateDataKeyWithoutPlaintext', kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key, NumberOfBytes: 16 })))
    await send('GenerateRandom', kms.send(new GenerateRandomCommand({ NumberOfBytes: 32 })))
    const sig = (await send('Sign', kms.send(new SignCommand({ KeyId: signing, Message: enc.encode('m'), SigningAlgorithm: 'ECDSA_SHA_256' })))).Signature!
    await send('Verify', kms.send(new VerifyCommand({ KeyId: signing, Message: enc.encode('m'), Signature: sig, SigningAlgorithm: 'ECDSA_SHA_256' })))
    await send('GetPublicKey', kms.send(new GetPublicKeyCommand({ KeyId: signing })))
    const mac = (await send('GenerateMac', kms.send(new GenerateMacCommand({ KeyId: hmac, Message: enc.encode('m'), MacAlgorithm: 'HMAC_SHA_256' })))).Mac!
    await send('VerifyMac', kms.send(new VerifyMacCommand({ KeyId: hmac, Message: enc.encode('m'), Mac: mac, MacAlgorithm: 'HMAC_SHA_256' })))
    await send('TagResource', kms.send(new TagResourceCommand({ KeyId: key, Tags: [{ TagKey: 'team', TagValue: 'a' }] })))
    await send('ListResourceTags', kms.send(new ListResourceTagsCommand({ KeyId: key })))
    await send('UntagResource', kms.send(new UntagResourceCommand({ KeyId: key, TagKeys: ['team'] })))
    await send('UpdateKeyDescription', kms.send(new UpdateKeyDescriptionCommand({ KeyId: key, Description: 'd2' })))
    await send('GetKeyPolicy', kms.send(new GetKeyPolicyCommand({ KeyId: key, PolicyName: 'default' })))
    await send('DisableKey', kms.send(new DisableKeyCommand({ KeyId: key })))
    await send('EnableKey', kms.send(new EnableKeyCommand({ KeyId: key })))
    const grant = await send('CreateGrant', kms.send(new CreateGrantCommand({ KeyId: key, GranteePrincipal: `arn:aws:iam::${TEST_ACCOUNT}:user/x`, Operations: ['Decrypt'] })))
    await send('ListGrants', kms.send(new ListGrantsCommand({ KeyId: key })))
    await send('RevokeGrant', kms.send(new RevokeGrantCommand({ KeyId: key, GrantId: (grant as { GrantId?: string }).GrantId! })))
    await send('ScheduleKeyDeletion', kms.send(new ScheduleKeyDeletionCommand({ KeyId: hmac, PendingWindowInDays: 7 })))
    await send('CancelKeyDeletion', kms.send(new CancelKeyDeletionCommand({ KeyId: hmac })))
    await send('DeleteAlias', kms.send(new DeleteAliasCommand({ AliasName: 'alias/audited' })))

    const kmsRecords = (await t.services.audit.query({ service: 'kms', limit: 1000 })).records
    expect(kmsRecords).toHaveLength(calls.length)
    for (const [name, out] of calls) {
      const mine = kmsRecords.filter((r) => r.requestID === out.$metadata.requestId)
      expect(mine, name).toHaveLength(1)
      expect(mine[0]).toMatchObject({ eventName: name, eventSource: 'kms.amazonaws.com', awsRegion: TEST_REGION, recipientAccountId: TEST_ACCOUNT })
      expect(mine[0]!.userIdentity).toMatchObject({ type: 'IAMUser', arn: `arn:aws:iam::${TEST_ACCOUNT}:user/admin`, accountId: TEST_ACCOUNT, accessKeyId: t.admin.accessKeyId })
      expect(mine[0]!.errorCode).toBeUndefined()
      expect(mine[0]!.sourceIPAddress).toMatch(/127\.0\.0\.1/)
      expect(mine[0]!.userAgent).toMatch(/aws-sdk-js/)
    }
    const encrypt = kmsRecords.find((r) => r.eventName === 'Encrypt')!
    expect(encrypt.requestParameters).toEqual({ keyId: 'alias/audited', plaintext: '[redacted]', encryptionContext: { app: 'audit' } })
    expect(encrypt.resources.map((r) => r.ARN)).toEqual([`arn:aws:kms:${TEST_REGION}:${TEST_ACCOUNT}:key/${key}`, `arn:aws:kms:${TEST_REGION}:${TEST_ACCOUNT}:alias/audited`])
    expect(kmsRecords.find((r) => r.eventName === 'GenerateDataKey')!.requestParameters).toEqual({ keyId: key, keySpec: 'AES_256' })
  })

  it('a failed request leaves one record with its error code', async () => {
    const e = await sdkError(kms.send(new DecryptCommand({ CiphertextBlob: new Uint8Array(64).fill(1) })))
    const [r, ...more] = await recordsOf(e.$metadata.requestId!)
    expect(more).toHaveLength(0)
    expect(r).toMatchObject({ eventName: 'Decrypt', errorCode: e.name, requestParameters: { ciphertextBlob: '[redacted]' } })
  })

  it('a denied request leaves one record naming the caller and AccessDeniedException', async () => {
    expect((await adminApi(t, 'POST', '/users', { name: 'bob' })).status).toBe(201)
    const key = await adminApi(t, 'POST', '/users/bob/access-keys')
    const bob = kmsClient(t, { credentials: { accessKeyId: key.json.accessKeyId as string, secretAccessKey: key.json.secretAccessKey as string } })
    const e = await sdkError(bob.send(new EncryptCommand({ KeyId: 'alias/nothing-here', Plaintext: enc.encode('x') })))
    const records = await recordsOf(e.$metadata.requestId!)
    expect(records).toHaveLength(1)
    expect(records[0]).toMatchObject({
      eventName: 'Encrypt',
      errorCode: e.name,
      userIdentity: { arn: `arn:aws:iam::${TEST_ACCOUNT}:user/bob`, accessKeyId: key.json.accessKeyId },
    })
    expect(['AccessDeniedException', 'NotFoundException']).toContain(e.name)
  })

  it('an unauthenticated request leaves one record with the claimed key id and no identity', async () => {
    const stranger = kmsClient(t, { credentials: { accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: 'x'.repeat(40) } })
    const e = await sdkError(stranger.send(new ListKeysCommand({})))
    expect(e.name).toBe('UnrecognizedClientException')
    const records = await recordsOf(e.$metadata.requestId!)
    expect(records).toHaveLength(1)
    expect(records[0]).toMatchObject({ eventName: 'ListKeys', errorCode: 'UnrecognizedClientException', userIdentity: { type: 'Unknown', accessKeyId: 'AKIAUNKNOWNUNKNOWN00' }, recipientAccountId: TEST_ACCOUNT })
    expect(records[0]!.userIdentity.arn).toBeUndefined()
  })

  it('REST requests leave one record each, refused ones included, without bodies', async () => {
    const before = (await t.services.audit.query({ service: 'arca', limit: 1000 })).records.length
    const ok = await fetch(`${t.url}/v1/whoami`, { headers: { authorization: `Bearer ${token}` } })
    expect(ok.status).toBe(200)
    const anon = await fetch(`${t.url}/v1/whoami`, { headers: { authorization: 'Bearer nope' } })
    expect(anon.status).toBe(401)
    const missing = await adminApi(t, 'GET', '/users/nobody')
    expect(missing.status).toBe(404)
    const after = (await t.services.audit.query({ service: 'arca', limit: 1000 })).records.slice(before)
    // adminApi makes its token in-process (no request), so three requests, three records.
    expect(after.map((r) => [r.eventName, r.errorCode ?? null])).toEqual([
      ['GET /v1/whoami', null],
      ['GET /v1/whoami', 'Unauthenticated'],
      ['GET /v1/admin/users/:name', 'NotFound'],
    ])
    expect(after[2]!.requestParameters).toEqual({ name: 'nobody' })
    expect(after[1]!.userIdentity.type).toBe('Unknown')
  })
})

describe('nothing secret is stored or logged', () => {
  it('plaintexts, data keys and random bytes appear nowhere in the database or the logs, in any encoding', async () => {
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!
    const secrets: Uint8Array[] = []
    for (let i = 0; i < 5; i++) {
      const plaintext = enc.encode(`plaintext-${randomString(24, 'abcdefghijklmnopqrstuvwxyz0123456789')}`)
      secrets.push(plaintext)
      const ct = (await kms.send(new EncryptCommand({ KeyId: key, Plaintext: plaintext }))).CiphertextBlob!
      const back = await kms.send(new DecryptCommand({ CiphertextBlob: ct }))
      expect(Buffer.from(back.Plaintext!).equals(Buffer.from(plaintext))).toBe(true)
      const dk = await kms.send(new GenerateDataKeyCommand({ KeyId: key, NumberOfBytes: 32 }))
      secrets.push(dk.Plaintext!)
      secrets.push((await kms.send(new GenerateRandomCommand({ NumberOfBytes: 32 }))).Plaintext!)
    }
    // Failed requests carry their inputs into error paths and logs too.
    await sdkError(kms.send(new EncryptCommand({ KeyId: 'alias/missing', Plaintext: secrets[0] })))
    await t.services.audit.flush()

    const dbFile = path.join(t.dataDir, 'arca.db')
    const stored = fs.existsSync(dbFile)
      ? Buffer.concat([dbFile, `${dbFile}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)))
      : await rawDatabaseBytes({ db: t.services.db.db } as unknown as TestDatabase)
    const records = Buffer.from(JSON.stringify((await t.services.audit.query({ limit: 1000 })).records))
    const logs = Buffer.from(logLines.join('\n'))
    expect(stored.length).toBeGreaterThan(0)
    for (const s of secrets) {
      const b = Buffer.from(s)
      for (const form of [b, Buffer.from(b.toString('base64')), Buffer.from(b.toString('hex')), Buffer.from(b.toString('base64url'))]) {
        expect(stored.includes(form)).toBe(false)
        expect(records.includes(form)).toBe(false)
        expect(logs.includes(form)).toBe(false)
      }
    }
    // The administrator's secret access key and token are not logged either.
    expect(logs.includes(Buffer.from(t.admin.secretAccessKey))).toBe(false)
    expect(records.includes(Buffer.from(token))).toBe(false)
  })
})

describe('verify through the API', () => {
  const db = () => t.services.db.db
  const verify = () => auditApi('/verify', { method: 'POST', body: JSON.stringify({ node: t.services.audit.node }) })

  async function withRow<T>(seq: number, change: () => Promise<unknown>, check: () => Promise<T>): Promise<T> {
    const node = t.services.audit.node
    // Up to the current head only: the verify request itself appends a record that must stay.
    const saved = await db().selectFrom('audit_records').selectAll().where('node', '=', node).where('seq', '>=', seq).execute()
    const last = Math.max(...saved.map((r) => Number(r.seq)))
    await change()
    try {
      return await check()
    } finally {
      await db().deleteFrom('audit_records').where('node', '=', node).where((eb) => eb.or([eb.between('seq', seq, last), eb('seq', '<', 0)])).execute()
      await db().insertInto('audit_records').values(saved).execute()
    }
  }

  it('an untouched log verifies, with its checkpoints', async () => {
    await t.services.audit.checkpoint()
    const r = await verify()
    expect(r.status).toBe(200)
    expect(r.json).toMatchObject({ valid: true })
    expect(r.json.checked).toBeGreaterThan(20)
    expect(r.json.checkpoints).toBeGreaterThanOrEqual(1)
  })

  it('a changed, a removed and two swapped records are each named', async () => {
    const node = t.services.audit.node
    const changed = await withRow(5, () => db().updateTable('audit_records').set({ error_code: 'Forged' }).where('node', '=', node).where('seq', '=', 5).execute(), verify)
    expect(changed.json).toMatchObject({ valid: false, firstBadSequence: 5, node })
    const removed = await withRow(6, () => db().deleteFrom('audit_records').where('node', '=', node).where('seq', '=', 6).execute(), verify)
    expect(removed.json).toMatchObject({ valid: false, firstBadSequence: 6 })
    const swapped = await withRow(
      7,
      async () => {
        await db().updateTable('audit_records').set({ seq: -7 }).where('node', '=', node).where('seq', '=', 7).execute()
        await db().updateTable('audit_records').set({ seq: 7 }).where('node', '=', node).where('seq', '=', 8).execute()
        await db().updateTable('audit_records').set({ seq: 8 }).where('node', '=', node).where('seq', '=', -7).execute()
      },
      verify,
    )
    expect(swapped.json).toMatchObject({ valid: false, firstBadSequence: 7 })
    expect((await verify()).json.valid).toBe(true)
  })

  it('a tampered checkpoint signature is detected', async () => {
    const node = t.services.audit.node
    const cp = await db().selectFrom('audit_checkpoints').selectAll().where('node', '=', node).orderBy('seq').executeTakeFirstOrThrow()
    await db().updateTable('audit_checkpoints').set({ signature: cp.signature.replace(/^./, (c) => (c === '0' ? '1' : '0')) }).where('node', '=', node).where('seq', '=', cp.seq).execute()
    try {
      expect((await verify()).json).toMatchObject({ valid: false, firstBadSequence: Number(cp.seq) })
    } finally {
      await db().updateTable('audit_checkpoints').set({ signature: cp.signature }).where('node', '=', node).where('seq', '=', cp.seq).execute()
    }
  })

  it('only the default account\'s administrator may verify; the public key is published', async () => {
    const pk = await auditApi('/public-key')
    expect(pk.status).toBe(200)
    expect(pk.json).toMatchObject({ algorithm: 'Ed25519', rawHex: t.services.audit.publicKey().rawHex })
    expect(pk.json.pem).toMatch(/^-----BEGIN PUBLIC KEY-----/)
    const bobToken = (await t.services.identity.createToken('user', TEST_ACCOUNT, 'bob')).token
    const res = await fetch(`${t.url}/v1/audit/verify`, { method: 'POST', headers: { authorization: `Bearer ${bobToken}` } })
    expect(res.status).toBe(403)
    const list = await fetch(`${t.url}/v1/audit`, { headers: { authorization: `Bearer ${bobToken}` } })
    expect(list.status).toBe(403)
  })
})

describe('query and export through the API', () => {
  it('filters and pages', async () => {
    const first = await auditApi('?operation=Encrypt&limit=2')
    expect(first.status).toBe(200)
    expect(first.json.records).toHaveLength(2)
    expect(first.json.records.every((r: CloudTrailEvent) => r.eventName === 'Encrypt')).toBe(true)
    const next = await auditApi(`?operation=Encrypt&limit=2&cursor=${first.json.nextCursor}`)
    expect(next.json.records[0].eventID).not.toBe(first.json.records[1].eventID)
    const errors = await auditApi('?error=UnrecognizedClientException')
    expect(errors.json.records.length).toBeGreaterThanOrEqual(1)
    expect((await auditApi('?limit=abc')).status).toBe(400)
    expect((await auditApi('?from=yesterday')).status).toBe(400)
  })

  it('exports JSON lines shaped like CloudTrail events', async () => {
    const res = await fetch(`${t.url}/v1/audit/export?service=kms`, { headers: { authorization: `Bearer ${token}` } })
    expect(res.headers.get('content-type')).toMatch(/application\/x-ndjson/)
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as CloudTrailEvent)
    expect(lines.length).toBeGreaterThan(20)
    for (const e of lines) {
      expect(Object.keys(e)).toEqual(expect.arrayContaining(['eventTime', 'eventSource', 'eventName', 'userIdentity', 'requestParameters', 'requestID', 'resources', 'recipientAccountId']))
      expect(e.eventTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    }
  })
})

describe('if the audit write fails, the request fails', () => {
  it('the SDK gets an internal error, not the answer; requests succeed again once writes do', async () => {
    const audit = t.services.audit
    await audit.flush()
    const head = await t.services.db.db.selectFrom('audit_records').select('seq').where('node', '=', audit.node).orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow()
    const blocker = { node: audit.node, seq: Number(head.seq) + 1, time: 0, request_id: 'blocker', account: null, recipient_account: 'x', principal_arn: null, access_key_id: null, source_ip: null, user_agent: null, region: null, service: 'kms', operation: 'x', via_service: null, resources: '[]', params: '{}', error_code: null, error_message: null, prev_hash: 'x', hash: 'x' }
    await t.services.db.db.insertInto('audit_records').values(blocker).execute()
    try {
      const e = await sdkError(kms.send(new GenerateRandomCommand({ NumberOfBytes: 16 })))
      expect(e.name).toBe('KMSInternalException')
      expect(e.$metadata.httpStatusCode).toBe(500)
      const rest = await fetch(`${t.url}/v1/whoami`, { headers: { authorization: `Bearer ${token}` } })
      expect(rest.status).toBe(500)
    } finally {
      await t.services.db.db.deleteFrom('audit_records').where('request_id', '=', 'blocker').execute()
    }
    const ok = await kms.send(new GenerateRandomCommand({ NumberOfBytes: 16 }))
    expect(ok.Plaintext).toHaveLength(16)
    expect(await recordsOf(ok.$metadata.requestId!)).toHaveLength(1)
  })
})

describe('arca audit (CLI)', () => {
  async function cli(args: string[]): Promise<{ code: number; out: string }> {
    const out: string[] = []
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString())
      return true
    })
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    const env = { ARCA_ENDPOINT: process.env.ARCA_ENDPOINT, ARCA_TOKEN: process.env.ARCA_TOKEN }
    process.env.ARCA_ENDPOINT = t.url
    process.env.ARCA_TOKEN = token
    try {
      const code = await runAudit(args)
      return { code, out: out.join('') }
    } finally {
      spy.mockRestore()
      err.mockRestore()
      for (const [k, v] of Object.entries(env)) {
        if (v === undefined) delete process.env[k]
        else process.env[k] = v
      }
    }
  }

  it('lists with filters, exports, verifies and prints the public key', async () => {
    const list = await cli(['--operation', 'Decrypt', '--limit', '3'])
    expect(list.code).toBe(0)
    expect(list.out.trim().split('\n')).toHaveLength(3)
    expect(list.out).toMatch(/kms\.amazonaws\.com {2}Decrypt {2}/)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arca-audit-cli-'))
    const file = path.join(dir, 'out.jsonl')
    expect((await cli(['export', '--service', 'kms', '--out', file])).code).toBe(0)
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n')
    expect(JSON.parse(lines[0]!)).toHaveProperty('eventSource', 'kms.amazonaws.com')
    fs.rmSync(dir, { recursive: true, force: true })
    const v = await cli(['verify'])
    expect(v).toMatchObject({ code: 0 })
    expect(v.out).toMatch(/^valid: \d+ records/)
    expect((await cli(['public-key', '--pem'])).out).toMatch(/^-----BEGIN PUBLIC KEY-----/)
  })

  it('exits 1 and names the bad record when the log was tampered with', async () => {
    const node = t.services.audit.node
    const row = await t.services.db.db.selectFrom('audit_records').selectAll().where('node', '=', node).where('seq', '=', 3).executeTakeFirstOrThrow()
    await t.services.db.db.updateTable('audit_records').set({ operation: 'Forged' }).where('node', '=', node).where('seq', '=', 3).execute()
    try {
      const v = await cli(['verify', '--node', node])
      expect(v.code).toBe(1)
      expect(v.out).toMatch(/first bad record 3/)
    } finally {
      await t.services.db.db.updateTable('audit_records').set({ operation: row.operation }).where('node', '=', node).where('seq', '=', 3).execute()
    }
  })
})
