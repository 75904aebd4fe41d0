import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HEADER_LENGTH } from '../../../../src/kms/ciphertext.ts'
import { createAlias } from '../../../../src/kms/keys/aliases.ts'
import { scheduleKeyDeletion } from '../../../../src/kms/keys/deletion.ts'
import { describeKey, disableKey } from '../../../../src/kms/keys/lifecycle.ts'
import { rotateKeyOnDemand } from '../../../../src/kms/keys/rotation.ts'
import { decrypt, encrypt, generateDataKey, generateDataKeyWithoutPlaintext, generateRandom, reEncrypt } from '../../../../src/kms/ops/symmetric.ts'
import type { KeyMetadata } from '../../../../src/kms/types.ts'
import { type TestKms, caller, createTestKms, otherCaller, rejection, utf8 } from '../../../support/kms.ts'

let t: TestKms
let key: KeyMetadata
let other: KeyMetadata
beforeAll(async () => {
  t = await createTestKms()
  key = await t.createKey()
  other = await t.createKey()
  await createAlias(t.ctx, caller, { aliasName: 'alias/app', targetKeyId: key.keyId })
})
afterAll(async () => {
  await t.dispose()
})

const enc = (keyId: string, plaintext: Uint8Array, encryptionContext?: Record<string, string>) =>
  encrypt(t.ctx, caller, { keyId, plaintext, encryptionContext })
const dec = (ciphertextBlob: Uint8Array, encryptionContext?: Record<string, string>, keyId?: string) =>
  decrypt(t.ctx, caller, { ciphertextBlob, encryptionContext, keyId })

describe('Encrypt / Decrypt', () => {
  it('round-trips and answers with the key ARN, the algorithm and the material id', async () => {
    const out = await enc(key.keyId, utf8('hello'), { app: 'x' })
    expect(out.keyId).toBe(key.arn)
    expect(out.encryptionAlgorithm).toBe('SYMMETRIC_DEFAULT')
    const back = await dec(out.ciphertextBlob, { app: 'x' })
    expect(back.plaintext).toEqual(utf8('hello'))
    expect(back.keyId).toBe(key.arn)
    expect(back.encryptionAlgorithm).toBe('SYMMETRIC_DEFAULT')
    expect(back.keyMaterialId).toBe(key.currentKeyMaterialId)
  })

  it('accepts every form of KeyId, on Encrypt and as a matching Decrypt KeyId', async () => {
    const alias = 'alias/app'
    const aliasArn = `arn:aws:kms:us-east-1:111111111111:${alias}`
    for (const id of [key.keyId, key.arn, alias, aliasArn]) {
      const { ciphertextBlob } = await enc(id, utf8('v'))
      expect((await dec(ciphertextBlob, undefined, id)).plaintext).toEqual(utf8('v'))
    }
  })

  it('refuses a Decrypt KeyId naming another key with IncorrectKeyException', async () => {
    const { ciphertextBlob } = await enc(key.keyId, utf8('v'))
    expect(await rejection(dec(ciphertextBlob, undefined, other.keyId))).toEqual({
      code: 'IncorrectKey',
      message: 'The key ID in the request does not identify a CMK that can perform this operation.',
    })
  })

  it('answers InvalidCiphertext (empty message) for a wrong, missing or extra context', async () => {
    const { ciphertextBlob } = await enc(key.keyId, utf8('v'), { a: '1', b: '2' })
    for (const wrong of [undefined, {}, { a: '1' }, { a: '1', b: '3' }, { a: '1', b: '2', c: '3' }, { A: '1', b: '2' }] as (Record<string, string> | undefined)[]) {
      expect(await rejection(dec(ciphertextBlob, wrong))).toEqual({ code: 'InvalidCiphertext', message: '' })
    }
    expect((await dec(ciphertextBlob, { b: '2', a: '1' })).plaintext).toEqual(utf8('v'))
    const bare = (await enc(key.keyId, utf8('v'))).ciphertextBlob
    expect(await rejection(dec(bare, { a: '1' }))).toEqual({ code: 'InvalidCiphertext', message: '' })
  })

  it('answers InvalidCiphertext for truncated, foreign, garbage and unknown-version blobs', async () => {
    const { ciphertextBlob } = await enc(key.keyId, utf8('some plaintext'))
    for (const n of [1, HEADER_LENGTH, HEADER_LENGTH + 16, ciphertextBlob.length - 1]) {
      expect((await rejection(dec(ciphertextBlob.slice(0, n)))).code).toBe('InvalidCiphertext')
    }
    // Names a key that does not exist.
    const unknown = ciphertextBlob.slice()
    unknown.set(utf8('00000000-0000-4000-8000-000000000000'), 1)
    expect(await rejection(dec(unknown))).toEqual({ code: 'InvalidCiphertext', message: '' })
    // Names a material version the key does not have.
    const version = ciphertextBlob.slice()
    version[1 + 36 + 3] = 9
    expect(await rejection(dec(version))).toEqual({ code: 'InvalidCiphertext', message: '' })
    // Another key's blob relabelled with this key's id.
    const moved = (await enc(other.keyId, utf8('some plaintext'))).ciphertextBlob
    moved.set(utf8(key.keyId), 1)
    expect(await rejection(dec(moved))).toEqual({ code: 'InvalidCiphertext', message: '' })
    expect((await rejection(dec(utf8('not a ciphertext blob at all, just text that is long enough to parse.......')))).code).toBe('InvalidCiphertext')
  })

  it('rejects every single-byte change of a blob', async () => {
    const { ciphertextBlob } = await enc(key.keyId, utf8('thirty-two bytes of plaintext!!!'), { k: 'v' })
    for (let i = 0; i < ciphertextBlob.length; i++) {
      for (const x of [0x01, 0x80]) {
        const bad = ciphertextBlob.slice()
        bad[i] ^= x
        expect(await rejection(dec(bad, { k: 'v' })), `byte ${i} ^ ${x}`).toEqual({ code: 'InvalidCiphertext', message: '' })
      }
    }
  })

  it('property: random plaintexts and contexts round-trip; any mutation fails', async () => {
    const context = fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), fc.string({ maxLength: 40 }), { maxKeys: 5 })
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 4096 }), context, fc.nat(), fc.integer({ min: 1, max: 255 }), async (pt, c, at, x) => {
        const { ciphertextBlob } = await enc(key.keyId, pt, c)
        expect((await dec(ciphertextBlob, c)).plaintext).toEqual(pt)
        const bad = ciphertextBlob.slice()
        bad[at % bad.length] ^= x
        expect((await rejection(dec(bad, c))).code).toBe('InvalidCiphertext')
      }),
      { numRuns: 60 },
    )
  })

  it('keeps decrypting old ciphertexts after rotation and encrypts under the new material', async () => {
    const k = await t.createKey()
    const old = (await enc(k.keyId, utf8('before'))).ciphertextBlob
    await rotateKeyOnDemand(t.ctx, caller, { keyId: k.keyId })
    const now = (await describeKey(t.ctx, caller, { keyId: k.keyId })).keyMetadata
    expect(now.currentKeyMaterialId).not.toBe(k.currentKeyMaterialId)
    const fresh = await enc(k.keyId, utf8('after'))
    expect(new DataView(fresh.ciphertextBlob.buffer).getUint32(37)).toBe(2)
    const a = await dec(old)
    expect(a.plaintext).toEqual(utf8('before'))
    expect(a.keyMaterialId).toBe(k.currentKeyMaterialId)
    const b = await dec(fresh.ciphertextBlob)
    expect(b.keyMaterialId).toBe(now.currentKeyMaterialId)
  })

  it('validates Plaintext size with AWS wording and never echoes the plaintext', async () => {
    const big = await rejection(enc(key.keyId, utf8('s3cret'.repeat(700))))
    expect(big.code).toBe('Validation')
    expect(big.message).toContain("at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096")
    expect(big.message).not.toContain('s3cret')
    expect((await rejection(enc(key.keyId, new Uint8Array(0)))).code).toBe('Validation')
    expect((await rejection(encrypt(t.ctx, caller, { keyId: key.keyId } as never))).code).toBe('Validation')
    expect((await enc(key.keyId, new Uint8Array(4096))).ciphertextBlob.length).toBeLessThanOrEqual(6144)
    expect((await rejection(dec(new Uint8Array(6145)))).code).toBe('Validation')
    expect((await rejection(encrypt(t.ctx, caller, { keyId: key.keyId, plaintext: utf8('x'), encryptionAlgorithm: 'AES' }))).code).toBe('Validation')
    expect((await rejection(encrypt(t.ctx, caller, { keyId: key.keyId, plaintext: utf8('x'), grantTokens: Array(11).fill('t') }))).code).toBe('Validation')
    expect((await rejection(enc(key.keyId, utf8('x'), { k: 'v'.repeat(9000) }))).code).toBe('Validation')
  })

  it('refuses keys of other usages and asymmetric algorithms on a symmetric key', async () => {
    const signing = await t.createKey({ keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY' })
    expect(await rejection(enc(signing.keyId, utf8('x')))).toEqual({
      code: 'InvalidKeyUsage',
      message: `${signing.arn} key usage is SIGN_VERIFY which is not valid for Encrypt.`,
    })
    const mac = await t.createKey({ keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC' })
    expect((await rejection(generateDataKey(t.ctx, caller, { keyId: mac.keyId, keySpec: 'AES_256' }))).message).toBe(
      `${mac.arn} key usage is GENERATE_VERIFY_MAC which is not valid for GenerateDataKey.`,
    )
    expect(await rejection(encrypt(t.ctx, caller, { keyId: key.keyId, plaintext: utf8('x'), encryptionAlgorithm: 'RSAES_OAEP_SHA_256' }))).toEqual({
      code: 'InvalidKeyUsage',
      message: 'Algorithm RSAES_OAEP_SHA_256 is incompatible with key spec SYMMETRIC_DEFAULT.',
    })
  })

  it('follows the key-state table', async () => {
    const k = await t.createKey()
    const blob = (await enc(k.keyId, utf8('x'))).ciphertextBlob
    await disableKey(t.ctx, caller, { keyId: k.keyId })
    const disabled = { code: 'Disabled', message: `${k.arn} is disabled.` }
    expect(await rejection(enc(k.keyId, utf8('x')))).toEqual(disabled)
    expect(await rejection(dec(blob))).toEqual(disabled)
    expect(await rejection(generateDataKey(t.ctx, caller, { keyId: k.keyId, numberOfBytes: 8 }))).toEqual(disabled)
    expect(await rejection(reEncrypt(t.ctx, caller, { ciphertextBlob: blob, destinationKeyId: key.keyId }))).toEqual(disabled)
    const d = await t.createKey()
    const dBlob = (await enc(d.keyId, utf8('x'))).ciphertextBlob
    await scheduleKeyDeletion(t.ctx, caller, { keyId: d.keyId, pendingWindowInDays: 7 })
    expect(await rejection(dec(dBlob))).toEqual({ code: 'InvalidState', message: `${d.arn} is pending deletion.` })
    expect(await rejection(enc(d.keyId, utf8('x')))).toEqual({ code: 'InvalidState', message: `${d.arn} is pending deletion.` })
    const ext = await t.createKey({ origin: 'EXTERNAL' })
    expect(await rejection(enc(ext.keyId, utf8('x')))).toEqual({ code: 'InvalidState', message: `${ext.arn} is pending import.` })
  })

  it('leaves cross-account use to the authorizer', async () => {
    const { ciphertextBlob } = await enc(key.keyId, utf8('x'))
    expect((await rejection(decrypt(t.ctx, otherCaller, { ciphertextBlob }))).code).toBe('AccessDenied')
    expect((await rejection(encrypt(t.ctx, otherCaller, { keyId: key.arn, plaintext: utf8('x') }))).code).toBe('AccessDenied')
  })

  it('answers DryRun after authorization and validation', async () => {
    const dry = { code: 'DryRun', message: 'The request would have succeeded, but the DryRun option is set.' }
    const { ciphertextBlob } = await enc(key.keyId, utf8('x'))
    expect(await rejection(encrypt(t.ctx, caller, { keyId: key.keyId, plaintext: utf8('x'), dryRun: true }))).toEqual(dry)
    expect(await rejection(decrypt(t.ctx, caller, { ciphertextBlob, dryRun: true }))).toEqual(dry)
    expect(await rejection(decrypt(t.ctx, caller, { keyId: key.keyId, dryRun: true, dryRunModifiers: ['IGNORE_CIPHERTEXT'] }))).toEqual(dry)
    expect(await rejection(reEncrypt(t.ctx, caller, { ciphertextBlob, destinationKeyId: other.keyId, dryRun: true }))).toEqual(dry)
    expect(await rejection(generateDataKey(t.ctx, caller, { keyId: key.keyId, keySpec: 'AES_256', dryRun: true }))).toEqual(dry)
    expect(await rejection(generateDataKeyWithoutPlaintext(t.ctx, caller, { keyId: key.keyId, keySpec: 'AES_256', dryRun: true }))).toEqual(dry)
    // A dry run still fails what would fail.
    expect((await rejection(encrypt(t.ctx, otherCaller, { keyId: key.arn, plaintext: utf8('x'), dryRun: true }))).code).toBe('AccessDenied')
    expect((await rejection(decrypt(t.ctx, caller, { ciphertextBlob, encryptionContext: { a: 'b' }, dryRun: true }))).code).toBe('InvalidCiphertext')
  })
})

describe('ReEncrypt', () => {
  it('moves a ciphertext between keys and contexts', async () => {
    const { ciphertextBlob } = await enc(key.keyId, utf8('payload'), { from: '1' })
    const out = await reEncrypt(t.ctx, caller, {
      ciphertextBlob,
      sourceEncryptionContext: { from: '1' },
      destinationKeyId: 'alias/app',
      destinationEncryptionContext: { to: '2' },
    })
    expect(out).toMatchObject({ sourceKeyId: key.arn, keyId: key.arn, sourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT', destinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT' })
    expect(out.sourceKeyMaterialId).toBe(key.currentKeyMaterialId)
    expect((await dec(out.ciphertextBlob, { to: '2' })).plaintext).toEqual(utf8('payload'))
    expect((await rejection(dec(out.ciphertextBlob, { from: '1' }))).code).toBe('InvalidCiphertext')

    const moved = await reEncrypt(t.ctx, caller, { ciphertextBlob: out.ciphertextBlob, sourceEncryptionContext: { to: '2' }, sourceKeyId: key.arn, destinationKeyId: other.keyId })
    expect(moved.keyId).toBe(other.arn)
    expect(moved.destinationKeyMaterialId).toBe(other.currentKeyMaterialId)
    expect((await dec(moved.ciphertextBlob, undefined, other.keyId)).plaintext).toEqual(utf8('payload'))
  })

  it('refuses a wrong source context, a mismatched SourceKeyId and a missing destination', async () => {
    const { ciphertextBlob } = await enc(key.keyId, utf8('payload'), { from: '1' })
    expect(await rejection(reEncrypt(t.ctx, caller, { ciphertextBlob, destinationKeyId: other.keyId }))).toEqual({ code: 'InvalidCiphertext', message: '' })
    expect((await rejection(reEncrypt(t.ctx, caller, { ciphertextBlob, sourceEncryptionContext: { from: '1' }, sourceKeyId: other.keyId, destinationKeyId: other.keyId }))).code).toBe(
      'IncorrectKey',
    )
    expect((await rejection(reEncrypt(t.ctx, caller, { ciphertextBlob } as never))).code).toBe('Validation')
    expect((await rejection(reEncrypt(t.ctx, otherCaller, { ciphertextBlob, sourceEncryptionContext: { from: '1' }, destinationKeyId: key.arn }))).code).toBe('AccessDenied')
  })

  it('asks the authorizer for ReEncryptFrom on the source and ReEncryptTo on the destination', async () => {
    const seen: { action: string; key?: string; grantOperation?: string }[] = []
    const ctx = { ...t.ctx, authorizer: { authorize: (r: { action: string; key?: { id: string }; grantOperation?: string }) => void seen.push({ action: r.action, key: r.key?.id, grantOperation: r.grantOperation }) } }
    const { ciphertextBlob } = await enc(key.keyId, utf8('x'))
    await reEncrypt(ctx, caller, { ciphertextBlob, destinationKeyId: other.keyId })
    expect(seen).toEqual([
      { action: 'kms:ReEncryptFrom', key: key.keyId, grantOperation: 'ReEncryptFrom' },
      { action: 'kms:ReEncryptTo', key: other.keyId, grantOperation: 'ReEncryptTo' },
    ])
  })
})

describe('GenerateDataKey', () => {
  it('property: CiphertextBlob decrypts to Plaintext, with the context', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.record({ keySpec: fc.constantFrom('AES_256', 'AES_128') }), fc.record({ numberOfBytes: fc.integer({ min: 1, max: 1024 }) })),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
        async (size, context) => {
          const out = await generateDataKey(t.ctx, caller, { keyId: key.keyId, encryptionContext: context, ...size })
          const expected = 'keySpec' in size ? (size.keySpec === 'AES_256' ? 32 : 16) : size.numberOfBytes
          expect(out.plaintext.length).toBe(expected)
          expect(out.keyId).toBe(key.arn)
          expect(out.keyMaterialId).toBe(key.currentKeyMaterialId)
          expect((await dec(out.ciphertextBlob, context)).plaintext).toEqual(out.plaintext)
        },
      ),
      { numRuns: 40 },
    )
  })

  it('WithoutPlaintext returns only the ciphertext, which decrypts', async () => {
    const out = await generateDataKeyWithoutPlaintext(t.ctx, caller, { keyId: key.keyId, keySpec: 'AES_128', encryptionContext: { a: 'b' } })
    expect(Object.keys(out).sort()).toEqual(['ciphertextBlob', 'keyId', 'keyMaterialId'])
    expect((await dec(out.ciphertextBlob, { a: 'b' })).plaintext.length).toBe(16)
  })

  it('validates KeySpec xor NumberOfBytes', async () => {
    const gdk = (input: Record<string, unknown>) => generateDataKey(t.ctx, caller, { keyId: key.keyId, ...input })
    const either = { code: 'Validation', message: 'Please specify either number of bytes or key spec.' }
    expect(await rejection(gdk({}))).toEqual(either)
    expect(await rejection(gdk({ keySpec: 'AES_256', numberOfBytes: 32 }))).toEqual(either)
    expect(await rejection(generateDataKeyWithoutPlaintext(t.ctx, caller, { keyId: key.keyId }))).toEqual(either)
    expect((await rejection(gdk({ keySpec: 'AES_512' }))).message).toContain('Member must satisfy enum value set: [AES_256, AES_128]')
    expect((await rejection(gdk({ numberOfBytes: 0 }))).message).toContain("at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1")
    expect((await rejection(gdk({ numberOfBytes: 1025 }))).message).toContain('Member must have value less than or equal to 1024')
    expect((await rejection(gdk({ keySpec: 'AES_256', recipient: { attestationDocument: new Uint8Array(1) } }))).code).toBe('UnsupportedOperation')
  })
})

describe('GenerateRandom', () => {
  it('returns the number of bytes asked for', async () => {
    for (const n of [1, 32, 1024]) expect((await generateRandom(t.ctx, caller, { numberOfBytes: n })).plaintext.length).toBe(n)
    const a = (await generateRandom(t.ctx, caller, { numberOfBytes: 32 })).plaintext
    const b = (await generateRandom(t.ctx, caller, { numberOfBytes: 32 })).plaintext
    expect(a).not.toEqual(b)
  })

  it('validates its input as AWS does', async () => {
    expect(await rejection(generateRandom(t.ctx, caller, {}))).toEqual({ code: 'Validation', message: 'NumberOfBytes is required.' })
    expect((await rejection(generateRandom(t.ctx, caller, { numberOfBytes: 0 }))).code).toBe('Validation')
    expect((await rejection(generateRandom(t.ctx, caller, { numberOfBytes: 1025 }))).code).toBe('Validation')
    expect((await rejection(generateRandom(t.ctx, caller, { numberOfBytes: 8, customKeyStoreId: 'cks-1234' }))).code).toBe('UnsupportedOperation')
    expect((await rejection(generateRandom(t.ctx, caller, { numberOfBytes: 8, recipient: {} }))).code).toBe('UnsupportedOperation')
  })
})
