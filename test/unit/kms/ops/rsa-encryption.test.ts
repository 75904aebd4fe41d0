import { constants, createPublicKey, publicEncrypt } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getPublicKey } from '../../../../src/kms/ops/asymmetric.ts'
import { decrypt, encrypt, generateDataKey, reEncrypt } from '../../../../src/kms/ops/symmetric.ts'
import type { KeyMetadata } from '../../../../src/kms/types.ts'
import { type TestKms, caller, createTestKms, rejection, utf8 } from '../../../support/kms.ts'

// AWS: RSAES-OAEP plaintext caps (SHA-1 / SHA-256).
const CAPS: Record<string, Record<string, number>> = {
  RSA_2048: { RSAES_OAEP_SHA_1: 214, RSAES_OAEP_SHA_256: 190 },
  RSA_3072: { RSAES_OAEP_SHA_1: 342, RSAES_OAEP_SHA_256: 318 },
  RSA_4096: { RSAES_OAEP_SHA_1: 470, RSAES_OAEP_SHA_256: 446 },
}

let t: TestKms
const rsa: Record<string, KeyMetadata> = {}
let symmetric: KeyMetadata
beforeAll(async () => {
  t = await createTestKms()
  symmetric = await t.createKey()
  await Promise.all(Object.keys(CAPS).map(async (s) => (rsa[s] = await t.createKey({ keySpec: s, keyUsage: 'ENCRYPT_DECRYPT' }))))
})
afterAll(async () => {
  await t.dispose()
})

describe('RSA Encrypt / Decrypt', () => {
  it('round-trips at the AWS plaintext caps and refuses one byte more', async () => {
    for (const [spec, caps] of Object.entries(CAPS)) {
      const key = rsa[spec]
      for (const [alg, cap] of Object.entries(caps)) {
        const plaintext = new Uint8Array(cap).fill(7)
        const out = await encrypt(t.ctx, caller, { keyId: key.keyId, plaintext, encryptionAlgorithm: alg })
        expect(out).toMatchObject({ keyId: key.arn, encryptionAlgorithm: alg })
        expect(out.ciphertextBlob.length).toBe(Number(spec.slice(4)) / 8)
        const back = await decrypt(t.ctx, caller, { ciphertextBlob: out.ciphertextBlob, keyId: key.arn, encryptionAlgorithm: alg })
        expect(back).toEqual({ keyId: key.arn, plaintext, encryptionAlgorithm: alg })
        const over = await rejection(encrypt(t.ctx, caller, { keyId: key.keyId, plaintext: new Uint8Array(cap + 1), encryptionAlgorithm: alg }))
        expect(over.code).toBe('Validation')
      }
    }
  })

  it('decrypts what was encrypted outside with the GetPublicKey key', async () => {
    const key = rsa.RSA_2048
    const { publicKey } = await getPublicKey(t.ctx, caller, { keyId: key.keyId })
    expect((await getPublicKey(t.ctx, caller, { keyId: key.keyId })).encryptionAlgorithms).toEqual(['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'])
    const pub = createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' })
    for (const [alg, oaepHash] of [['RSAES_OAEP_SHA_1', 'sha1'], ['RSAES_OAEP_SHA_256', 'sha256']]) {
      const ct = publicEncrypt({ key: pub, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, utf8('from outside'))
      const back = await decrypt(t.ctx, caller, { ciphertextBlob: new Uint8Array(ct), keyId: key.keyId, encryptionAlgorithm: alg })
      expect(back.plaintext).toEqual(utf8('from outside'))
    }
  })

  it('answers AWS errors for asymmetric misuse', async () => {
    const key = rsa.RSA_2048
    const { ciphertextBlob } = await encrypt(t.ctx, caller, { keyId: key.keyId, plaintext: utf8('x'), encryptionAlgorithm: 'RSAES_OAEP_SHA_256' })
    // The default SYMMETRIC_DEFAULT on an RSA key, or an RSA algorithm on a symmetric key.
    expect(await rejection(encrypt(t.ctx, caller, { keyId: key.keyId, plaintext: utf8('x') }))).toEqual({
      code: 'InvalidKeyUsage',
      message: 'Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.',
    })
    expect((await rejection(decrypt(t.ctx, caller, { ciphertextBlob, keyId: key.keyId }))).code).toBe('InvalidKeyUsage')
    expect((await rejection(encrypt(t.ctx, caller, { keyId: key.keyId, plaintext: utf8('x'), encryptionAlgorithm: 'SM2PKE' }))).code).toBe('InvalidKeyUsage')
    // A context is for symmetric keys only.
    expect((await rejection(encrypt(t.ctx, caller, { keyId: key.keyId, plaintext: utf8('x'), encryptionAlgorithm: 'RSAES_OAEP_SHA_256', encryptionContext: { a: 'b' } }))).code).toBe('Validation')
    expect((await rejection(decrypt(t.ctx, caller, { ciphertextBlob, keyId: key.keyId, encryptionAlgorithm: 'RSAES_OAEP_SHA_256', encryptionContext: { a: 'b' } }))).code).toBe(
      'Validation',
    )
    // Without KeyId an RSA ciphertext names no key.
    expect((await rejection(decrypt(t.ctx, caller, { ciphertextBlob, encryptionAlgorithm: 'RSAES_OAEP_SHA_256' }))).code).toBe('Validation')
    expect(await rejection(decrypt(t.ctx, caller, { ciphertextBlob }))).toEqual({ code: 'InvalidCiphertext', message: '' })
    // Wrong OAEP hash, tampering, another key's ciphertext.
    expect(await rejection(decrypt(t.ctx, caller, { ciphertextBlob, keyId: key.keyId, encryptionAlgorithm: 'RSAES_OAEP_SHA_1' }))).toEqual({ code: 'InvalidCiphertext', message: '' })
    const bad = ciphertextBlob.slice()
    bad[10] ^= 1
    expect(await rejection(decrypt(t.ctx, caller, { ciphertextBlob: bad, keyId: key.keyId, encryptionAlgorithm: 'RSAES_OAEP_SHA_256' }))).toEqual({ code: 'InvalidCiphertext', message: '' })
    expect((await rejection(decrypt(t.ctx, caller, { ciphertextBlob, keyId: rsa.RSA_3072.keyId, encryptionAlgorithm: 'RSAES_OAEP_SHA_256' }))).code).toBe('InvalidCiphertext')
    // Data keys need a symmetric key.
    expect(await rejection(generateDataKey(t.ctx, caller, { keyId: key.keyId, keySpec: 'AES_256' }))).toEqual({
      code: 'InvalidKeyUsage',
      message: `${key.arn} key spec is RSA_2048 which is not valid for GenerateDataKey.`,
    })
    expect((await rejection(encrypt(t.ctx, caller, { keyId: key.keyId, plaintext: utf8('x'), encryptionAlgorithm: 'RSAES_OAEP_SHA_256', dryRun: true }))).code).toBe('DryRun')
  })

  it('re-encrypts between RSA and symmetric keys', async () => {
    const key = rsa.RSA_3072
    const { ciphertextBlob } = await encrypt(t.ctx, caller, { keyId: key.keyId, plaintext: utf8('secret'), encryptionAlgorithm: 'RSAES_OAEP_SHA_1' })
    const toSym = await reEncrypt(t.ctx, caller, {
      ciphertextBlob,
      sourceKeyId: key.arn,
      sourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
      destinationKeyId: symmetric.keyId,
      destinationEncryptionContext: { c: 'd' },
    })
    expect(toSym).toMatchObject({ sourceKeyId: key.arn, keyId: symmetric.arn, sourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_1', destinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT' })
    expect(toSym.sourceKeyMaterialId).toBeUndefined()
    const back = await reEncrypt(t.ctx, caller, {
      ciphertextBlob: toSym.ciphertextBlob,
      sourceEncryptionContext: { c: 'd' },
      destinationKeyId: rsa.RSA_4096.keyId,
      destinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
    })
    expect(back.keyId).toBe(rsa.RSA_4096.arn)
    const plain = await decrypt(t.ctx, caller, { ciphertextBlob: back.ciphertextBlob, keyId: rsa.RSA_4096.keyId, encryptionAlgorithm: 'RSAES_OAEP_SHA_256' })
    expect(plain.plaintext).toEqual(utf8('secret'))
    // A plaintext over the destination's cap, or a context for an RSA destination.
    const big = await encrypt(t.ctx, caller, { keyId: symmetric.keyId, plaintext: new Uint8Array(300) })
    expect((await rejection(reEncrypt(t.ctx, caller, { ciphertextBlob: big.ciphertextBlob, destinationKeyId: rsa.RSA_2048.keyId, destinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }))).code).toBe(
      'Validation',
    )
    expect(
      (await rejection(reEncrypt(t.ctx, caller, { ciphertextBlob: big.ciphertextBlob, destinationKeyId: key.keyId, destinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', destinationEncryptionContext: { a: 'b' } })))
        .code,
    ).toBe('Validation')
  })
})
