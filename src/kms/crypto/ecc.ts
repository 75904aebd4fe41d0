import { p256, p384, p521 } from '@noble/curves/nist.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { ArcaError } from '../../core/index.ts'
import { TAG, algorithmIdentifier, bitString, octetString, oid, parsePkcs8, parseSpki, pkcs8, readAll, readOne, sequence, smallInteger, spki, tlv } from './der.ts'
import { digestFor, equalBytes } from './digest.ts'
import type { EcdsaSpec, MessageType } from './specs.ts'

// ECDSA and ECDH on the NIST curves and secp256k1 with @noble/curves.
// Material: PKCS#8 (RFC 5208) wrapping an RFC 5915 ECPrivateKey { version 1, privateKey, [1] publicKey }.

type Curve = typeof p256

interface CurveDef {
  curve: Curve
  algorithmId: Uint8Array
  curveOid: Uint8Array
  /** RFC 5915: the private key octet string is ceil(log2(n)/8) bytes. */
  scalarBytes: number
}

const ID_EC_PUBLIC_KEY = oid('1.2.840.10045.2.1') // RFC 5480 §2.1.1

function def(curve: Curve, curveOid: string, scalarBytes: number): CurveDef {
  const named = oid(curveOid)
  return { curve, curveOid: named, algorithmId: algorithmIdentifier(ID_EC_PUBLIC_KEY, named), scalarBytes }
}

// RFC 5480 §2.1.1.1 named curves; secp256k1 from SEC 2 §A.2.1.
const CURVES: Record<EcdsaSpec, CurveDef> = {
  ECC_NIST_P256: def(p256, '1.2.840.10045.3.1.7', 32),
  ECC_NIST_P384: def(p384, '1.3.132.0.34', 48),
  ECC_NIST_P521: def(p521, '1.3.132.0.35', 66),
  ECC_SECG_P256K1: def(secp256k1, '1.3.132.0.10', 32),
}

const incorrect = (spec: string): ArcaError => new ArcaError('IncorrectKeyMaterial', `The key material is not a valid ${spec} private key.`)

function encodePrivate(c: CurveDef, d: Uint8Array): Uint8Array {
  const publicKey = c.curve.getPublicKey(d, false)
  const scalar = octetString(d)
  const inner = sequence(smallInteger(1), scalar, tlv(0xa1, bitString(publicKey)))
  try {
    return pkcs8(c.algorithmId, inner)
  } finally {
    scalar.fill(0)
    inner.fill(0)
  }
}

/** The private scalar (left-padded to the curve size) and any embedded public key. */
function decodePrivate(c: CurveDef, material: Uint8Array): { d: Uint8Array; embeddedPublic?: Uint8Array } {
  const fields = readAll(readOne(parsePkcs8(material, c.algorithmId), TAG.SEQUENCE))
  if (fields.length < 2 || fields[0].tag !== TAG.INTEGER || fields[1].tag !== TAG.OCTET_STRING) throw new Error('ECPrivateKey')
  if (fields[0].body.length !== 1 || fields[0].body[0] !== 1) throw new Error('ECPrivateKey version')
  const raw = fields[1].body
  if (raw.length === 0 || raw.length > c.scalarBytes) throw new Error('ECPrivateKey length')
  const d = new Uint8Array(c.scalarBytes)
  d.set(raw, c.scalarBytes - raw.length)
  let embeddedPublic: Uint8Array | undefined
  for (const f of fields.slice(2)) {
    if (f.tag === 0xa0 && !equalBytes(f.body, c.curveOid)) throw new Error('ECPrivateKey curve')
    if (f.tag === 0xa1) {
      const bits = readOne(f.body, TAG.BIT_STRING)
      if (bits[0] !== 0) throw new Error('ECPrivateKey public key')
      embeddedPublic = bits.subarray(1)
    }
  }
  return embeddedPublic === undefined ? { d } : { d, embeddedPublic }
}

export function generateEcc(spec: EcdsaSpec): Uint8Array {
  const c = CURVES[spec]
  const d = c.curve.utils.randomSecretKey()
  try {
    return encodePrivate(c, d)
  } finally {
    d.fill(0)
  }
}

function withScalar<T>(spec: EcdsaSpec, material: Uint8Array, use: (d: Uint8Array, c: CurveDef) => T): T {
  const c = CURVES[spec]
  let d: Uint8Array
  try {
    d = decodePrivate(c, material).d
  } catch (cause) {
    throw new ArcaError('Internal', `Stored ${spec} key material is unreadable.`, { cause })
  }
  try {
    return use(d, c)
  } finally {
    d.fill(0)
  }
}

export function eccPublicKeyDer(spec: EcdsaSpec, material: Uint8Array): Uint8Array {
  return withScalar(spec, material, (d, c) => spki(c.algorithmId, c.curve.getPublicKey(d, false)))
}

/** ECDSA over the digest (RAW → hashed here), DER SEQUENCE{r,s}; RFC 6979 deterministic nonces, high S kept as OpenSSL does. */
export function ecdsaSign(spec: EcdsaSpec, material: Uint8Array, algorithm: string, message: Uint8Array, messageType: MessageType): Uint8Array {
  const digest = digestFor(algorithm, message, messageType)
  return withScalar(spec, material, (d, c) => c.curve.sign(digest, d, { prehash: false, lowS: false, format: 'der' }))
}

/** Verifies against a DER SPKI public key; a bad signature is false, a bad key is ArcaError('Validation'). */
export function ecdsaVerify(spec: EcdsaSpec, publicKeyDer: Uint8Array, algorithm: string, message: Uint8Array, messageType: MessageType, signature: Uint8Array): boolean {
  const digest = digestFor(algorithm, message, messageType)
  const publicKey = peerPoint(spec, publicKeyDer)
  try {
    return CURVES[spec].curve.verify(signature, digest, publicKey, { prehash: false, lowS: false, format: 'der' })
  } catch {
    return false
  }
}

/** The point of a DER SPKI on the spec's curve, validated; anything else is ArcaError('Validation'). */
function peerPoint(spec: EcdsaSpec, der: Uint8Array): Uint8Array {
  const c = CURVES[spec]
  try {
    const point = parseSpki(der, c.algorithmId)
    c.curve.Point.fromBytes(point).assertValidity()
    return point
  } catch {
    throw new ArcaError('Validation', `The public key must be a DER-encoded X.509 SubjectPublicKeyInfo for a point on the curve of key spec ${spec}.`, { field: 'PublicKey' })
  }
}

/** ECDH (SP 800-56A): the raw x-coordinate of d·Q, as AWS DeriveSharedSecret returns it. */
export function ecdh(spec: EcdsaSpec, material: Uint8Array, peerPublicKeyDer: Uint8Array): Uint8Array {
  const c = CURVES[spec]
  const point = peerPoint(spec, peerPublicKeyDer)
  return withScalar(spec, material, (d) => {
    const shared = c.curve.getSharedSecret(d, point, true)
    const x = shared.slice(1)
    shared.fill(0)
    return x
  })
}

/** Imported EC material: a PKCS#8 key on the right curve, scalar in [1, n-1], embedded public key (if any) consistent. */
export function checkEccMaterial(spec: EcdsaSpec, material: Uint8Array): void {
  const c = CURVES[spec]
  let decoded: ReturnType<typeof decodePrivate>
  try {
    decoded = decodePrivate(c, material)
  } catch {
    throw incorrect(spec)
  }
  try {
    if (!c.curve.utils.isValidSecretKey(decoded.d)) throw incorrect(spec)
    const pub = c.curve.getPublicKey(decoded.d, false)
    if (decoded.embeddedPublic !== undefined && !equalBytes(c.curve.Point.fromBytes(decoded.embeddedPublic).toBytes(false), pub)) throw incorrect(spec)
  } catch {
    throw incorrect(spec)
  } finally {
    decoded.d.fill(0)
  }
}
