import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type KmsHarness, caller, createKmsHarness, utf8 } from '../../support/kms-core.ts'
import { KeyStore } from '../../../src/kms/keys/key-store.ts'
import { rawDatabaseBytes } from '../../support/db.ts'

let h: KmsHarness
beforeEach(async () => {
  h = await createKmsHarness()
})
afterEach(async () => {
  await h.dispose()
})

const contains = (hay: Buffer, needle: Uint8Array) => hay.includes(Buffer.from(needle)) || hay.includes(Buffer.from(Buffer.from(needle).toString('base64'))) || hay.includes(Buffer.from(Buffer.from(needle).toString('hex')))

describe('persistence', () => {
  it('keeps every key, alias, tag and material version across a restart', async () => {
    const specs = [
      { keySpec: 'SYMMETRIC_DEFAULT' },
      { keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC' },
      { keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY' },
      { keySpec: 'RSA_2048', keyUsage: 'ENCRYPT_DECRYPT' },
    ]
    const ids: string[] = []
    for (const s of specs) ids.push((await h.kms.createKey(caller, { ...s, tags: [{ tagKey: 'k', tagValue: s.keySpec }] })).keyMetadata.keyId)
    await h.kms.createAlias(caller, { aliasName: 'alias/sym', targetKeyId: ids[0] })
    const blob = (await h.kms.encrypt(caller, { keyId: 'alias/sym', plaintext: utf8('survives'), encryptionContext: { app: 'x' } })).ciphertextBlob
    await h.kms.rotateKeyOnDemand(caller, { keyId: ids[0] })
    const sig = (await h.kms.sign(caller, { keyId: ids[2], message: utf8('m'), signingAlgorithm: 'ECDSA_SHA_256' })).signature
    const mac = (await h.kms.generateMac(caller, { keyId: ids[1], message: utf8('m'), macAlgorithm: 'HMAC_SHA_256' })).mac
    const before = await Promise.all(ids.map(async (keyId) => (await h.kms.describeKey(caller, { keyId })).keyMetadata))

    const kms = await h.restart()
    const after = await Promise.all(ids.map(async (keyId) => (await kms.describeKey(caller, { keyId })).keyMetadata))
    expect(after).toEqual(before)
    expect((await kms.listAliases(caller, {})).aliases.map((a) => a.aliasName)).toEqual(['alias/sym'])
    expect((await kms.listResourceTags(caller, { keyId: ids[3] })).tags).toEqual([{ tagKey: 'k', tagValue: 'RSA_2048' }])
    expect((await kms.decrypt(caller, { ciphertextBlob: blob, encryptionContext: { app: 'x' } })).plaintext).toEqual(utf8('survives'))
    expect((await kms.verify(caller, { keyId: ids[2], message: utf8('m'), signature: sig, signingAlgorithm: 'ECDSA_SHA_256' })).signatureValid).toBe(true)
    expect((await kms.verifyMac(caller, { keyId: ids[1], message: utf8('m'), mac, macAlgorithm: 'HMAC_SHA_256' })).macValid).toBe(true)
    expect((await kms.listKeyRotations(caller, { keyId: ids[0] })).rotations).toHaveLength(1)
  })

  it('stores no key material and no plaintext in the database', async () => {
    const { keyId } = (await h.kms.createKey(caller, {})).keyMetadata
    const hmacKey = (await h.kms.createKey(caller, { keySpec: 'HMAC_512', keyUsage: 'GENERATE_VERIFY_MAC' })).keyMetadata.keyId
    const plaintext = utf8('the plaintext that must never be stored 0123456789')
    await h.kms.encrypt(caller, { keyId, plaintext })
    const dk = await h.kms.generateDataKey(caller, { keyId, keySpec: 'AES_256' })
    // The unwrapped material, read through the core's own store, must not appear in the stored bytes.
    const ks = new KeyStore(h.db.db, h.seal, h.clock)
    const materials = [await ks.material(keyId, 1), await ks.material(hmacKey, 1)]
    const raw = await rawDatabaseBytes(h.db)
    expect(raw.length).toBeGreaterThan(0)
    expect(contains(raw, plaintext)).toBe(false)
    expect(contains(raw, dk.plaintext!)).toBe(false)
    for (const m of materials) {
      expect(m).toBeDefined()
      expect(contains(raw, m!)).toBe(false)
    }
  })
})
