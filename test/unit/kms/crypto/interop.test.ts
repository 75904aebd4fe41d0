import { shake256 } from '@noble/hashes/sha3.js'
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js'
import { constants, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, privateDecrypt, publicEncrypt, sign as nodeSign, verify as nodeVerify } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  asymmetricDecrypt,
  asymmetricEncrypt,
  DATA_KEY_PAIR_SPECS,
  deriveSharedSecret,
  generateDataKeyPair,
  importableMaterialCheck,
  maxAsymmetricPlaintext,
  publicKeyDer,
  rsaWrappingKeyPair,
  sign,
  unwrapImportedMaterial,
  verify,
  type KeySpec,
} from '../../../../src/kms/crypto/index.ts'
import { arcaErrorOf, ECDSA_SPECS, materialFor, ML_DSA_SPECS, NIST_SPECS, RSA_SPECS, utf8 } from './fixtures.ts'

const der = (b: Uint8Array) => Buffer.from(b)
const nodePrivate = (m: Uint8Array) => createPrivateKey({ key: der(m), format: 'der', type: 'pkcs8' })
const nodePublic = (spki: Uint8Array) => createPublicKey({ key: der(spki), format: 'der', type: 'spki' })
const NODE_HASH = { SHA_256: 'sha256', SHA_384: 'sha384', SHA_512: 'sha512' } as const
const HASH = { SHA_256: sha256, SHA_384: sha384, SHA_512: sha512 } as const
const hashName = (alg: string) => alg.slice(-7) as keyof typeof NODE_HASH
const message = utf8('The quick brown fox jumps over the lazy dog')

const RSA_SIGNING = ['RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512', 'RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512']

describe.each(RSA_SPECS)('%s signatures interoperate with node:crypto', (spec) => {
  for (const alg of RSA_SIGNING) {
    const pss = alg.startsWith('RSASSA_PSS')
    const h = hashName(alg)
    const opts = (key: ReturnType<typeof nodePublic>) =>
      pss ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: HASH[h].outputLen } : { key, padding: constants.RSA_PKCS1_PADDING }
    it(`${alg}: ours → node verify (RAW and DIGEST)`, () => {
      const m = materialFor(spec)
      const pub = nodePublic(publicKeyDer(spec, m))
      expect(nodeVerify(NODE_HASH[h], message, opts(pub), der(sign(spec, m, alg, message, 'RAW')))).toBe(true)
      expect(nodeVerify(NODE_HASH[h], message, opts(pub), der(sign(spec, m, alg, HASH[h](message), 'DIGEST')))).toBe(true)
    })
    it(`${alg}: node sign → our verify (RAW and DIGEST)`, () => {
      const m = materialFor(spec)
      const key = nodePrivate(m)
      const sig = Uint8Array.from(nodeSign(NODE_HASH[h], message, pss ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: HASH[h].outputLen } : key))
      expect(verify(spec, m, alg, message, 'RAW', sig)).toBe(true)
      expect(verify(spec, m, alg, HASH[h](message), 'DIGEST', sig)).toBe(true)
      expect(verify(spec, m, alg, utf8('other'), 'RAW', sig)).toBe(false)
    })
  }
})

describe.each(RSA_SPECS)('%s RSAES-OAEP interoperates with node:crypto', (spec) => {
  for (const [alg, oaepHash] of [['RSAES_OAEP_SHA_1', 'sha1'], ['RSAES_OAEP_SHA_256', 'sha256']] as const) {
    it(`${alg}: node encrypt with our SPKI → our decrypt, and back`, () => {
      const m = materialFor(spec)
      const max = maxAsymmetricPlaintext(spec, alg)
      const plaintext = utf8('x'.repeat(max))
      const ct = publicEncrypt({ key: nodePublic(publicKeyDer(spec, m)), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, plaintext)
      expect(asymmetricDecrypt(spec, m, alg, Uint8Array.from(ct))).toEqual(plaintext)
      const ours = asymmetricEncrypt(spec, m, alg, plaintext)
      expect(Uint8Array.from(privateDecrypt({ key: nodePrivate(m), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, ours))).toEqual(plaintext)
      expect(arcaErrorOf(() => asymmetricEncrypt(spec, m, alg, utf8('x'.repeat(max + 1)))).code).toBe('Validation')
    })
  }
  it('decrypting with the other OAEP hash, or a tampered ciphertext, is InvalidCiphertext', () => {
    const m = materialFor(spec)
    const ct = asymmetricEncrypt(spec, m, 'RSAES_OAEP_SHA_256', utf8('secret'))
    expect(arcaErrorOf(() => asymmetricDecrypt(spec, m, 'RSAES_OAEP_SHA_1', ct))).toMatchObject({ code: 'InvalidCiphertext', message: '' })
    const bad = ct.slice()
    bad[10] ^= 1
    expect(arcaErrorOf(() => asymmetricDecrypt(spec, m, 'RSAES_OAEP_SHA_256', bad)).code).toBe('InvalidCiphertext')
    expect(arcaErrorOf(() => asymmetricDecrypt(spec, m, 'RSAES_OAEP_SHA_256', ct.subarray(1))).code).toBe('InvalidCiphertext')
  })
})

describe('OAEP plaintext limits (AWS: 2048 214/190, 3072 342/318, 4096 470/446)', () => {
  it.each([
    ['RSA_2048', 214, 190],
    ['RSA_3072', 342, 318],
    ['RSA_4096', 470, 446],
  ] as const)('%s', (spec, sha1, sha256max) => {
    expect(maxAsymmetricPlaintext(spec, 'RSAES_OAEP_SHA_1')).toBe(sha1)
    expect(maxAsymmetricPlaintext(spec, 'RSAES_OAEP_SHA_256')).toBe(sha256max)
  })
})

const ECDSA_ALG: Record<(typeof ECDSA_SPECS)[number], { alg: string; hash: 'sha256' | 'sha384' | 'sha512'; digest: (m: Uint8Array) => Uint8Array }> = {
  ECC_NIST_P256: { alg: 'ECDSA_SHA_256', hash: 'sha256', digest: sha256 },
  ECC_NIST_P384: { alg: 'ECDSA_SHA_384', hash: 'sha384', digest: sha384 },
  ECC_NIST_P521: { alg: 'ECDSA_SHA_512', hash: 'sha512', digest: sha512 },
  ECC_SECG_P256K1: { alg: 'ECDSA_SHA_256', hash: 'sha256', digest: sha256 },
}

describe.each(ECDSA_SPECS)('%s ECDSA interoperates with node:crypto', (spec) => {
  const { alg, hash, digest } = ECDSA_ALG[spec]
  it('ours (DER) → node verify; RAW and DIGEST', () => {
    const m = materialFor(spec)
    const pub = nodePublic(publicKeyDer(spec, m))
    expect(nodeVerify(hash, message, pub, der(sign(spec, m, alg, message, 'RAW')))).toBe(true)
    expect(nodeVerify(hash, message, pub, der(sign(spec, m, alg, digest(message), 'DIGEST')))).toBe(true)
  })
  it('node sign (DER, high S allowed) → our verify', () => {
    const m = materialFor(spec)
    for (let i = 0; i < 8; i++) {
      const sig = Uint8Array.from(nodeSign(hash, message, nodePrivate(m)))
      expect(verify(spec, m, alg, message, 'RAW', sig)).toBe(true)
      expect(verify(spec, m, alg, digest(message), 'DIGEST', sig)).toBe(true)
    }
  })
  it('our SPKI is byte-identical to what node exports for the same key', () => {
    const m = materialFor(spec)
    expect(Uint8Array.from(createPublicKey(nodePrivate(m)).export({ type: 'spki', format: 'der' }))).toEqual(publicKeyDer(spec, m))
  })
})

describe('ECC_NIST_EDWARDS25519 interoperates with node:crypto', () => {
  const spec = 'ECC_NIST_EDWARDS25519'
  it('ED25519_SHA_512: ours → node verify, node sign → our verify', () => {
    const m = materialFor(spec)
    expect(nodeVerify(null, message, nodePublic(publicKeyDer(spec, m)), der(sign(spec, m, 'ED25519_SHA_512', message, 'RAW')))).toBe(true)
    const sig = Uint8Array.from(nodeSign(null, message, nodePrivate(m)))
    expect(verify(spec, m, 'ED25519_SHA_512', message, 'RAW', sig)).toBe(true)
    expect(Uint8Array.from(createPublicKey(nodePrivate(m)).export({ type: 'spki', format: 'der' }))).toEqual(publicKeyDer(spec, m))
  })
  it('ED25519_PH_SHA_512 (node 20 has no Ed25519ph): DIGEST round trip, differs from pure Ed25519', () => {
    const m = materialFor(spec)
    const d = sha512(message)
    const sig = sign(spec, m, 'ED25519_PH_SHA_512', d, 'DIGEST')
    expect(verify(spec, m, 'ED25519_PH_SHA_512', d, 'DIGEST', sig)).toBe(true)
    expect(nodeVerify(null, d, nodePublic(publicKeyDer(spec, m)), der(sig))).toBe(false)
  })
})

describe.each(ML_DSA_SPECS)('%s (node 20 lacks ML-DSA)', (spec) => {
  it('RAW round trip, tamper rejected, SPKI carries the NIST OID', () => {
    const m = materialFor(spec)
    const sig = sign(spec, m, 'ML_DSA_SHAKE_256', message, 'RAW')
    expect(verify(spec, m, 'ML_DSA_SHAKE_256', message, 'RAW', sig)).toBe(true)
    expect(verify(spec, m, 'ML_DSA_SHAKE_256', utf8('other'), 'RAW', sig)).toBe(false)
    const oidTail = { ML_DSA_44: 0x11, ML_DSA_65: 0x12, ML_DSA_87: 0x13 }[spec]
    const spki = publicKeyDer(spec, m)
    const oid = Buffer.from([0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, oidTail])
    expect(Buffer.from(spki).indexOf(oid)).toBeGreaterThan(0)
  })
  it('EXTERNAL_MU: signing μ = SHAKE256(SHAKE256(pk,64) ‖ 0 ‖ 0 ‖ M) yields a signature valid for RAW M (FIPS 204 §6.2)', () => {
    const m = materialFor(spec)
    const spki = publicKeyDer(spec, m)
    const pk = spki.subarray(spki.length - { ML_DSA_44: 1312, ML_DSA_65: 1952, ML_DSA_87: 2592 }[spec])
    const tr = shake256(pk, { dkLen: 64 })
    const mu = shake256(new Uint8Array([...tr, 0, 0, ...message]), { dkLen: 64 })
    const sig = sign(spec, m, 'ML_DSA_SHAKE_256', mu, 'EXTERNAL_MU')
    expect(verify(spec, m, 'ML_DSA_SHAKE_256', message, 'RAW', sig)).toBe(true)
    expect(verify(spec, m, 'ML_DSA_SHAKE_256', mu, 'EXTERNAL_MU', sign(spec, m, 'ML_DSA_SHAKE_256', message, 'RAW'))).toBe(true)
  })
})

describe.each(NIST_SPECS)('%s ECDH interoperates with node:crypto', (spec) => {
  const curve = { ECC_NIST_P256: 'prime256v1', ECC_NIST_P384: 'secp384r1', ECC_NIST_P521: 'secp521r1' }[spec]
  it('raw x-coordinate matches node diffieHellman both ways; a peer on another curve is Validation', () => {
    const m = materialFor(spec)
    const peer = generateKeyPairSync('ec', { namedCurve: curve })
    const peerSpki = Uint8Array.from(peer.publicKey.export({ type: 'spki', format: 'der' }))
    const ours = deriveSharedSecret(spec, m, 'ECDH', peerSpki)
    expect(ours).toEqual(Uint8Array.from(diffieHellman({ privateKey: nodePrivate(m), publicKey: peer.publicKey })))
    expect(ours).toEqual(Uint8Array.from(diffieHellman({ privateKey: peer.privateKey, publicKey: nodePublic(publicKeyDer(spec, m)) })))
    const other = generateKeyPairSync('ec', { namedCurve: curve === 'prime256v1' ? 'secp384r1' : 'prime256v1' })
    expect(arcaErrorOf(() => deriveSharedSecret(spec, m, 'ECDH', Uint8Array.from(other.publicKey.export({ type: 'spki', format: 'der' })))).code).toBe('Validation')
    expect(arcaErrorOf(() => deriveSharedSecret(spec, m, 'ECDH', utf8('not a key'))).code).toBe('Validation')
    const offCurve = peerSpki.slice()
    offCurve[offCurve.length - 1] ^= 1
    expect(arcaErrorOf(() => deriveSharedSecret(spec, m, 'ECDH', offCurve)).code).toBe('Validation')
  })
})

describe('generateDataKeyPair', () => {
  it.each(DATA_KEY_PAIR_SPECS)('%s: PKCS#8 imports into node:crypto and matches the SPKI', (spec) => {
    const { privateKey, publicKey } = generateDataKeyPair(spec)
    const key = nodePrivate(privateKey)
    expect(Uint8Array.from(createPublicKey(key).export({ type: 'spki', format: 'der' }))).toEqual(publicKey)
    expect(() => importableMaterialCheck(spec, privateKey)).not.toThrow()
  })
})

describe('importableMaterialCheck', () => {
  const nodeMade: [KeySpec, () => Uint8Array][] = [
    ['RSA_2048', () => pkcs8(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey)],
    ['ECC_NIST_P256', () => pkcs8(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey)],
    ['ECC_NIST_P384', () => pkcs8(generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey)],
    ['ECC_NIST_P521', () => pkcs8(generateKeyPairSync('ec', { namedCurve: 'secp521r1' }).privateKey)],
    ['ECC_SECG_P256K1', () => pkcs8(generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey)],
    ['ECC_NIST_EDWARDS25519', () => pkcs8(generateKeyPairSync('ed25519').privateKey)],
  ]
  function pkcs8(k: ReturnType<typeof nodePrivate>): Uint8Array {
    return Uint8Array.from(k.export({ type: 'pkcs8', format: 'der' }))
  }
  it.each(nodeMade)('%s: accepts node-made PKCS#8 and signs with it', (spec, make) => {
    const m = make()
    importableMaterialCheck(spec, m)
    const alg = { RSA_2048: 'RSASSA_PSS_SHA_256', ECC_NIST_EDWARDS25519: 'ED25519_SHA_512' }[spec as string] ?? ECDSA_ALG[spec as 'ECC_NIST_P256'].alg
    expect(verify(spec, m, alg, message, 'RAW', sign(spec, m, alg, message, 'RAW'))).toBe(true)
  })
  it('rejects wrong sizes, wrong curves and junk with IncorrectKeyMaterial', () => {
    expect(() => importableMaterialCheck('SYMMETRIC_DEFAULT', new Uint8Array(32))).not.toThrow()
    for (const n of [0, 16, 31, 33]) expect(arcaErrorOf(() => importableMaterialCheck('SYMMETRIC_DEFAULT', new Uint8Array(n))).code).toBe('IncorrectKeyMaterial')
    expect(() => importableMaterialCheck('HMAC_256', new Uint8Array(64))).not.toThrow()
    expect(arcaErrorOf(() => importableMaterialCheck('HMAC_256', new Uint8Array(31))).code).toBe('IncorrectKeyMaterial')
    expect(arcaErrorOf(() => importableMaterialCheck('HMAC_512', new Uint8Array(129))).code).toBe('IncorrectKeyMaterial')
    expect(arcaErrorOf(() => importableMaterialCheck('RSA_3072', materialFor('RSA_2048'))).code).toBe('IncorrectKeyMaterial')
    expect(arcaErrorOf(() => importableMaterialCheck('ECC_NIST_P384', materialFor('ECC_NIST_P256'))).code).toBe('IncorrectKeyMaterial')
    expect(arcaErrorOf(() => importableMaterialCheck('ECC_NIST_P256', materialFor('ECC_SECG_P256K1'))).code).toBe('IncorrectKeyMaterial')
    expect(arcaErrorOf(() => importableMaterialCheck('ECC_NIST_EDWARDS25519', materialFor('ECC_NIST_P256'))).code).toBe('IncorrectKeyMaterial')
    for (const spec of ['RSA_2048', 'ECC_NIST_P256', 'ECC_NIST_EDWARDS25519'] as const) {
      expect(arcaErrorOf(() => importableMaterialCheck(spec, utf8('junk'))).code).toBe('IncorrectKeyMaterial')
    }
    expect(arcaErrorOf(() => importableMaterialCheck('ML_DSA_65', materialFor('ML_DSA_65'))).code).toBe('UnsupportedOperation')
  })
  it('rejects an EC key whose embedded public key does not match its scalar', () => {
    const a = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ format: 'jwk' })
    const b = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ format: 'jwk' })
    const mixed = pkcs8(createPrivateKey({ key: { ...a, x: b.x, y: b.y }, format: 'jwk' }))
    expect(arcaErrorOf(() => importableMaterialCheck('ECC_NIST_P256', mixed)).code).toBe('IncorrectKeyMaterial')
  })
})

describe('import wrapping (GetParametersForImport / ImportKeyMaterial)', () => {
  it.each(['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] as const)('%s: node-wrapped material unwraps; tampering is InvalidCiphertext', (alg) => {
    const pair = rsaWrappingKeyPair('RSA_2048')
    const keyMaterial = new Uint8Array(32).fill(7)
    const wrapped = Uint8Array.from(
      publicEncrypt({ key: nodePublic(pair.publicKey), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: alg === 'RSAES_OAEP_SHA_1' ? 'sha1' : 'sha256' }, keyMaterial),
    )
    expect(unwrapImportedMaterial(alg, pair.privateKey, wrapped)).toEqual(keyMaterial)
    wrapped[5] ^= 0x80
    expect(arcaErrorOf(() => unwrapImportedMaterial(alg, pair.privateKey, wrapped)).code).toBe('InvalidCiphertext')
    expect(arcaErrorOf(() => unwrapImportedMaterial(alg, utf8('junk'), wrapped)).code).toBe('InvalidCiphertext')
  })
  it('makes 3072 and 4096-bit wrapping keys', () => {
    for (const spec of ['RSA_3072', 'RSA_4096'] as const) {
      const { publicKey } = rsaWrappingKeyPair(spec)
      expect(nodePublic(publicKey).asymmetricKeyDetails?.modulusLength).toBe(Number(spec.slice(4)))
    }
  })
})
