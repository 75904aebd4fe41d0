import { ArcaError, randomBytes } from '../../core/index.ts'
import { checkEccMaterial, ecdh, ecdsaSign, ecdsaVerify, eccPublicKeyDer, generateEcc } from './ecc.ts'
import { checkEd25519Material, ed25519PublicKeyDer, ed25519Sign, ed25519Verify, generateEd25519 } from './eddsa.ts'
import { checkHmacMaterial, generateHmacKey, hmacMac, hmacVerify } from './hmac.ts'
import { generateMlDsa, mlDsaPublicKeyDer, mlDsaSign, mlDsaVerify } from './mldsa.ts'
import {
  checkRsaMaterial,
  generateRsa,
  oaepDecrypt,
  rsaDecrypt,
  rsaEncrypt,
  rsaMaxPlaintext,
  rsaPublicKeyDer,
  rsaSign,
  rsaVerify,
  wrappingPrivateKey,
} from './rsa.ts'
import {
  DATA_KEY_PAIR_SPECS,
  KEY_SPECS,
  SYMMETRIC_KEY_BYTES,
  familyOf,
  isValidCombination as isValidPair,
  requireAlgorithm,
  specInfo as infoFor,
  type DataKeyPairSpec,
  type EcdsaSpec,
  type HmacSpec,
  type KeySpec,
  type KeyUsage,
  type MessageType,
  type MlDsaSpec,
  type RsaSpec,
  type SpecInfo,
} from './specs.ts'

export type { DataKeyPairSpec, KeySpec, KeyUsage, MessageType, SpecInfo }

/** Every KeySpec Arca supports (AWS's list without the China-only SM2). */
export { KEY_SPECS }

/** The KeyPairSpec values GenerateDataKeyPair accepts. */
export { DATA_KEY_PAIR_SPECS }

/**
 * The usages AWS allows for `spec` and the algorithm list DescribeKey/GetPublicKey report for
 * `spec` used as `usage`. Throws ArcaError('Validation', "KeyUsage X is not compatible with KeySpec Y")
 * for a pair AWS rejects, and ArcaError('UnsupportedOperation') for an unknown spec.
 */
export function specInfo(spec: KeySpec, usage: KeyUsage): SpecInfo {
  return infoFor(spec, usage)
}

/** Whether AWS accepts this KeySpec × KeyUsage pair in CreateKey. Never throws. */
export function isValidCombination(spec: KeySpec, usage: KeyUsage): boolean {
  return isValidPair(spec, usage)
}

/**
 * Fresh key material for `spec`. SYMMETRIC_DEFAULT: 32 random bytes; HMAC_n: a random key of the
 * hash's output length (28/32/48/64 bytes); RSA, ECC and Ed25519: PKCS#8 DER private key;
 * ML-DSA: PKCS#8 DER holding the 32-byte FIPS 204 seed (RFC 9881 seed form).
 */
export function generateKeyMaterial(spec: KeySpec): Uint8Array {
  switch (familyOf(spec)) {
    case 'symmetric':
      return randomBytes(SYMMETRIC_KEY_BYTES)
    case 'hmac':
      return generateHmacKey(spec as HmacSpec)
    case 'rsa':
      return generateRsa(spec as RsaSpec).privateKey
    case 'ecdsa':
      return generateEcc(spec as EcdsaSpec)
    case 'eddsa':
      return generateEd25519()
    case 'mldsa':
      return generateMlDsa(spec as MlDsaSpec)
  }
}

/**
 * The DER SubjectPublicKeyInfo GetPublicKey returns. Symmetric and HMAC specs have none:
 * ArcaError('UnsupportedOperation').
 */
export function publicKeyDer(spec: KeySpec, material: Uint8Array): Uint8Array {
  switch (familyOf(spec)) {
    case 'rsa':
      return rsaPublicKeyDer(spec as RsaSpec, material)
    case 'ecdsa':
      return eccPublicKeyDer(spec as EcdsaSpec, material)
    case 'eddsa':
      return ed25519PublicKeyDer(material)
    case 'mldsa':
      return mlDsaPublicKeyDer(spec as MlDsaSpec, material)
    default:
      throw new ArcaError('UnsupportedOperation', `KeySpec ${spec} has no public key.`)
  }
}

/**
 * Sign as AWS Sign does. RAW messages are hashed with the algorithm's hash; DIGEST messages must be
 * that hash's length; EXTERNAL_MU (ML-DSA only) is a 64-byte μ. ECDSA signatures are DER
 * SEQUENCE{r,s}; RSA-PSS uses MGF1 with the same hash and salt = hash length.
 * Errors: InvalidKeyUsage (algorithm not offered by the spec), Validation (message type or digest length).
 */
export function sign(spec: KeySpec, material: Uint8Array, signingAlgorithm: string, message: Uint8Array, messageType: MessageType): Uint8Array {
  requireAlgorithm(spec, 'signing', signingAlgorithm)
  switch (familyOf(spec)) {
    case 'rsa':
      return rsaSign(spec as RsaSpec, material, signingAlgorithm, message, messageType)
    case 'ecdsa':
      return ecdsaSign(spec as EcdsaSpec, material, signingAlgorithm, message, messageType)
    case 'eddsa':
      return ed25519Sign(material, signingAlgorithm, message, messageType)
    default:
      return mlDsaSign(spec as MlDsaSpec, material, signingAlgorithm, message, messageType)
  }
}

/**
 * Verify a signature made by `sign` or by any standard implementation with the public key.
 * A bad or malformed signature returns false (never throws); the same InvalidKeyUsage/Validation
 * errors as `sign` apply to the request itself.
 */
export function verify(
  spec: KeySpec,
  material: Uint8Array,
  signingAlgorithm: string,
  message: Uint8Array,
  messageType: MessageType,
  signature: Uint8Array,
): boolean {
  requireAlgorithm(spec, 'signing', signingAlgorithm)
  return verifyWithPublicKey(spec, publicKeyDer(spec, material), signingAlgorithm, message, messageType, signature)
}

/**
 * `verify` with only the DER SPKI public key (as GetPublicKey returns), so Verify never needs the
 * private key unwrapped and published vectors can be checked. A public key that is not an SPKI of
 * this spec → ArcaError('Validation'); a bad signature → false.
 */
export function verifyWithPublicKey(
  spec: KeySpec,
  publicKey: Uint8Array,
  signingAlgorithm: string,
  message: Uint8Array,
  messageType: MessageType,
  signature: Uint8Array,
): boolean {
  requireAlgorithm(spec, 'signing', signingAlgorithm)
  switch (familyOf(spec)) {
    case 'rsa':
      return rsaVerify(spec as RsaSpec, publicKey, signingAlgorithm, message, messageType, signature)
    case 'ecdsa':
      return ecdsaVerify(spec as EcdsaSpec, publicKey, signingAlgorithm, message, messageType, signature)
    case 'eddsa':
      return ed25519Verify(publicKey, signingAlgorithm, message, messageType, signature)
    default:
      return mlDsaVerify(spec as MlDsaSpec, publicKey, signingAlgorithm, message, messageType, signature)
  }
}

function requireRsaEncryption(spec: KeySpec, encryptionAlgorithm: string): RsaSpec {
  requireAlgorithm(spec, 'encryption', encryptionAlgorithm)
  if (familyOf(spec) !== 'rsa') throw new ArcaError('InvalidKeyUsage', `Algorithm ${encryptionAlgorithm} is incompatible with key spec ${spec}.`)
  return spec as RsaSpec
}

/** Largest plaintext RSAES-OAEP takes for the spec: 2048 214/190, 3072 342/318, 4096 470/446 (SHA-1/SHA-256). */
export function maxAsymmetricPlaintext(spec: KeySpec, encryptionAlgorithm: string): number {
  return rsaMaxPlaintext(requireRsaEncryption(spec, encryptionAlgorithm), encryptionAlgorithm)
}

/**
 * RSAES-OAEP encryption under the key's public half, raw output with no header (as AWS), so
 * it is interchangeable with ciphertext made outside from GetPublicKey's key.
 * Plaintext over maxAsymmetricPlaintext → ArcaError('Validation').
 */
export function asymmetricEncrypt(spec: KeySpec, material: Uint8Array, encryptionAlgorithm: string, plaintext: Uint8Array): Uint8Array {
  const rsa = requireRsaEncryption(spec, encryptionAlgorithm)
  const max = rsaMaxPlaintext(rsa, encryptionAlgorithm)
  if (plaintext.length > max) {
    throw new ArcaError('Validation', `Plaintext is too long for ${encryptionAlgorithm} with key spec ${spec}: at most ${max} bytes.`, { field: 'Plaintext' })
  }
  return rsaEncrypt(rsa, material, encryptionAlgorithm, plaintext)
}

/** RSAES-OAEP decryption; any failure (wrong length, padding, hash) is ArcaError('InvalidCiphertext', ''). */
export function asymmetricDecrypt(spec: KeySpec, material: Uint8Array, encryptionAlgorithm: string, ciphertext: Uint8Array): Uint8Array {
  return rsaDecrypt(requireRsaEncryption(spec, encryptionAlgorithm), material, encryptionAlgorithm, ciphertext)
}

/** HMAC of `message` with the spec's hash (HMAC_SHA_224/256/384/512); other algorithms → InvalidKeyUsage. */
export function generateMac(spec: KeySpec, material: Uint8Array, macAlgorithm: string, message: Uint8Array): Uint8Array {
  requireAlgorithm(spec, 'mac', macAlgorithm)
  return hmacMac(spec as HmacSpec, material, message)
}

/** Constant-time check of a MAC made by generateMac; false on mismatch (never throws for a bad MAC). */
export function verifyMac(spec: KeySpec, material: Uint8Array, macAlgorithm: string, message: Uint8Array, mac: Uint8Array): boolean {
  requireAlgorithm(spec, 'mac', macAlgorithm)
  return hmacVerify(spec as HmacSpec, material, message, mac)
}

/**
 * ECDH on the NIST curves: the raw x-coordinate of the shared point, as AWS DeriveSharedSecret
 * returns. `peerPublicKeyDer` is a DER SPKI on the same curve; anything else → ArcaError('Validation').
 */
export function deriveSharedSecret(spec: KeySpec, material: Uint8Array, keyAgreementAlgorithm: 'ECDH', peerPublicKeyDer: Uint8Array): Uint8Array {
  requireAlgorithm(spec, 'keyAgreement', keyAgreementAlgorithm)
  return ecdh(spec as EcdsaSpec, material, peerPublicKeyDer)
}

/** A fresh key pair for GenerateDataKeyPair: PKCS#8 DER private key and SPKI DER public key. */
export function generateDataKeyPair(spec: DataKeyPairSpec): { privateKey: Uint8Array; publicKey: Uint8Array } {
  if (!DATA_KEY_PAIR_SPECS.includes(spec)) {
    throw new ArcaError('Validation', `KeyPairSpec ${String(spec)} is not supported.`, { field: 'KeyPairSpec' })
  }
  if (familyOf(spec) === 'rsa') return generateRsa(spec as RsaSpec)
  const privateKey = generateKeyMaterial(spec)
  return { privateKey, publicKey: publicKeyDer(spec, privateKey) }
}

/**
 * Validates imported key material for a spec: SYMMETRIC_DEFAULT exactly 32 bytes; HMAC from the
 * hash length up to its block size; RSA/ECC/Ed25519 a PKCS#8 DER private key of exactly that spec.
 * Wrong material → ArcaError('IncorrectKeyMaterial'); ML-DSA import → ArcaError('UnsupportedOperation').
 */
export function importableMaterialCheck(spec: KeySpec, material: Uint8Array): void {
  switch (familyOf(spec)) {
    case 'symmetric':
      if (material.length !== SYMMETRIC_KEY_BYTES) throw new ArcaError('IncorrectKeyMaterial', 'Key material for SYMMETRIC_DEFAULT must be 32 bytes.')
      return
    case 'hmac':
      return checkHmacMaterial(spec as HmacSpec, material)
    case 'rsa':
      return checkRsaMaterial(spec as RsaSpec, material)
    case 'ecdsa':
      return checkEccMaterial(spec as EcdsaSpec, material)
    case 'eddsa':
      return checkEd25519Material(material)
    case 'mldsa':
      throw new ArcaError('UnsupportedOperation', `Importing key material is not supported for KeySpec ${spec}.`)
  }
}

/** An RSA wrapping key pair for GetParametersForImport: PKCS#8 DER private key, SPKI DER public key. */
export function rsaWrappingKeyPair(spec: 'RSA_2048' | 'RSA_3072' | 'RSA_4096'): { privateKey: Uint8Array; publicKey: Uint8Array } {
  if (spec !== 'RSA_2048' && spec !== 'RSA_3072' && spec !== 'RSA_4096') {
    throw new ArcaError('Validation', `WrappingKeySpec ${String(spec)} is not supported.`, { field: 'WrappingKeySpec' })
  }
  return generateRsa(spec)
}

/**
 * Unwraps ImportKeyMaterial's EncryptedKeyMaterial with the wrapping private key (RSAES-OAEP
 * SHA-1 or SHA-256). Any failure → ArcaError('InvalidCiphertext', '').
 */
export function unwrapImportedMaterial(
  wrappingAlgorithm: 'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256',
  privateKey: Uint8Array,
  encrypted: Uint8Array,
): Uint8Array {
  if (wrappingAlgorithm !== 'RSAES_OAEP_SHA_1' && wrappingAlgorithm !== 'RSAES_OAEP_SHA_256') {
    throw new ArcaError('UnsupportedOperation', `WrappingAlgorithm ${String(wrappingAlgorithm)} is not supported.`)
  }
  return oaepDecrypt(wrappingPrivateKey(privateKey), wrappingAlgorithm, encrypted)
}
