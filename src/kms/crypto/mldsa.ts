import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js'
import { ArcaError, randomBytes } from '../../core/index.ts'
import { algorithmIdentifier, oid, parsePkcs8, parseSpki, pkcs8, spki, tlv } from './der.ts'
import { messageTypeError } from './digest.ts'
import { EXTERNAL_MU_BYTES, type MessageType, type MlDsaSpec } from './specs.ts'

// ML-DSA (FIPS 204) with @noble/post-quantum: pure mode, empty context, hedged signing.
// Material: PKCS#8 whose privateKey is the RFC 9881 "seed" choice, [0] IMPLICIT OCTET STRING (SIZE (32)),
// the form from which the FIPS 204 key pair is re-derived (ML-DSA.KeyGen_internal).

const PARAMS: Record<MlDsaSpec, { dsa: typeof ml_dsa44; algorithmId: Uint8Array }> = {
  // NIST CSOR: id-ml-dsa-44/65/87 = 2.16.840.1.101.3.4.3.17/18/19, no parameters (RFC 9881 §2)
  ML_DSA_44: { dsa: ml_dsa44, algorithmId: algorithmIdentifier(oid('2.16.840.1.101.3.4.3.17')) },
  ML_DSA_65: { dsa: ml_dsa65, algorithmId: algorithmIdentifier(oid('2.16.840.1.101.3.4.3.18')) },
  ML_DSA_87: { dsa: ml_dsa87, algorithmId: algorithmIdentifier(oid('2.16.840.1.101.3.4.3.19')) },
}
const SEED_BYTES = 32 // FIPS 204 §5.1 ξ
const SEED_TAG = 0x80 // RFC 9881 §6: seed [0] IMPLICIT OCTET STRING

export function generateMlDsa(spec: MlDsaSpec): Uint8Array {
  const { algorithmId } = PARAMS[spec]
  const seed = randomBytes(SEED_BYTES)
  const inner = tlv(SEED_TAG, seed)
  try {
    return pkcs8(algorithmId, inner)
  } finally {
    seed.fill(0)
    inner.fill(0)
  }
}

function withKeys<T>(spec: MlDsaSpec, material: Uint8Array, use: (keys: { secretKey: Uint8Array; publicKey: Uint8Array }) => T): T {
  const { dsa, algorithmId } = PARAMS[spec]
  let seed: Uint8Array
  try {
    const privateKey = parsePkcs8(material, algorithmId)
    if (privateKey.length !== SEED_BYTES + 2 || privateKey[0] !== SEED_TAG || privateKey[1] !== SEED_BYTES) throw new Error('seed form')
    seed = privateKey.slice(2)
  } catch (cause) {
    throw new ArcaError('Internal', `Stored ${spec} key material is unreadable.`, { cause })
  }
  const keys = dsa.keygen(seed)
  seed.fill(0)
  try {
    return use(keys)
  } finally {
    keys.secretKey.fill(0)
  }
}

export function mlDsaPublicKeyDer(spec: MlDsaSpec, material: Uint8Array): Uint8Array {
  return withKeys(spec, material, (k) => spki(PARAMS[spec].algorithmId, k.publicKey))
}

/** RAW messages are signed as ML-DSA.Sign(sk, M, ctx = ""); EXTERNAL_MU messages are the 64-byte μ (FIPS 204 §6.2). */
export function mlDsaSign(spec: MlDsaSpec, material: Uint8Array, algorithm: string, message: Uint8Array, messageType: MessageType): Uint8Array {
  const { dsa } = PARAMS[spec]
  const externalMu = isExternalMu(algorithm, message, messageType)
  return withKeys(spec, material, (k) => (externalMu ? dsa.internal.sign(message, k.secretKey, { externalMu: true }) : dsa.sign(message, k.secretKey)))
}

/** Verifies against a DER SPKI public key; a bad signature is false, a bad key is ArcaError('Validation'). */
export function mlDsaVerify(spec: MlDsaSpec, publicKeyDer: Uint8Array, algorithm: string, message: Uint8Array, messageType: MessageType, signature: Uint8Array): boolean {
  const { dsa, algorithmId } = PARAMS[spec]
  const externalMu = isExternalMu(algorithm, message, messageType)
  let publicKey: Uint8Array
  try {
    publicKey = parseSpki(publicKeyDer, algorithmId)
    if (publicKey.length !== dsa.lengths.publicKey) throw new Error('length')
  } catch {
    throw new ArcaError('Validation', `The public key must be a DER-encoded X.509 SubjectPublicKeyInfo for key spec ${spec}.`, { field: 'PublicKey' })
  }
  try {
    return externalMu ? dsa.internal.verify(signature, message, publicKey, { externalMu: true }) : dsa.verify(signature, message, publicKey)
  } catch {
    return false
  }
}

function isExternalMu(algorithm: string, message: Uint8Array, messageType: MessageType): boolean {
  if (messageType === 'RAW') return false
  if (messageType !== 'EXTERNAL_MU') throw messageTypeError(messageType, algorithm)
  if (message.length !== EXTERNAL_MU_BYTES) throw new ArcaError('Validation', `Digest is invalid length for algorithm ${algorithm}.`)
  return true
}
