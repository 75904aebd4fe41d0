import { constants, createPrivateKey, createPublicKey, generateKeyPairSync, privateDecrypt, privateEncrypt, publicDecrypt, publicEncrypt, type KeyObject } from 'node:crypto'
import { ArcaError, randomBytes } from '../../core/index.ts'
import { concatBytes, digestFor, equalBytes, hashOf, type HashDef } from './digest.ts'
import type { MessageType, RsaSpec } from './specs.ts'

// RSA through node:crypto (noble has no RSA). Material: PKCS#8 DER as node exports it.
// Signatures are built from the digest (so MessageType DIGEST works, which node's sign() cannot do):
// EMSA-PKCS1-v1_5 via OpenSSL's type-1 padding and EMSA-PSS (MGF1 with the same hash, salt = hash
// length, as AWS) encoded here, both then raised to d by OpenSSL (blinded).

const MODULUS_BITS: Record<RsaSpec, number> = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 }
const PUBLIC_EXPONENT = 0x10001 // AWS KMS RSA keys use e = 65537

// RFC 8017 §9.2 note 1: DER DigestInfo prefixes.
const DIGEST_INFO: Record<string, Uint8Array> = {
  sha256: hex('3031300d060960864801650304020105000420'),
  sha384: hex('3041300d060960864801650304020205000430'),
  sha512: hex('3051300d060960864801650304020305000440'),
}
const OAEP_HASH: Record<string, { node: 'sha1' | 'sha256'; len: number }> = {
  RSAES_OAEP_SHA_1: { node: 'sha1', len: 20 },
  RSAES_OAEP_SHA_256: { node: 'sha256', len: 32 },
}

function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, 'hex'))
}

/** A fresh RSA key pair as PKCS#8 and SPKI DER. */
export function generateRsa(spec: RsaSpec): { privateKey: Uint8Array; publicKey: Uint8Array } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: MODULUS_BITS[spec],
    publicExponent: PUBLIC_EXPONENT,
    privateKeyEncoding: { type: 'pkcs8', format: 'der' },
    publicKeyEncoding: { type: 'spki', format: 'der' },
  })
  const out = { privateKey: Uint8Array.from(privateKey), publicKey: Uint8Array.from(publicKey) }
  privateKey.fill(0)
  return out
}

function privateKeyOf(spec: RsaSpec, material: Uint8Array): KeyObject {
  let key: KeyObject
  try {
    key = createPrivateKey({ key: Buffer.from(material.buffer, material.byteOffset, material.byteLength), format: 'der', type: 'pkcs8' })
  } catch (cause) {
    throw new ArcaError('Internal', `Stored ${spec} key material is unreadable.`, { cause })
  }
  return key
}

function modulusBits(key: KeyObject): number {
  return key.asymmetricKeyDetails?.modulusLength ?? 0
}

function rsaPublicKeyOf(spec: RsaSpec, der: Uint8Array): KeyObject {
  let key: KeyObject | undefined
  try {
    key = createPublicKey({ key: Buffer.from(der.buffer, der.byteOffset, der.byteLength), format: 'der', type: 'spki' })
  } catch {
    key = undefined
  }
  if (key?.asymmetricKeyType !== 'rsa' || modulusBits(key) !== MODULUS_BITS[spec]) {
    throw new ArcaError('Validation', `The public key must be a DER-encoded X.509 SubjectPublicKeyInfo for key spec ${spec}.`, { field: 'PublicKey' })
  }
  return key
}

export function rsaPublicKeyDer(spec: RsaSpec, material: Uint8Array): Uint8Array {
  return Uint8Array.from(createPublicKey(privateKeyOf(spec, material)).export({ type: 'spki', format: 'der' }))
}

/** MGF1 (RFC 8017 §B.2.1). */
function mgf1(hash: HashDef, seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length)
  const counter = new Uint8Array(4)
  for (let i = 0, at = 0; at < length; i++, at += hash.len) {
    new DataView(counter.buffer).setUint32(0, i)
    out.set(hash.fn(concatBytes(seed, counter)).subarray(0, Math.min(hash.len, length - at)), at)
  }
  return out
}

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1), sLen = hLen; returns EM of ceil(emBits/8) bytes. */
function pssEncode(hash: HashDef, mHash: Uint8Array, emBits: number): Uint8Array {
  const emLen = Math.ceil(emBits / 8)
  const salt = randomBytes(hash.len)
  const h = hash.fn(concatBytes(new Uint8Array(8), mHash, salt))
  const db = new Uint8Array(emLen - hash.len - 1)
  db[db.length - hash.len - 1] = 0x01
  db.set(salt, db.length - hash.len)
  const mask = mgf1(hash, h, db.length)
  for (let i = 0; i < db.length; i++) db[i] ^= mask[i]
  db[0] &= 0xff >> (8 * emLen - emBits)
  return concatBytes(db, h, Uint8Array.of(0xbc))
}

/** EMSA-PSS-VERIFY (RFC 8017 §9.1.2), sLen = hLen. */
function pssVerify(hash: HashDef, mHash: Uint8Array, em: Uint8Array, emBits: number): boolean {
  const emLen = Math.ceil(emBits / 8)
  if (em.length !== emLen || emLen < 2 * hash.len + 2 || em[emLen - 1] !== 0xbc) return false
  const db = em.slice(0, emLen - hash.len - 1)
  const h = em.subarray(emLen - hash.len - 1, emLen - 1)
  const topMask = 0xff >> (8 * emLen - emBits)
  if ((db[0] & ~topMask) !== 0) return false
  const mask = mgf1(hash, h, db.length)
  for (let i = 0; i < db.length; i++) db[i] ^= mask[i]
  db[0] &= topMask
  const psLen = db.length - hash.len - 1
  for (let i = 0; i < psLen; i++) if (db[i] !== 0) return false
  if (db[psLen] !== 0x01) return false
  const salt = db.subarray(db.length - hash.len)
  return equalBytes(h, hash.fn(concatBytes(new Uint8Array(8), mHash, salt)))
}

function leftPad(bytes: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length)
  out.set(bytes, length - bytes.length)
  return out
}

export function rsaSign(spec: RsaSpec, material: Uint8Array, algorithm: string, message: Uint8Array, messageType: MessageType): Uint8Array {
  const digest = digestFor(algorithm, message, messageType)
  const hash = hashOf(algorithm)
  const key = privateKeyOf(spec, material)
  const bits = modulusBits(key)
  const k = Math.ceil(bits / 8)
  if (algorithm.startsWith('RSASSA_PKCS1_V1_5_')) {
    return Uint8Array.from(privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, concatBytes(DIGEST_INFO[hash.node], digest)))
  }
  const em = leftPad(pssEncode(hash, digest, bits - 1), k)
  return Uint8Array.from(privateEncrypt({ key, padding: constants.RSA_NO_PADDING }, em))
}

/** Verifies against a DER SPKI public key; a bad signature is false, a bad key is ArcaError('Validation'). */
export function rsaVerify(spec: RsaSpec, publicKeyDer: Uint8Array, algorithm: string, message: Uint8Array, messageType: MessageType, signature: Uint8Array): boolean {
  const digest = digestFor(algorithm, message, messageType)
  const hash = hashOf(algorithm)
  const key = rsaPublicKeyOf(spec, publicKeyDer)
  const bits = modulusBits(key)
  const k = Math.ceil(bits / 8)
  if (signature.length !== k) return false // RFC 8017 §8.1.2 / §8.2.2 step 1
  const pkcs1 = algorithm.startsWith('RSASSA_PKCS1_V1_5_')
  let recovered: Uint8Array
  try {
    recovered = publicDecrypt({ key, padding: pkcs1 ? constants.RSA_PKCS1_PADDING : constants.RSA_NO_PADDING }, signature)
  } catch {
    return false
  }
  if (pkcs1) return equalBytes(recovered, concatBytes(DIGEST_INFO[hash.node], digest))
  const emLen = Math.ceil((bits - 1) / 8)
  if (recovered.length !== k || (emLen < k && recovered[0] !== 0)) return false
  return pssVerify(hash, digest, recovered.subarray(k - emLen), bits - 1)
}

/** Largest OAEP plaintext: k − 2·hLen − 2 (RFC 8017 §7.1.1); AWS: 2048 214/190, 3072 342/318, 4096 470/446. */
export function rsaMaxPlaintext(spec: RsaSpec, algorithm: string): number {
  return MODULUS_BITS[spec] / 8 - 2 * OAEP_HASH[algorithm].len - 2
}

export function rsaEncrypt(spec: RsaSpec, material: Uint8Array, algorithm: string, plaintext: Uint8Array): Uint8Array {
  return oaepEncrypt(createPublicKey(privateKeyOf(spec, material)), algorithm, plaintext)
}

export function oaepEncrypt(publicKey: KeyObject, algorithm: string, plaintext: Uint8Array): Uint8Array {
  return Uint8Array.from(publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: OAEP_HASH[algorithm].node }, plaintext))
}

/** RSAES-OAEP decryption (MGF1 with the OAEP hash, empty label); any failure is InvalidCiphertext. */
export function oaepDecrypt(privateKey: KeyObject, algorithm: string, ciphertext: Uint8Array): Uint8Array {
  const k = Math.ceil(modulusBits(privateKey) / 8)
  if (ciphertext.length !== k) throw new ArcaError('InvalidCiphertext', '')
  try {
    const plaintext = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: OAEP_HASH[algorithm].node }, ciphertext)
    const out = Uint8Array.from(plaintext)
    plaintext.fill(0)
    return out
  } catch (cause) {
    throw new ArcaError('InvalidCiphertext', '', { cause })
  }
}

export function rsaDecrypt(spec: RsaSpec, material: Uint8Array, algorithm: string, ciphertext: Uint8Array): Uint8Array {
  return oaepDecrypt(privateKeyOf(spec, material), algorithm, ciphertext)
}

/** The private key of a wrapping pair (GetParametersForImport), parsed; failure is InvalidCiphertext. */
export function wrappingPrivateKey(privateKey: Uint8Array): KeyObject {
  try {
    const key = createPrivateKey({ key: Buffer.from(privateKey.buffer, privateKey.byteOffset, privateKey.byteLength), format: 'der', type: 'pkcs8' })
    if (key.asymmetricKeyType !== 'rsa') throw new Error('not RSA')
    return key
  } catch (cause) {
    throw new ArcaError('InvalidCiphertext', '', { cause })
  }
}

/** Imported RSA material: PKCS#8 RSA key (not RSA-PSS-restricted) of exactly the spec's size. */
export function checkRsaMaterial(spec: RsaSpec, material: Uint8Array): void {
  let key: KeyObject
  try {
    key = createPrivateKey({ key: Buffer.from(material.buffer, material.byteOffset, material.byteLength), format: 'der', type: 'pkcs8' })
  } catch {
    throw new ArcaError('IncorrectKeyMaterial', `The key material is not a valid ${spec} private key.`)
  }
  if (key.asymmetricKeyType !== 'rsa' || modulusBits(key) !== MODULUS_BITS[spec]) {
    throw new ArcaError('IncorrectKeyMaterial', `The key material is not a valid ${spec} private key.`)
  }
}
