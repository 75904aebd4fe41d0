/**
 * Durability through the AWS face: keys, aliases, tags, policies and rotations survive a
 * restart, and every ciphertext made before a restart or a rotation still decrypts.
 */
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GetKeyRotationStatusCommand,
  GetPublicKeyCommand,
  type KMSClient,
  ListAliasesCommand,
  ListKeyRotationsCommand,
  ListResourceTagsCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  SignCommand,
  VerifyCommand,
  GenerateMacCommand,
  VerifyMacCommand,
} from '@aws-sdk/client-kms'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { kmsClient } from '../support/aws.ts'
import { type TestServer, startTestServer } from '../support/server.ts'

let t: TestServer
/** A fresh client per server life: the port changes on restart. */
let kms: KMSClient
const DAY = 86_400_000

beforeAll(async () => {
  t = await startTestServer()
  kms = kmsClient(t)
})
afterAll(async () => {
  kms?.destroy()
  await t?.stop()
})

async function restart(): Promise<void> {
  kms.destroy()
  await t.restart()
  kms = kmsClient(t)
}

const enc = new TextEncoder()
const dec = (b: Uint8Array | undefined) => new TextDecoder().decode(b)

describe('restart', () => {
  it('keys, aliases, tags, rotation settings and old ciphertexts survive restarts and rotations', async () => {
    const sym = (await kms.send(new CreateKeyCommand({ Description: 'durable', Tags: [{ TagKey: 'k', TagValue: 'v' }] }))).KeyMetadata!
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/durable', TargetKeyId: sym.KeyId }))
    await kms.send(new EnableKeyRotationCommand({ KeyId: sym.KeyId, RotationPeriodInDays: 90 }))
    const sig = (await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!
    const mac = (await kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_384', KeyUsage: 'GENERATE_VERIFY_MAC' }))).KeyMetadata!
    const doomed = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!
    const del = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: doomed.KeyId, PendingWindowInDays: 7 }))

    const ctx = { app: 'restart' }
    const ct0 = (await kms.send(new EncryptCommand({ KeyId: 'alias/durable', Plaintext: enc.encode('v0'), EncryptionContext: ctx }))).CiphertextBlob!
    const pub0 = (await kms.send(new GetPublicKeyCommand({ KeyId: sig.KeyId }))).PublicKey!
    const signature = (await kms.send(new SignCommand({ KeyId: sig.KeyId, Message: enc.encode('m'), SigningAlgorithm: 'ECDSA_SHA_256' }))).Signature!
    const tag = (await kms.send(new GenerateMacCommand({ KeyId: mac.KeyId, Message: enc.encode('m'), MacAlgorithm: 'HMAC_SHA_384' }))).Mac!

    await restart()

    const md = (await kms.send(new DescribeKeyCommand({ KeyId: 'alias/durable' }))).KeyMetadata!
    expect(md).toMatchObject({ KeyId: sym.KeyId, Description: 'durable', KeyState: 'Enabled' })
    expect(md.CreationDate!.getTime()).toBe(sym.CreationDate!.getTime())
    expect((await kms.send(new ListResourceTagsCommand({ KeyId: sym.KeyId }))).Tags).toEqual([{ TagKey: 'k', TagValue: 'v' }])
    expect((await kms.send(new ListAliasesCommand({ KeyId: sym.KeyId }))).Aliases!.map((a) => a.AliasName)).toEqual(['alias/durable'])
    expect(await kms.send(new GetKeyRotationStatusCommand({ KeyId: sym.KeyId }))).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 90 })
    const gone = (await kms.send(new DescribeKeyCommand({ KeyId: doomed.KeyId }))).KeyMetadata!
    expect(gone.KeyState).toBe('PendingDeletion')
    expect(gone.DeletionDate!.getTime()).toBe(del.DeletionDate!.getTime())

    expect(dec((await kms.send(new DecryptCommand({ CiphertextBlob: ct0, EncryptionContext: ctx }))).Plaintext)).toBe('v0')
    expect(Buffer.from((await kms.send(new GetPublicKeyCommand({ KeyId: sig.KeyId }))).PublicKey!).equals(Buffer.from(pub0))).toBe(true)
    expect((await kms.send(new VerifyCommand({ KeyId: sig.KeyId, Message: enc.encode('m'), Signature: signature, SigningAlgorithm: 'ECDSA_SHA_256' }))).SignatureValid).toBe(true)
    expect((await kms.send(new VerifyMacCommand({ KeyId: mac.KeyId, Message: enc.encode('m'), Mac: tag, MacAlgorithm: 'HMAC_SHA_384' }))).MacValid).toBe(true)

    // rotate on demand, then by schedule (the clock moves; the job runs as the scheduler would)
    await kms.send(new RotateKeyOnDemandCommand({ KeyId: sym.KeyId }))
    const ct1 = (await kms.send(new EncryptCommand({ KeyId: sym.KeyId, Plaintext: enc.encode('v1'), EncryptionContext: ctx }))).CiphertextBlob!
    t.clock.advance(91 * DAY)
    expect(await t.services.kms.jobs.rotateDueKeys()).toBeGreaterThanOrEqual(1)
    // the client signs with real time; keep the server clock within SigV4's 5 minutes of it
    t.clock.set(Date.now())
    const ct2 = (await kms.send(new EncryptCommand({ KeyId: sym.KeyId, Plaintext: enc.encode('v2'), EncryptionContext: ctx }))).CiphertextBlob!

    await restart()

    const rotations = await kms.send(new ListKeyRotationsCommand({ KeyId: sym.KeyId }))
    expect(rotations.Rotations!.map((r) => r.RotationType)).toEqual(['ON_DEMAND', 'AUTOMATIC'])
    for (const [ct, want] of [
      [ct0, 'v0'],
      [ct1, 'v1'],
      [ct2, 'v2'],
    ] as const) {
      expect(dec((await kms.send(new DecryptCommand({ CiphertextBlob: ct, EncryptionContext: ctx }))).Plaintext)).toBe(want)
    }
    // after restart the deletion job still deletes the key when its day comes
    t.clock.advance(8 * DAY)
    expect(await t.services.kms.jobs.deleteDueKeys()).toBeGreaterThanOrEqual(1)
    t.clock.set(Date.now())
    const e = await kms.send(new DescribeKeyCommand({ KeyId: doomed.KeyId })).catch((err: Error) => err)
    expect((e as Error).name).toBe('NotFoundException')
  })
})
