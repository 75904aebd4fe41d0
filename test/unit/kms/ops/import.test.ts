import { constants, createDecipheriv, createHmac, createPublicKey, generateKeyPairSync, hkdfSync, publicEncrypt, verify as nodeVerify } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MS, randomBytes } from '../../../../src/core/index.ts'
import { HEADER_LENGTH } from '../../../../src/kms/ciphertext.ts'
import { scheduleKeyDeletion } from '../../../../src/kms/keys/deletion.ts'
import { deleteImportedKeyMaterial, expireImportedMaterial, getParametersForImport, importKeyMaterial } from '../../../../src/kms/keys/import.ts'
import { describeKey, disableKey } from '../../../../src/kms/keys/lifecycle.ts'
import { generateMac, getPublicKey, sign } from '../../../../src/kms/ops/asymmetric.ts'
import { decrypt, encrypt } from '../../../../src/kms/ops/symmetric.ts'
import type { KeyMetadata } from '../../../../src/kms/types.ts'
import { rawDatabaseBytes } from '../../../support/db.ts'
import { type TestKms, caller, createTestKms, otherCaller, rejection, utf8 } from '../../../support/kms.ts'

let t: TestKms
beforeAll(async () => {
  t = await createTestKms()
})
afterAll(async () => {
  await t.dispose()
})

const OAEP_HASH = { RSAES_OAEP_SHA_1: 'sha1', RSAES_OAEP_SHA_256: 'sha256' } as const
type Wrapping = keyof typeof OAEP_HASH

/** GetParametersForImport, then wraps `material` under the returned public key as a client would. */
async function wrapFor(keyId: string, material: Uint8Array, wrappingAlgorithm: Wrapping = 'RSAES_OAEP_SHA_256', wrappingKeySpec = 'RSA_2048', hashOverride?: string) {
  const params = await getParametersForImport(t.ctx, caller, { keyId, wrappingAlgorithm, wrappingKeySpec })
  const pub = createPublicKey({ key: Buffer.from(params.publicKey), format: 'der', type: 'spki' })
  const encryptedKeyMaterial = new Uint8Array(publicEncrypt({ key: pub, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hashOverride ?? OAEP_HASH[wrappingAlgorithm] }, material))
  return { params, importToken: params.importToken, encryptedKeyMaterial }
}

async function importForever(keyId: string, material: Uint8Array) {
  const { importToken, encryptedKeyMaterial } = await wrapFor(keyId, material)
  return importKeyMaterial(t.ctx, caller, { keyId, importToken, encryptedKeyMaterial, expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })
}

const describeIt = async (k: KeyMetadata) => (await describeKey(t.ctx, caller, { keyId: k.keyId })).keyMetadata

describe('import lifecycle', () => {
  it('imports symmetric material that then encrypts exactly as that material should', async () => {
    const key = await t.createKey({ origin: 'EXTERNAL' })
    expect(key.keyState).toBe('PendingImport')
    const material = randomBytes(32)
    const { params, importToken, encryptedKeyMaterial } = await wrapFor(key.keyId, material)
    expect(params.keyId).toBe(key.arn)
    expect(params.parametersValidTo.getTime()).toBe(t.clock.now() + 24 * MS.hour)
    const out = await importKeyMaterial(t.ctx, caller, { keyId: key.arn, importToken, encryptedKeyMaterial, expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })
    expect(out.keyId).toBe(key.arn)
    expect(out.keyMaterialId).toMatch(/^[0-9a-f]{64}$/)
    const m = await describeIt(key)
    expect(m).toMatchObject({ keyState: 'Enabled', enabled: true, expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', currentKeyMaterialId: out.keyMaterialId })
    expect(m.validTo).toBeUndefined()

    // Cross-check with node:crypto: the blob's message key is HKDF-SHA256(material, salt, "arca kms message key v1").
    const { ciphertextBlob } = await encrypt(t.ctx, caller, { keyId: key.keyId, plaintext: utf8('imported') })
    const salt = ciphertextBlob.subarray(41, 57)
    const iv = ciphertextBlob.subarray(57, 69)
    const messageKey = Buffer.from(hkdfSync('sha256', material, salt, 'arca kms message key v1', 32))
    const d = createDecipheriv('aes-256-gcm', messageKey, iv)
    d.setAAD(Buffer.concat([ciphertextBlob.subarray(0, HEADER_LENGTH), Buffer.alloc(4)]))
    d.setAuthTag(ciphertextBlob.subarray(ciphertextBlob.length - 16))
    const plain = Buffer.concat([d.update(ciphertextBlob.subarray(HEADER_LENGTH, ciphertextBlob.length - 16)), d.final()])
    expect(plain.toString()).toBe('imported')
    expect((await decrypt(t.ctx, caller, { ciphertextBlob })).keyMaterialId).toBe(out.keyMaterialId)

    // The import token is single-use; no plaintext material reaches the database.
    expect((await rejection(importKeyMaterial(t.ctx, caller, { keyId: key.keyId, importToken, encryptedKeyMaterial, expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }))).code).toBe(
      'InvalidImportToken',
    )
    expect((await rawDatabaseBytes(t.db)).includes(Buffer.from(material))).toBe(false)
  })

  it('expires material at ValidTo through the job, then takes back only the same material', async () => {
    const key = await t.createKey({ origin: 'EXTERNAL' })
    const material = randomBytes(32)
    const wrapped = await wrapFor(key.keyId, material, 'RSAES_OAEP_SHA_1', 'RSA_4096')
    const validTo = new Date(t.clock.now() + MS.day)
    await importKeyMaterial(t.ctx, caller, { keyId: key.keyId, ...wrapped, validTo, expirationModel: 'KEY_MATERIAL_EXPIRES' })
    expect(await describeIt(key)).toMatchObject({ keyState: 'Enabled', expirationModel: 'KEY_MATERIAL_EXPIRES', validTo })
    const { ciphertextBlob } = await encrypt(t.ctx, caller, { keyId: key.keyId, plaintext: utf8('before expiry'), encryptionContext: { a: 'b' } })

    t.clock.advance(MS.day - 1)
    expect(await expireImportedMaterial(t.ctx)).toBe(0)
    t.clock.advance(1)
    const before = t.events.length
    expect(await expireImportedMaterial(t.ctx)).toBe(1)
    expect(t.events.slice(before)).toEqual([
      { detailType: 'KMS Imported Key Material Expiration', account: '111111111111', region: 'us-east-1', resources: [key.arn], detail: { 'key-id': key.keyId } },
    ])
    expect(await expireImportedMaterial(t.ctx)).toBe(0)
    const expired = await describeIt(key)
    expect(expired.keyState).toBe('PendingImport')
    expect(expired.validTo).toBeUndefined()
    const pendingImport = { code: 'InvalidState', message: `${key.arn} is pending import.` }
    expect(await rejection(encrypt(t.ctx, caller, { keyId: key.keyId, plaintext: utf8('x') }))).toEqual(pendingImport)
    expect(await rejection(decrypt(t.ctx, caller, { ciphertextBlob, encryptionContext: { a: 'b' } }))).toEqual(pendingImport)
    const rows = await t.db.db.selectFrom('kms_key_material').select(['material', 'material_id']).where('key_id', '=', key.keyId).execute()
    expect(rows.map((r) => r.material.length)).toEqual([0])

    // Different material is refused; the same material brings the key and its ciphertexts back.
    const other = await wrapFor(key.keyId, randomBytes(32))
    expect((await rejection(importKeyMaterial(t.ctx, caller, { keyId: key.keyId, ...other, expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }))).code).toBe('IncorrectKeyMaterial')
    const again = await importForever(key.keyId, material)
    expect(again.keyMaterialId).toBe(rows[0].material_id)
    expect((await decrypt(t.ctx, caller, { ciphertextBlob, encryptionContext: { a: 'b' } })).plaintext).toEqual(utf8('before expiry'))
  })

  it('DeleteImportedKeyMaterial makes the key PendingImport; reimport restores it; Disabled stays Disabled', async () => {
    const key = await t.createKey({ origin: 'EXTERNAL' })
    const material = randomBytes(32)
    const { keyMaterialId } = await importForever(key.keyId, material)
    const { ciphertextBlob } = await encrypt(t.ctx, caller, { keyId: key.keyId, plaintext: utf8('x') })
    expect(await deleteImportedKeyMaterial(t.ctx, caller, { keyId: key.keyId })).toEqual({ keyId: key.arn, keyMaterialId })
    expect((await describeIt(key)).keyState).toBe('PendingImport')
    expect((await rejection(decrypt(t.ctx, caller, { ciphertextBlob }))).code).toBe('InvalidState')
    await importForever(key.keyId, material)
    expect((await decrypt(t.ctx, caller, { ciphertextBlob })).plaintext).toEqual(utf8('x'))

    await disableKey(t.ctx, caller, { keyId: key.keyId })
    await importForever(key.keyId, material)
    expect((await describeIt(key)).keyState).toBe('Disabled')
    // A key pending deletion keeps its state.
    await scheduleKeyDeletion(t.ctx, caller, { keyId: key.keyId, pendingWindowInDays: 7 })
    await deleteImportedKeyMaterial(t.ctx, caller, { keyId: key.arn })
    expect((await describeIt(key)).keyState).toBe('PendingDeletion')
  })

  it('imports HMAC and ECC material that computes what node:crypto computes with it', async () => {
    const mac = await t.createKey({ origin: 'EXTERNAL', keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC' })
    const macKey = randomBytes(40)
    await importForever(mac.keyId, macKey)
    const out = await generateMac(t.ctx, caller, { keyId: mac.keyId, message: utf8('msg'), macAlgorithm: 'HMAC_SHA_256' })
    expect(out.mac).toEqual(new Uint8Array(createHmac('sha256', macKey).update('msg').digest()))

    const ec = await t.createKey({ origin: 'EXTERNAL', keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY' })
    const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    await importForever(ec.keyId, new Uint8Array(pair.privateKey.export({ type: 'pkcs8', format: 'der' })))
    expect((await getPublicKey(t.ctx, caller, { keyId: ec.keyId })).publicKey).toEqual(new Uint8Array(pair.publicKey.export({ type: 'spki', format: 'der' })))
    const { signature } = await sign(t.ctx, caller, { keyId: ec.keyId, message: utf8('msg'), signingAlgorithm: 'ECDSA_SHA_256' })
    expect(nodeVerify('sha256', utf8('msg'), pair.publicKey, signature)).toBe(true)
  })
})

describe('import errors', () => {
  it('GetParametersForImport: EXTERNAL keys only, supported wrapping, id or ARN only', async () => {
    const native = await t.createKey()
    const ext = await t.createKey({ origin: 'EXTERNAL' })
    const gp = (input: Record<string, unknown>) => getParametersForImport(t.ctx, caller, { keyId: ext.keyId, wrappingAlgorithm: 'RSAES_OAEP_SHA_256', wrappingKeySpec: 'RSA_2048', ...input })
    expect(await rejection(gp({ keyId: native.keyId }))).toEqual({ code: 'UnsupportedOperation', message: `${native.arn} origin is AWS_KMS which is not valid for this operation.` })
    expect((await rejection(gp({ wrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_256' }))).code).toBe('UnsupportedOperation')
    expect((await rejection(gp({ wrappingAlgorithm: 'RSAES_PKCS1_V1_5' }))).code).toBe('UnsupportedOperation')
    expect((await rejection(gp({ wrappingAlgorithm: 'AES' }))).code).toBe('Validation')
    expect((await rejection(gp({ wrappingKeySpec: 'RSA_1024' }))).code).toBe('Validation')
    expect((await rejection(gp({ wrappingKeySpec: undefined }))).code).toBe('Validation')
    expect((await rejection(gp({ keyId: 'alias/whatever' }))).code).toBe('NotFound')
    expect((await rejection(getParametersForImport(t.ctx, otherCaller, { keyId: ext.arn, wrappingAlgorithm: 'RSAES_OAEP_SHA_256', wrappingKeySpec: 'RSA_2048' }))).code).toBe('AccessDenied')
    const mldsa = await t.createKey({ origin: 'EXTERNAL', keySpec: 'ML_DSA_44', keyUsage: 'SIGN_VERIFY' })
    expect((await rejection(gp({ keyId: mldsa.keyId }))).code).toBe('UnsupportedOperation')
    const doomed = await t.createKey({ origin: 'EXTERNAL' })
    await scheduleKeyDeletion(t.ctx, caller, { keyId: doomed.keyId, pendingWindowInDays: 7 })
    expect((await rejection(gp({ keyId: doomed.keyId }))).code).toBe('InvalidState')
  })

  it('ImportKeyMaterial: tokens, unwrapping, material and expiration rules', async () => {
    const key = await t.createKey({ origin: 'EXTERNAL' })
    const other = await t.createKey({ origin: 'EXTERNAL' })
    const material = randomBytes(32)
    const forever = { expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }
    const imp = (input: Record<string, unknown>) => importKeyMaterial(t.ctx, caller, { keyId: key.keyId, ...input } as never)

    const foreign = await wrapFor(other.keyId, material)
    expect((await rejection(imp({ ...foreign, ...forever }))).code).toBe('InvalidImportToken')
    const good = await wrapFor(key.keyId, material)
    expect((await rejection(imp({ ...good, importToken: utf8('garbage'), ...forever }))).code).toBe('InvalidImportToken')
    // Wrapped with SHA-1 OAEP though SHA-256 was asked for.
    const misWrapped = await wrapFor(key.keyId, material, 'RSAES_OAEP_SHA_256', 'RSA_2048', 'sha1')
    expect(await rejection(imp({ ...misWrapped, ...forever }))).toEqual({ code: 'InvalidCiphertext', message: '' })
    const short = await wrapFor(key.keyId, randomBytes(16))
    expect((await rejection(imp({ ...short, ...forever }))).code).toBe('IncorrectKeyMaterial')

    const now = t.clock.now()
    expect((await rejection(imp({ ...good }))).code).toBe('Validation') // KEY_MATERIAL_EXPIRES by default needs ValidTo
    expect((await rejection(imp({ ...good, expirationModel: 'KEY_MATERIAL_EXPIRES' }))).code).toBe('Validation')
    expect((await rejection(imp({ ...good, expirationModel: 'KEY_MATERIAL_EXPIRES', validTo: new Date(now) }))).code).toBe('Validation')
    expect((await rejection(imp({ ...good, expirationModel: 'KEY_MATERIAL_EXPIRES', validTo: new Date(now + 366 * MS.day) }))).code).toBe('Validation')
    expect((await rejection(imp({ ...good, ...forever, validTo: new Date(now + MS.day) }))).code).toBe('Validation')
    expect((await rejection(imp({ ...good, expirationModel: 'SOMETIMES' }))).code).toBe('Validation')
    expect((await rejection(imp({ ...good, ...forever, importType: 'EXISTING_KEY_MATERIAL' }))).code).toBe('Validation')

    // Tokens live 24 hours.
    t.clock.advance(24 * MS.hour)
    expect((await rejection(imp({ ...good, ...forever }))).code).toBe('ExpiredImportToken')
    const fresh = await wrapFor(key.keyId, material)
    await imp({ ...fresh, expirationModel: 'KEY_MATERIAL_EXPIRES', validTo: new Date(t.clock.now() + 365 * MS.day) })
    expect((await describeIt(key)).keyState).toBe('Enabled')
    // Long-expired tokens are swept by the job.
    t.clock.advance(8 * MS.day)
    await expireImportedMaterial(t.ctx)
    expect((await rejection(imp({ ...good, ...forever }))).code).toBe('InvalidImportToken')
  })

  it('DeleteImportedKeyMaterial: EXTERNAL keys only, matching KeyMaterialId', async () => {
    const native = await t.createKey()
    expect((await rejection(deleteImportedKeyMaterial(t.ctx, caller, { keyId: native.keyId }))).code).toBe('UnsupportedOperation')
    const key = await t.createKey({ origin: 'EXTERNAL' })
    expect(await deleteImportedKeyMaterial(t.ctx, caller, { keyId: key.keyId })).toEqual({ keyId: key.arn })
    await importForever(key.keyId, randomBytes(32))
    expect((await rejection(deleteImportedKeyMaterial(t.ctx, caller, { keyId: key.keyId, keyMaterialId: 'f'.repeat(64) }))).code).toBe('NotFound')
    expect((await rejection(deleteImportedKeyMaterial(t.ctx, caller, { keyId: key.keyId, keyMaterialId: 'short' }))).code).toBe('Validation')
    expect((await rejection(deleteImportedKeyMaterial(t.ctx, otherCaller, { keyId: key.arn }))).code).toBe('AccessDenied')
  })
})
