/**
 * The client library's envelope helpers (createEnvelope): the data-key cache's limits seen from
 * the server's audit trail, partitioned by encryption context, and the messages interoperable
 * with the AWS Encryption SDK itself.
 */
import { CreateKeyCommand } from '@aws-sdk/client-kms'
import { CommitmentPolicy, KmsKeyringNode, buildClient } from '@aws-crypto/client-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEnvelope } from '../../src/client/index.ts'
import { kmsClient } from '../support/aws.ts'
import { kmsSupplier } from '../support/esdk.ts'
import { TEST_REGION, type TestServer, startTestServer } from '../support/server.ts'

let t: TestServer
beforeAll(async () => {
  t = await startTestServer()
})
afterAll(async () => t?.stop())

const newKey = async () => (await kmsClient(t).send(new CreateKeyCommand({}))).KeyMetadata!.Arn!
const envelope = (cache: Parameters<typeof createEnvelope>[0]['cache']) =>
  createEnvelope({ endpoint: t.url, auth: { kind: 'sigv4', credentials: t.admin, region: TEST_REGION }, cache })

/** GenerateDataKey calls on one key, counted from the audit trail. */
async function generateDataKeyCalls(keyArn: string): Promise<number> {
  const keyId = keyArn.split('/')[1]
  let n = 0
  let cursor: string | undefined
  do {
    const page = await t.services.audit.query({ service: 'kms', operation: 'GenerateDataKey', limit: 1000, ...(cursor ? { cursor } : {}) })
    n += page.records.filter((r) => JSON.stringify(r).includes(keyId)).length
    cursor = page.nextCursor
  } while (cursor)
  return n
}

describe('envelope helpers with the data-key cache', () => {
  it('max messages 100: 1,000 encryptions make 10 GenerateDataKey calls', { timeout: 120_000 }, async () => {
    const key = await newKey()
    const env = envelope({ maxMessages: 100, maxAgeMs: 3_600_000 })
    const messages: Buffer[] = []
    for (let i = 0; i < 1000; i++) messages.push(await env.encrypt(`message ${i}`, { keys: [key], context: { app: 'cache-test' } }))
    expect(await generateDataKeyCalls(key)).toBe(10)
    for (const i of [0, 99, 100, 999]) expect((await env.decrypt(messages[i], { context: { app: 'cache-test' } })).plaintext.toString()).toBe(`message ${i}`)
  })

  it('max bytes: a data key stops being used once it has encrypted that many bytes', async () => {
    const key = await newKey()
    const env = envelope({ maxMessages: 1000, maxBytes: 1000 })
    for (let i = 0; i < 10; i++) await env.encrypt(Buffer.alloc(400), { keys: [key] })
    // 400 + 400 fit under 1000; the third would pass it: a new data key every two messages.
    expect(await generateDataKeyCalls(key)).toBe(5)
  })

  it('a different encryption context never reuses a data key', async () => {
    const key = await newKey()
    const env = envelope({})
    const a1 = await env.encrypt('a', { keys: [key], context: { tenant: 'a' } })
    const b1 = await env.encrypt('b', { keys: [key], context: { tenant: 'b' } })
    const a2 = await env.encrypt('a', { keys: [key], context: { tenant: 'a' } })
    expect(await generateDataKeyCalls(key)).toBe(2)
    const sdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
    const kr = new KmsKeyringNode({ generatorKeyId: key, clientProvider: kmsSupplier(t) })
    const keysOf = async (m: Buffer) => (await sdk.decrypt(kr, m)).messageHeader.encryptedDataKeys[0].encryptedDataKey
    expect(Buffer.from(await keysOf(a1)).equals(Buffer.from(await keysOf(a2)))).toBe(true)
    expect(Buffer.from(await keysOf(a1)).equals(Buffer.from(await keysOf(b1)))).toBe(false)
  })

  it('without the cache every message asks KMS; decrypt refuses a missing required pair', async () => {
    const key = await newKey()
    const env = envelope(false)
    const m = await env.encrypt('x', { keys: [key], context: { app: 'web' } })
    await env.encrypt('y', { keys: [key], context: { app: 'web' } })
    expect(await generateDataKeyCalls(key)).toBe(2)
    expect((await env.decrypt(m)).context).toEqual({ app: 'web' })
    await expect(env.decrypt(m, { context: { app: 'api' } })).rejects.toThrow(/does not have the required pair for 'app'/)
  })
})
