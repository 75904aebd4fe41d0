import { describe, expect, it } from 'vitest'
import {
  asymmetricDecrypt,
  asymmetricEncrypt,
  deriveSharedSecret,
  generateDataKeyPair,
  generateKeyMaterial,
  generateMac,
  isValidCombination,
  KEY_SPECS,
  maxAsymmetricPlaintext,
  publicKeyDer,
  sign,
  specInfo,
  verify,
  verifyMac,
  verifyWithPublicKey,
  type KeySpec,
  type KeyUsage,
} from '../../../../src/kms/crypto/index.ts'
import { arcaErrorOf, HMAC_SPECS, materialFor, utf8 } from './fixtures.ts'

// botocore kms/2014-11-01: SigningAlgorithmSpec, EncryptionAlgorithmSpec, MacAlgorithmSpec, KeyAgreementAlgorithmSpec enums.
const SIGNING = ['RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512', 'RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512', 'ECDSA_SHA_256', 'ECDSA_SHA_384', 'ECDSA_SHA_512', 'SM2DSA', 'ML_DSA_SHAKE_256', 'ED25519_SHA_512', 'ED25519_PH_SHA_512']
const ENCRYPTION = ['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'SM2PKE']
const MAC = ['HMAC_SHA_224', 'HMAC_SHA_256', 'HMAC_SHA_384', 'HMAC_SHA_512']
const USAGES: KeyUsage[] = ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT']

// AWS KMS Developer Guide, "Key spec reference": the valid KeySpec × KeyUsage pairs.
const VALID: Record<KeySpec, KeyUsage[]> = {
  SYMMETRIC_DEFAULT: ['ENCRYPT_DECRYPT'],
  HMAC_224: ['GENERATE_VERIFY_MAC'],
  HMAC_256: ['GENERATE_VERIFY_MAC'],
  HMAC_384: ['GENERATE_VERIFY_MAC'],
  HMAC_512: ['GENERATE_VERIFY_MAC'],
  RSA_2048: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'],
  RSA_3072: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'],
  RSA_4096: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'],
  ECC_NIST_P256: ['SIGN_VERIFY', 'KEY_AGREEMENT'],
  ECC_NIST_P384: ['SIGN_VERIFY', 'KEY_AGREEMENT'],
  ECC_NIST_P521: ['SIGN_VERIFY', 'KEY_AGREEMENT'],
  ECC_SECG_P256K1: ['SIGN_VERIFY'],
  ECC_NIST_EDWARDS25519: ['SIGN_VERIFY'],
  ML_DSA_44: ['SIGN_VERIFY'],
  ML_DSA_65: ['SIGN_VERIFY'],
  ML_DSA_87: ['SIGN_VERIFY'],
}

const signingFor = (spec: KeySpec): string[] => (isValidCombination(spec, 'SIGN_VERIFY') ? specInfo(spec, 'SIGN_VERIFY').signingAlgorithms! : [])
const encryptionFor = (spec: KeySpec): string[] => (isValidCombination(spec, 'ENCRYPT_DECRYPT') ? specInfo(spec, 'ENCRYPT_DECRYPT').encryptionAlgorithms! : [])
const macFor = (spec: KeySpec): string[] => (isValidCombination(spec, 'GENERATE_VERIFY_MAC') ? specInfo(spec, 'GENERATE_VERIFY_MAC').macAlgorithms! : [])

describe('spec tables', () => {
  it('KEY_SPECS is botocore KeySpec minus SM2', () => {
    expect([...KEY_SPECS].sort()).toEqual(Object.keys(VALID).sort())
  })
  it.each(KEY_SPECS)('%s: isValidCombination/specInfo agree with AWS', (spec) => {
    for (const usage of USAGES) {
      const valid = VALID[spec].includes(usage)
      expect(isValidCombination(spec, usage)).toBe(valid)
      if (valid) expect(specInfo(spec, usage).usages).toEqual(VALID[spec])
      else expect(arcaErrorOf(() => specInfo(spec, usage))).toMatchObject({ code: 'Validation', message: `KeyUsage ${usage} is not compatible with KeySpec ${spec}` })
    }
  })
  it('algorithm lists', () => {
    expect(specInfo('RSA_2048', 'ENCRYPT_DECRYPT').encryptionAlgorithms).toEqual(['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'])
    expect(specInfo('RSA_4096', 'SIGN_VERIFY').signingAlgorithms).toHaveLength(6)
    expect(specInfo('ECC_NIST_P384', 'KEY_AGREEMENT').keyAgreementAlgorithms).toEqual(['ECDH'])
    expect(specInfo('ECC_NIST_P521', 'SIGN_VERIFY').signingAlgorithms).toEqual(['ECDSA_SHA_512'])
    expect(specInfo('ECC_SECG_P256K1', 'SIGN_VERIFY').signingAlgorithms).toEqual(['ECDSA_SHA_256'])
    expect(specInfo('ECC_NIST_EDWARDS25519', 'SIGN_VERIFY').signingAlgorithms).toEqual(['ED25519_SHA_512', 'ED25519_PH_SHA_512'])
    expect(specInfo('ML_DSA_87', 'SIGN_VERIFY').signingAlgorithms).toEqual(['ML_DSA_SHAKE_256'])
    expect(specInfo('SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT').encryptionAlgorithms).toEqual(['SYMMETRIC_DEFAULT'])
    expect(specInfo('HMAC_384', 'GENERATE_VERIFY_MAC').macAlgorithms).toEqual(['HMAC_SHA_384'])
  })
  it('generated material sizes: symmetric 32, HMAC 28/32/48/64', () => {
    expect(generateKeyMaterial('SYMMETRIC_DEFAULT')).toHaveLength(32)
    expect(HMAC_SPECS.map((s) => generateKeyMaterial(s).length)).toEqual([28, 32, 48, 64])
    expect(generateKeyMaterial('SYMMETRIC_DEFAULT')).not.toEqual(generateKeyMaterial('SYMMETRIC_DEFAULT'))
  })
  it('unknown specs are UnsupportedOperation, never a TypeError', () => {
    const sm2 = 'SM2' as KeySpec
    expect(isValidCombination(sm2, 'SIGN_VERIFY')).toBe(false)
    expect(isValidCombination('toString' as KeySpec, 'SIGN_VERIFY')).toBe(false)
    expect(arcaErrorOf(() => generateKeyMaterial(sm2)).code).toBe('UnsupportedOperation')
    expect(arcaErrorOf(() => specInfo(sm2, 'SIGN_VERIFY')).code).toBe('UnsupportedOperation')
    expect(arcaErrorOf(() => sign(sm2, new Uint8Array(1), 'SM2DSA', utf8('m'), 'RAW')).code).toBe('UnsupportedOperation')
    expect(arcaErrorOf(() => generateDataKeyPair('ML_DSA_44' as 'RSA_2048')).code).toBe('Validation')
  })
})

describe.each(KEY_SPECS)('%s: every algorithm it does not offer is InvalidKeyUsage', (spec) => {
  const incompatible = (alg: string) => ({ code: 'InvalidKeyUsage', message: `Algorithm ${alg} is incompatible with key spec ${spec}.` })
  it('signing', () => {
    const m = materialFor(spec)
    for (const alg of SIGNING.filter((a) => !signingFor(spec).includes(a))) {
      expect(arcaErrorOf(() => sign(spec, m, alg, utf8('m'), 'RAW'))).toMatchObject(incompatible(alg))
      expect(arcaErrorOf(() => verify(spec, m, alg, utf8('m'), 'RAW', new Uint8Array(64)))).toMatchObject(incompatible(alg))
      expect(arcaErrorOf(() => verifyWithPublicKey(spec, m, alg, utf8('m'), 'RAW', new Uint8Array(64)))).toMatchObject(incompatible(alg))
    }
  })
  it('encryption', () => {
    const m = materialFor(spec)
    for (const alg of ENCRYPTION.filter((a) => !encryptionFor(spec).includes(a) || a === 'SYMMETRIC_DEFAULT')) {
      expect(arcaErrorOf(() => asymmetricEncrypt(spec, m, alg, utf8('m')))).toMatchObject(incompatible(alg))
      expect(arcaErrorOf(() => asymmetricDecrypt(spec, m, alg, utf8('m')))).toMatchObject(incompatible(alg))
      expect(arcaErrorOf(() => maxAsymmetricPlaintext(spec, alg))).toMatchObject(incompatible(alg))
    }
  })
  it('MAC and key agreement', () => {
    const m = materialFor(spec)
    for (const alg of MAC.filter((a) => !macFor(spec).includes(a))) {
      expect(arcaErrorOf(() => generateMac(spec, m, alg, utf8('m')))).toMatchObject(incompatible(alg))
      expect(arcaErrorOf(() => verifyMac(spec, m, alg, utf8('m'), new Uint8Array(32)))).toMatchObject(incompatible(alg))
    }
    if (!isValidCombination(spec, 'KEY_AGREEMENT')) {
      expect(arcaErrorOf(() => deriveSharedSecret(spec, m, 'ECDH', new Uint8Array(91)))).toMatchObject(incompatible('ECDH'))
    }
  })
  it('publicKeyDer exists exactly for asymmetric specs', () => {
    const asymmetric = isValidCombination(spec, 'SIGN_VERIFY')
    if (asymmetric) expect(publicKeyDer(spec, materialFor(spec))[0]).toBe(0x30)
    else expect(arcaErrorOf(() => publicKeyDer(spec, materialFor(spec))).code).toBe('UnsupportedOperation')
  })
  it('malformed signatures verify false, never throw', () => {
    const m = materialFor(spec)
    for (const alg of signingFor(spec)) {
      const type = alg === 'ED25519_PH_SHA_512' ? 'DIGEST' : 'RAW'
      const msg = type === 'DIGEST' ? new Uint8Array(64) : utf8('m')
      for (const sig of [new Uint8Array(0), new Uint8Array(1), new Uint8Array(64), new Uint8Array(512).fill(0xff), new Uint8Array(5000)]) {
        expect(verify(spec, m, alg, msg, type, sig)).toBe(false)
      }
    }
    for (const alg of macFor(spec)) expect(verifyMac(spec, m, alg, utf8('m'), new Uint8Array(0))).toBe(false)
  })
  it('unreadable material is an ArcaError, never a TypeError', () => {
    for (const alg of signingFor(spec)) {
      const type = alg === 'ED25519_PH_SHA_512' ? 'DIGEST' : 'RAW'
      expect(arcaErrorOf(() => sign(spec, utf8('junk'), alg, new Uint8Array(64), type)).code).toBe('Internal')
    }
  })
})

describe('message types and digest lengths', () => {
  it.each([
    ['RSA_2048', 'RSASSA_PSS_SHA_384', 48],
    ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_512', 64],
    ['ECC_NIST_P256', 'ECDSA_SHA_256', 32],
    ['ECC_NIST_P384', 'ECDSA_SHA_384', 48],
    ['ECC_NIST_P521', 'ECDSA_SHA_512', 64],
    ['ECC_SECG_P256K1', 'ECDSA_SHA_256', 32],
    ['ECC_NIST_EDWARDS25519', 'ED25519_PH_SHA_512', 64],
  ] as const)('%s %s: DIGEST must be %i bytes', (spec, alg, len) => {
    const m = materialFor(spec)
    expect(sign(spec, m, alg, new Uint8Array(len), 'DIGEST').length).toBeGreaterThan(0)
    for (const n of [0, len - 1, len + 1]) {
      expect(arcaErrorOf(() => sign(spec, m, alg, new Uint8Array(n), 'DIGEST'))).toMatchObject({ code: 'Validation', message: `Digest is invalid length for algorithm ${alg}.` })
      expect(arcaErrorOf(() => verify(spec, m, alg, new Uint8Array(n), 'DIGEST', new Uint8Array(8))).code).toBe('Validation')
    }
  })
  it('EXTERNAL_MU only for ML-DSA (64 bytes); DIGEST not for ML-DSA; Ed25519 algorithms pin their message type', () => {
    const cases: [KeySpec, string, 'RAW' | 'DIGEST' | 'EXTERNAL_MU', number][] = [
      ['RSA_3072', 'RSASSA_PSS_SHA_256', 'EXTERNAL_MU', 64],
      ['ECC_NIST_P256', 'ECDSA_SHA_256', 'EXTERNAL_MU', 64],
      ['ECC_NIST_EDWARDS25519', 'ED25519_SHA_512', 'DIGEST', 64],
      ['ECC_NIST_EDWARDS25519', 'ED25519_PH_SHA_512', 'RAW', 64],
      ['ECC_NIST_EDWARDS25519', 'ED25519_SHA_512', 'EXTERNAL_MU', 64],
      ['ML_DSA_44', 'ML_DSA_SHAKE_256', 'DIGEST', 64],
      ['ML_DSA_44', 'ML_DSA_SHAKE_256', 'EXTERNAL_MU', 63],
      ['ML_DSA_44', 'ML_DSA_SHAKE_256', 'EXTERNAL_MU', 32],
    ]
    for (const [spec, alg, type, n] of cases) {
      expect(arcaErrorOf(() => sign(spec, materialFor(spec), alg, new Uint8Array(n), type)).code).toBe('Validation')
      expect(arcaErrorOf(() => verify(spec, materialFor(spec), alg, new Uint8Array(n), type, new Uint8Array(8))).code).toBe('Validation')
    }
  })
  it('a public key of the wrong spec is Validation in verifyWithPublicKey', () => {
    const p256 = publicKeyDer('ECC_NIST_P256', materialFor('ECC_NIST_P256'))
    expect(arcaErrorOf(() => verifyWithPublicKey('ECC_NIST_P384', p256, 'ECDSA_SHA_384', utf8('m'), 'RAW', new Uint8Array(8))).code).toBe('Validation')
    expect(arcaErrorOf(() => verifyWithPublicKey('RSA_3072', publicKeyDer('RSA_2048', materialFor('RSA_2048')), 'RSASSA_PSS_SHA_256', utf8('m'), 'RAW', new Uint8Array(8))).code).toBe('Validation')
    expect(arcaErrorOf(() => verifyWithPublicKey('ML_DSA_65', publicKeyDer('ML_DSA_44', materialFor('ML_DSA_44')), 'ML_DSA_SHAKE_256', utf8('m'), 'RAW', new Uint8Array(8))).code).toBe('Validation')
    expect(arcaErrorOf(() => verifyWithPublicKey('ECC_NIST_EDWARDS25519', p256, 'ED25519_SHA_512', utf8('m'), 'RAW', new Uint8Array(8))).code).toBe('Validation')
  })
})
