import { ed25519, ed25519ph } from '@noble/curves/ed25519.js'
import { ArcaError } from '../../core/index.ts'
import { TAG, algorithmIdentifier, octetString, oid, parsePkcs8, parseSpki, pkcs8, readOne, spki } from './der.ts'
import { messageTypeError } from './digest.ts'
import type { MessageType } from './specs.ts'

// Ed25519 (RFC 8032 §5.1) with @noble/curves. Material: PKCS#8 per RFC 8410 §7, whose privateKey
// is CurvePrivateKey ::= OCTET STRING (the 32-byte seed).

const ED25519 = algorithmIdentifier(oid('1.3.101.112')) // RFC 8410 §3 id-Ed25519
const SEED_BYTES = 32
// FIPS 186-5 §7.8.1 / AWS Sign: ED25519_PH_SHA_512 takes a SHA-512 digest (64 bytes) and pre-hashes it again.
const PH_DIGEST_BYTES = 64
// RFC 8032 strict decoding (as OpenSSL), not ZIP-215's permissive one.
const STRICT = { zip215: false }

function seedOf(material: Uint8Array): Uint8Array {
  const seed = readOne(parsePkcs8(material, ED25519), TAG.OCTET_STRING)
  if (seed.length !== SEED_BYTES) throw new ArcaError('Validation', 'The key is not a valid DER encoding.')
  return seed.slice()
}

function withSeed<T>(material: Uint8Array, use: (seed: Uint8Array) => T): T {
  let seed: Uint8Array
  try {
    seed = seedOf(material)
  } catch (cause) {
    throw new ArcaError('Internal', 'Stored ECC_NIST_EDWARDS25519 key material is unreadable.', { cause })
  }
  try {
    return use(seed)
  } finally {
    seed.fill(0)
  }
}

export function generateEd25519(): Uint8Array {
  const seed = ed25519.utils.randomSecretKey()
  const inner = octetString(seed)
  try {
    return pkcs8(ED25519, inner)
  } finally {
    seed.fill(0)
    inner.fill(0)
  }
}

export function ed25519PublicKeyDer(material: Uint8Array): Uint8Array {
  return withSeed(material, (seed) => spki(ED25519, ed25519.getPublicKey(seed)))
}

/** ED25519_SHA_512 requires RAW; ED25519_PH_SHA_512 requires DIGEST (AWS Sign, MessageType). */
function signerFor(algorithm: string, message: Uint8Array, messageType: MessageType): typeof ed25519 {
  if (algorithm === 'ED25519_SHA_512') {
    if (messageType !== 'RAW') throw messageTypeError(messageType, algorithm)
    return ed25519
  }
  if (messageType !== 'DIGEST') throw messageTypeError(messageType, algorithm)
  if (message.length !== PH_DIGEST_BYTES) throw new ArcaError('Validation', `Digest is invalid length for algorithm ${algorithm}.`)
  return ed25519ph
}

export function ed25519Sign(material: Uint8Array, algorithm: string, message: Uint8Array, messageType: MessageType): Uint8Array {
  const signer = signerFor(algorithm, message, messageType)
  return withSeed(material, (seed) => signer.sign(message, seed))
}

/** Verifies against a DER SPKI public key; a bad signature is false, a bad key is ArcaError('Validation'). */
export function ed25519Verify(publicKeyDer: Uint8Array, algorithm: string, message: Uint8Array, messageType: MessageType, signature: Uint8Array): boolean {
  const signer = signerFor(algorithm, message, messageType)
  let publicKey: Uint8Array
  try {
    publicKey = parseSpki(publicKeyDer, ED25519)
    if (publicKey.length !== SEED_BYTES) throw new Error('length')
  } catch {
    throw new ArcaError('Validation', 'The public key must be a DER-encoded X.509 SubjectPublicKeyInfo for key spec ECC_NIST_EDWARDS25519.', { field: 'PublicKey' })
  }
  try {
    return signer.verify(signature, message, publicKey, STRICT)
  } catch {
    return false
  }
}

export function checkEd25519Material(material: Uint8Array): void {
  try {
    seedOf(material).fill(0)
  } catch {
    throw new ArcaError('IncorrectKeyMaterial', 'The key material is not a valid ECC_NIST_EDWARDS25519 private key.')
  }
}
