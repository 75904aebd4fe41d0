import { constants, createHash, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, verify as nodeVerify } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { disableKey } from '../../../../src/kms/keys/lifecycle.ts'
import {
  deriveSharedSecret,
  generateDataKeyPair,
  generateDataKeyPairWithoutPlaintext,
  generateMac,
  getPublicKey,
  sign,
  verify,
  verifyMac,
} from '../../../../src/kms/ops/asymmetric.ts'
import { decrypt } from '../../../../src/kms/ops/symmetric.ts'
import type { KeyMetadata } from '../../../../src/kms/types.ts'
import { type TestKms, caller, createTestKms, otherCaller, rejection, utf8 } from '../../../support/kms.ts'

const SIGNING_SPECS = [
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'ECC_NIST_EDWARDS25519',
  'ML_DSA_44',
  'ML_DSA_65',
  'ML_DSA_87',
]
const HMAC_SPECS = ['HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512']
const AGREEMENT_SPECS = { ECC_NIST_P256: 'prime256v1', ECC_NIST_P384: 'secp384r1', ECC_NIST_P521: 'secp521r1' } as const
const PAIR_SPECS = ['RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1', 'ECC_NIST_EDWARDS25519']

let t: TestKms
const signing: Record<string, KeyMetadata> = {}
const macs: Record<string, KeyMetadata> = {}
const agreement: Record<string, KeyMetadata> = {}
let symmetric: KeyMetadata
beforeAll(async () => {
  t = await createTestKms()
  symmetric = await t.createKey()
  await Promise.all([
    ...SIGNING_SPECS.map(async (s) => (signing[s] = await t.createKey({ keySpec: s, keyUsage: 'SIGN_VERIFY' }))),
    ...HMAC_SPECS.map(async (s) => (macs[s] = await t.createKey({ keySpec: s, keyUsage: 'GENERATE_VERIFY_MAC' }))),
    ...Object.keys(AGREEMENT_SPECS).map(async (s) => (agreement[s] = await t.createKey({ keySpec: s, keyUsage: 'KEY_AGREEMENT' }))),
  ])
})
afterAll(async () => {
  await t.dispose()
})

const der = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength)
const nodeHash = (alg: string) => (alg.endsWith('256') ? 'sha256' : alg.endsWith('384') ? 'sha384' : 'sha512')

/** Checks a KMS signature with node:crypto and the key GetPublicKey returned (ML-DSA: KMS Verify only). */
function externallyValid(spec: string, alg: string, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean | undefined {
  if (spec.startsWith('ML_DSA_')) return undefined
  const pub = createPublicKey({ key: der(publicKey), format: 'der', type: 'spki' })
  if (spec.startsWith('RSA_')) {
    const pss = alg.startsWith('RSASSA_PSS')
    return nodeVerify(nodeHash(alg), message, { key: pub, padding: pss ? constants.RSA_PKCS1_PSS_PADDING : constants.RSA_PKCS1_PADDING, saltLength: pss ? constants.RSA_PSS_SALTLEN_DIGEST : undefined }, signature)
  }
  if (spec === 'ECC_NIST_EDWARDS25519') return alg === 'ED25519_SHA_512' ? nodeVerify(null, message, pub, signature) : undefined
  if (spec.startsWith('ECC_')) return nodeVerify(nodeHash(alg), message, pub, signature)
  return undefined
}

describe('Sign / Verify', () => {
  it('signs with every algorithm of every spec; node:crypto and Verify accept the signature', async () => {
    const message = utf8('message to sign')
    for (const spec of SIGNING_SPECS) {
      const key = signing[spec]
      const { publicKey } = await getPublicKey(t.ctx, caller, { keyId: key.keyId })
      for (const alg of key.signingAlgorithms!) {
        const messageType = alg === 'ED25519_PH_SHA_512' ? 'DIGEST' : 'RAW'
        const input = messageType === 'DIGEST' ? new Uint8Array(createHash('sha512').update(message).digest()) : message
        const out = await sign(t.ctx, caller, { keyId: key.keyId, message: input, messageType, signingAlgorithm: alg })
        expect(out.keyId).toBe(key.arn)
        expect(out.signingAlgorithm).toBe(alg)
        const ext = externallyValid(spec, alg, publicKey, message, out.signature)
        if (ext !== undefined) expect(ext, `${spec} ${alg}`).toBe(true)
        const ok = await verify(t.ctx, caller, { keyId: key.arn, message: input, messageType, signingAlgorithm: alg, signature: out.signature })
        expect(ok).toEqual({ keyId: key.arn, signatureValid: true, signingAlgorithm: alg })
      }
    }
  })

  it('signs DIGEST messages of the hash length', async () => {
    const digest = new Uint8Array(createHash('sha256').update('m').digest())
    for (const spec of ['RSA_2048', 'ECC_NIST_P256']) {
      const key = signing[spec]
      const alg = key.signingAlgorithms!.find((a) => a.endsWith('SHA_256'))!
      const { signature } = await sign(t.ctx, caller, { keyId: key.keyId, message: digest, messageType: 'DIGEST', signingAlgorithm: alg })
      await verify(t.ctx, caller, { keyId: key.keyId, message: utf8('m'), signingAlgorithm: alg, signature })
      expect((await rejection(sign(t.ctx, caller, { keyId: key.keyId, message: digest.subarray(1), messageType: 'DIGEST', signingAlgorithm: alg }))).code).toBe('Validation')
    }
  })

  it('answers KMSInvalidSignature for a bad signature, never signatureValid: false', async () => {
    const key = signing.ECC_NIST_P256
    const { signature } = await sign(t.ctx, caller, { keyId: key.keyId, message: utf8('a'), signingAlgorithm: 'ECDSA_SHA_256' })
    expect(await rejection(verify(t.ctx, caller, { keyId: key.keyId, message: utf8('b'), signingAlgorithm: 'ECDSA_SHA_256', signature }))).toEqual({ code: 'KmsInvalidSignature', message: '' })
    const bad = signature.slice()
    bad[bad.length - 1] ^= 1
    expect((await rejection(verify(t.ctx, caller, { keyId: key.keyId, message: utf8('a'), signingAlgorithm: 'ECDSA_SHA_256', signature: bad }))).code).toBe('KmsInvalidSignature')
    const ml = signing.ML_DSA_44
    const s2 = await sign(t.ctx, caller, { keyId: ml.keyId, message: utf8('a'), signingAlgorithm: 'ML_DSA_SHAKE_256' })
    expect((await rejection(verify(t.ctx, caller, { keyId: ml.keyId, message: utf8('x'), signingAlgorithm: 'ML_DSA_SHAKE_256', signature: s2.signature }))).code).toBe('KmsInvalidSignature')
  })

  it('validates input and key usage', async () => {
    const key = signing.ECC_NIST_P256
    const s = (input: Record<string, unknown>) => sign(t.ctx, caller, { keyId: key.keyId, message: utf8('m'), signingAlgorithm: 'ECDSA_SHA_256', ...input })
    expect((await rejection(s({ message: new Uint8Array(4097) }))).message).toContain('Member must have length less than or equal to 4096')
    expect((await rejection(s({ signingAlgorithm: undefined }))).code).toBe('Validation')
    expect((await rejection(s({ signingAlgorithm: 'MD5' }))).code).toBe('Validation')
    expect((await rejection(s({ messageType: 'TEXT' }))).code).toBe('Validation')
    expect(await rejection(s({ signingAlgorithm: 'ECDSA_SHA_384' }))).toEqual({ code: 'InvalidKeyUsage', message: 'Algorithm ECDSA_SHA_384 is incompatible with key spec ECC_NIST_P256.' })
    expect(await rejection(s({ keyId: symmetric.keyId }))).toEqual({ code: 'InvalidKeyUsage', message: `${symmetric.arn} key usage is ENCRYPT_DECRYPT which is not valid for Sign.` })
    expect((await rejection(s({ keyId: agreement.ECC_NIST_P256.keyId }))).code).toBe('InvalidKeyUsage')
    expect(await rejection(s({ dryRun: true }))).toEqual({ code: 'DryRun', message: 'The request would have succeeded, but the DryRun option is set.' })
    expect((await rejection(sign(t.ctx, otherCaller, { keyId: key.arn, message: utf8('m'), signingAlgorithm: 'ECDSA_SHA_256' }))).code).toBe('AccessDenied')
  })
})

describe('GenerateMac / VerifyMac', () => {
  it('MACs with every HMAC spec and verifies', async () => {
    for (const spec of HMAC_SPECS) {
      const key = macs[spec]
      const alg = key.macAlgorithms![0]
      const out = await generateMac(t.ctx, caller, { keyId: key.keyId, message: utf8('m'), macAlgorithm: alg })
      expect(out.keyId).toBe(key.arn)
      expect(out.mac.length).toBe(Number(spec.slice(5)) / 8)
      expect(await verifyMac(t.ctx, caller, { keyId: key.keyId, message: utf8('m'), macAlgorithm: alg, mac: out.mac })).toEqual({ keyId: key.arn, macValid: true, macAlgorithm: alg })
      const bad = out.mac.slice()
      bad[0] ^= 1
      expect(await rejection(verifyMac(t.ctx, caller, { keyId: key.keyId, message: utf8('m'), macAlgorithm: alg, mac: bad }))).toEqual({ code: 'KmsInvalidMac', message: '' })
    }
  })

  it('refuses a mismatched algorithm, other usages and answers DryRun', async () => {
    const key = macs.HMAC_224
    expect(await rejection(generateMac(t.ctx, caller, { keyId: key.keyId, message: utf8('m'), macAlgorithm: 'HMAC_SHA_256' }))).toEqual({
      code: 'InvalidKeyUsage',
      message: 'Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224.',
    })
    expect((await rejection(generateMac(t.ctx, caller, { keyId: symmetric.keyId, message: utf8('m'), macAlgorithm: 'HMAC_SHA_256' }))).message).toBe(
      `${symmetric.arn} key usage is ENCRYPT_DECRYPT which is not valid for GenerateMac.`,
    )
    expect((await rejection(generateMac(t.ctx, caller, { keyId: key.keyId, message: utf8('m'), macAlgorithm: 'SHA1' }))).code).toBe('Validation')
    expect((await rejection(generateMac(t.ctx, caller, { keyId: key.keyId, message: utf8('m'), macAlgorithm: 'HMAC_SHA_224', dryRun: true }))).code).toBe('DryRun')
    expect((await rejection(verifyMac(t.ctx, caller, { keyId: key.keyId, message: utf8('m'), macAlgorithm: 'HMAC_SHA_224', mac: new Uint8Array(28), dryRun: true }))).code).toBe('DryRun')
  })
})

describe('GetPublicKey', () => {
  it('returns the SPKI and the key description for every asymmetric spec', async () => {
    for (const key of [...Object.values(signing), ...Object.values(agreement)]) {
      const out = await getPublicKey(t.ctx, caller, { keyId: key.arn })
      expect(out).toMatchObject({ keyId: key.arn, keySpec: key.keySpec, customerMasterKeySpec: key.keySpec, keyUsage: key.keyUsage })
      expect(out.signingAlgorithms).toEqual(key.signingAlgorithms)
      expect(out.keyAgreementAlgorithms).toEqual(key.keyAgreementAlgorithms)
      expect(out.encryptionAlgorithms).toBeUndefined()
      if (!key.keySpec.startsWith('ML_DSA')) expect(createPublicKey({ key: der(out.publicKey), format: 'der', type: 'spki' }).type).toBe('public')
    }
  })

  it('answers UnsupportedOperation for symmetric and HMAC keys, Disabled for a disabled key', async () => {
    expect((await rejection(getPublicKey(t.ctx, caller, { keyId: symmetric.keyId }))).code).toBe('UnsupportedOperation')
    expect((await rejection(getPublicKey(t.ctx, caller, { keyId: macs.HMAC_256.keyId }))).code).toBe('UnsupportedOperation')
    const k = await t.createKey({ keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY' })
    await disableKey(t.ctx, caller, { keyId: k.keyId })
    expect(await rejection(getPublicKey(t.ctx, caller, { keyId: k.keyId }))).toEqual({ code: 'Disabled', message: `${k.arn} is disabled.` })
    expect(await rejection(sign(t.ctx, caller, { keyId: k.keyId, message: utf8('m'), signingAlgorithm: 'ECDSA_SHA_256' }))).toEqual({ code: 'Disabled', message: `${k.arn} is disabled.` })
  })
})

describe('GenerateDataKeyPair', () => {
  it('makes a pair of every spec whose private key is sealed under the symmetric key with the context', async () => {
    for (const spec of PAIR_SPECS) {
      const out = await generateDataKeyPair(t.ctx, caller, { keyId: symmetric.keyId, keyPairSpec: spec, encryptionContext: { purpose: spec } })
      expect(out.keyId).toBe(symmetric.arn)
      expect(out.keyPairSpec).toBe(spec)
      expect(out.keyMaterialId).toBe(symmetric.currentKeyMaterialId)
      const priv = createPrivateKey({ key: der(out.privateKeyPlaintext), format: 'der', type: 'pkcs8' })
      expect(new Uint8Array(createPublicKey(priv).export({ type: 'spki', format: 'der' }))).toEqual(out.publicKey)
      const opened = await decrypt(t.ctx, caller, { ciphertextBlob: out.privateKeyCiphertextBlob, encryptionContext: { purpose: spec } })
      expect(opened.plaintext).toEqual(out.privateKeyPlaintext)
    }
  })

  it('WithoutPlaintext omits the private key; the ciphertext still opens to a matching key', async () => {
    const out = await generateDataKeyPairWithoutPlaintext(t.ctx, caller, { keyId: symmetric.keyId, keyPairSpec: 'ECC_NIST_P256' })
    expect(Object.keys(out).sort()).toEqual(['keyId', 'keyMaterialId', 'keyPairSpec', 'privateKeyCiphertextBlob', 'publicKey'])
    const { plaintext } = await decrypt(t.ctx, caller, { ciphertextBlob: out.privateKeyCiphertextBlob })
    const pub = createPublicKey(createPrivateKey({ key: der(plaintext), format: 'der', type: 'pkcs8' })).export({ type: 'spki', format: 'der' })
    expect(new Uint8Array(pub)).toEqual(out.publicKey)
  })

  it('needs a symmetric encryption key and a known spec', async () => {
    const gp = (input: Record<string, unknown>) => generateDataKeyPair(t.ctx, caller, { keyId: symmetric.keyId, keyPairSpec: 'ECC_NIST_P256', ...input })
    expect((await rejection(gp({ keyId: signing.ECC_NIST_P256.keyId }))).message).toBe(`${signing.ECC_NIST_P256.arn} key usage is SIGN_VERIFY which is not valid for GenerateDataKeyPair.`)
    expect((await rejection(gp({ keyId: macs.HMAC_256.keyId }))).code).toBe('InvalidKeyUsage')
    expect((await rejection(gp({ keyPairSpec: 'RSA_1024' }))).code).toBe('Validation')
    expect((await rejection(gp({ keyPairSpec: undefined }))).code).toBe('Validation')
    expect((await rejection(gp({ keyPairSpec: 'SM2' }))).code).toBe('UnsupportedOperation')
    expect((await rejection(gp({ recipient: {} }))).code).toBe('UnsupportedOperation')
    expect((await rejection(gp({ dryRun: true }))).code).toBe('DryRun')
    expect((await rejection(generateDataKeyPairWithoutPlaintext(t.ctx, caller, { keyId: symmetric.keyId, keyPairSpec: 'ECC_NIST_P256', dryRun: true }))).code).toBe('DryRun')
  })
})

describe('DeriveSharedSecret', () => {
  it('derives the ECDH secret node:crypto derives from the other side', async () => {
    for (const [spec, curve] of Object.entries(AGREEMENT_SPECS)) {
      const key = agreement[spec]
      const peer = generateKeyPairSync('ec', { namedCurve: curve })
      const peerPublic = new Uint8Array(peer.publicKey.export({ type: 'spki', format: 'der' }))
      const out = await deriveSharedSecret(t.ctx, caller, { keyId: key.keyId, keyAgreementAlgorithm: 'ECDH', publicKey: peerPublic })
      expect(out.keyId).toBe(key.arn)
      expect(out.keyAgreementAlgorithm).toBe('ECDH')
      expect(out.keyOrigin).toBe('AWS_KMS')
      const { publicKey } = await getPublicKey(t.ctx, caller, { keyId: key.keyId })
      const expected = diffieHellman({ privateKey: peer.privateKey, publicKey: createPublicKey({ key: der(publicKey), format: 'der', type: 'spki' }) })
      expect(out.sharedSecret).toEqual(new Uint8Array(expected))
    }
  })

  it('needs a KEY_AGREEMENT key, ECDH and a peer key on the same curve', async () => {
    const peer = new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'der' }))
    const d = (input: Record<string, unknown>) => deriveSharedSecret(t.ctx, caller, { keyId: agreement.ECC_NIST_P256.keyId, keyAgreementAlgorithm: 'ECDH', publicKey: peer, ...input })
    expect(await rejection(d({ keyId: signing.ECC_NIST_P256.keyId }))).toEqual({
      code: 'InvalidKeyUsage',
      message: `${signing.ECC_NIST_P256.arn} key usage is SIGN_VERIFY which is not valid for DeriveSharedSecret.`,
    })
    expect((await rejection(d({ keyAgreementAlgorithm: undefined }))).code).toBe('Validation')
    expect((await rejection(d({ keyAgreementAlgorithm: 'DH' }))).code).toBe('Validation')
    expect((await rejection(d({ keyId: agreement.ECC_NIST_P384.keyId }))).code).toBe('Validation')
    expect((await rejection(d({ publicKey: utf8('not a key') }))).code).toBe('Validation')
    expect((await rejection(d({ recipient: {} }))).code).toBe('UnsupportedOperation')
    expect((await rejection(d({ dryRun: true }))).code).toBe('DryRun')
  })
})
