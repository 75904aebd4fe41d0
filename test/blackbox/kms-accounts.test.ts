/**
 * Isolation through the AWS face: accounts (a principal of one cannot see or use the other's
 * keys) and regions (each resource lives in the region of the request's SigV4 scope).
 */
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  type KMSClient,
  ListAliasesCommand,
  ListKeysCommand,
  NotFoundException,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Credentials, adminApi, createAccount, kmsClient, sdkError } from '../support/aws.ts'
import { TEST_ACCOUNT, TEST_REGION, type TestServer, startTestServer } from '../support/server.ts'

const OTHER = '222222222222'
let t: TestServer
let a: KMSClient
let b: KMSClient
let bCreds: Credentials
const clients: KMSClient[] = []
const client = (opts: Parameters<typeof kmsClient>[1]) => {
  const c = kmsClient(t, opts)
  clients.push(c)
  return c
}

beforeAll(async () => {
  t = await startTestServer()
  bCreds = await createAccount(t, OTHER)
  a = client({})
  b = client({ credentials: bCreds })
})
afterAll(async () => {
  for (const c of clients) c.destroy()
  await t?.stop()
})

const enc = new TextEncoder()

describe('two accounts', () => {
  it('the admin REST API made the account, its administrator and a working access key', async () => {
    const users = await adminApi(t, 'GET', `/users?account=${OTHER}`)
    expect(users.status).toBe(200)
    expect(users.json.users).toEqual([expect.objectContaining({ name: 'admin', arn: `arn:aws:iam::${OTHER}:user/admin`, account: OTHER })])
    const dup = await adminApi(t, 'POST', '/accounts', { id: OTHER })
    expect(dup.status).toBe(409)
  })

  it("a principal of one account neither sees nor uses the other's keys", async () => {
    const keyA = (await a.send(new CreateKeyCommand({ Description: 'A' }))).KeyMetadata!
    await a.send(new CreateAliasCommand({ AliasName: 'alias/shared-name', TargetKeyId: keyA.KeyId }))
    const keyB = (await b.send(new CreateKeyCommand({ Description: 'B' }))).KeyMetadata!
    expect(keyB.AWSAccountId).toBe(OTHER)
    expect(keyB.Arn).toBe(`arn:aws:kms:${TEST_REGION}:${OTHER}:key/${keyB.KeyId}`)

    // listing shows only one's own
    const listB = await b.send(new ListKeysCommand({}))
    expect(listB.Keys!.map((k) => k.KeyId)).toEqual([keyB.KeyId])
    const listA = await a.send(new ListKeysCommand({}))
    expect(listA.Keys!.map((k) => k.KeyId)).not.toContain(keyB.KeyId)
    const aliasesB = await b.send(new ListAliasesCommand({}))
    expect(aliasesB.Aliases!.map((x) => x.AliasName)).not.toContain('alias/shared-name')

    // by id: not found in the caller's account
    let e = await sdkError(b.send(new DescribeKeyCommand({ KeyId: keyA.KeyId })))
    expect(e).toBeInstanceOf(NotFoundException)
    expect(e.$metadata.httpStatusCode).toBe(400)
    expect(e.message).toBe(`Key 'arn:aws:kms:${TEST_REGION}:${OTHER}:key/${keyA.KeyId}' does not exist`)
    e = await sdkError(b.send(new DescribeKeyCommand({ KeyId: 'alias/shared-name' })))
    expect(e).toBeInstanceOf(NotFoundException)
    e = await sdkError(b.send(new ScheduleKeyDeletionCommand({ KeyId: keyA.KeyId })))
    expect(e).toBeInstanceOf(NotFoundException)

    // by ARN: the other account's key is refused
    e = await sdkError(b.send(new EncryptCommand({ KeyId: keyA.Arn, Plaintext: enc.encode('x') })))
    expect(e.name).toBe('AccessDeniedException')
    expect(e.$metadata.httpStatusCode).toBe(400)
    expect(e.message).toContain(`arn:aws:iam::${OTHER}:user/admin is not authorized to perform: kms:Encrypt`)
    e = await sdkError(b.send(new GenerateDataKeyCommand({ KeyId: keyA.Arn, KeySpec: 'AES_256' })))
    expect(e.name).toBe('AccessDeniedException')
    e = await sdkError(a.send(new EncryptCommand({ KeyId: keyB.Arn, Plaintext: enc.encode('x') })))
    expect(e.name).toBe('AccessDeniedException')

    // a ciphertext of A handed to B's Decrypt (with or without naming the key)
    const ct = (await a.send(new EncryptCommand({ KeyId: keyA.KeyId, Plaintext: enc.encode('for A only') }))).CiphertextBlob!
    e = await sdkError(b.send(new DecryptCommand({ CiphertextBlob: ct })))
    expect(e.name).toBe('AccessDeniedException')
    expect(e.message).not.toContain('for A only')
    e = await sdkError(b.send(new DecryptCommand({ CiphertextBlob: ct, KeyId: keyA.Arn })))
    expect(e.name).toBe('AccessDeniedException')
    expect(new TextDecoder().decode((await a.send(new DecryptCommand({ CiphertextBlob: ct }))).Plaintext)).toBe('for A only')
  })

  it('the same alias name lives separately in each account', async () => {
    const ka = (await a.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!
    const kb = (await b.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!
    await a.send(new CreateAliasCommand({ AliasName: 'alias/app', TargetKeyId: ka }))
    await b.send(new CreateAliasCommand({ AliasName: 'alias/app', TargetKeyId: kb }))
    expect((await a.send(new DescribeKeyCommand({ KeyId: 'alias/app' }))).KeyMetadata!.KeyId).toBe(ka)
    expect((await b.send(new DescribeKeyCommand({ KeyId: 'alias/app' }))).KeyMetadata!.KeyId).toBe(kb)
  })

  it('a user without policies in the account may do nothing: AccessDeniedException', async () => {
    const made = await adminApi(t, 'POST', '/users', { name: 'app' })
    expect(made.status).toBe(201)
    const key = await adminApi(t, 'POST', '/users/app/access-keys')
    const app = client({ credentials: { accessKeyId: key.json.accessKeyId as string, secretAccessKey: key.json.secretAccessKey as string } })
    const e = await sdkError(app.send(new CreateKeyCommand({})))
    expect(e.name).toBe('AccessDeniedException')
    expect(e.$metadata.httpStatusCode).toBe(400)
  })
})

describe('regions', () => {
  it('a key made in us-east-1 is not visible from eu-west-1, and vice versa', async () => {
    const east = a
    const west = client({ region: 'eu-west-1' })
    const kEast = (await east.send(new CreateKeyCommand({ Description: 'east' }))).KeyMetadata!
    const kWest = (await west.send(new CreateKeyCommand({ Description: 'west' }))).KeyMetadata!
    expect(kEast.Arn).toBe(`arn:aws:kms:us-east-1:${TEST_ACCOUNT}:key/${kEast.KeyId}`)
    expect(kWest.Arn).toBe(`arn:aws:kms:eu-west-1:${TEST_ACCOUNT}:key/${kWest.KeyId}`)

    expect((await west.send(new ListKeysCommand({}))).Keys!.map((k) => k.KeyId)).toEqual([kWest.KeyId])
    expect((await east.send(new ListKeysCommand({}))).Keys!.map((k) => k.KeyId)).not.toContain(kWest.KeyId)

    let e = await sdkError(west.send(new DescribeKeyCommand({ KeyId: kEast.KeyId })))
    expect(e).toBeInstanceOf(NotFoundException)
    expect(e.message).toBe(`Key 'arn:aws:kms:eu-west-1:${TEST_ACCOUNT}:key/${kEast.KeyId}' does not exist`)
    e = await sdkError(east.send(new DescribeKeyCommand({ KeyId: kWest.KeyId })))
    expect(e).toBeInstanceOf(NotFoundException)

    // an ARN naming another region
    e = await sdkError(west.send(new EncryptCommand({ KeyId: kEast.Arn, Plaintext: enc.encode('x') })))
    expect(e).toBeInstanceOf(NotFoundException)
    expect(e.message).toBe('Invalid arn us-east-1')

    // a ciphertext of one region does not decrypt in another
    const ct = (await east.send(new EncryptCommand({ KeyId: kEast.KeyId, Plaintext: enc.encode('east') }))).CiphertextBlob!
    e = await sdkError(west.send(new DecryptCommand({ CiphertextBlob: ct })))
    expect(['NotFoundException', 'InvalidCiphertextException']).toContain(e.name)
    expect(e.$metadata.httpStatusCode).toBe(400)
  })

  it('any region name works as a scope (here a made-up one)', async () => {
    const odd = client({ region: 'xx-test-9' })
    const k = (await odd.send(new CreateKeyCommand({}))).KeyMetadata!
    expect(k.Arn).toBe(`arn:aws:kms:xx-test-9:${TEST_ACCOUNT}:key/${k.KeyId}`)
  })
})
