import { ArcaError } from '../../core/index.ts'
import { concatBytes, equalBytes } from './digest.ts'

// Just enough DER (ITU-T X.690) for the fixed PKCS#8 (RFC 5208/5958) and SubjectPublicKeyInfo
// (RFC 5280 §4.1) shapes of EC, Ed25519 and ML-DSA keys. RSA keys go through node:crypto.

export const TAG = { INTEGER: 0x02, BIT_STRING: 0x03, OCTET_STRING: 0x04, OID: 0x06, SEQUENCE: 0x30 } as const

export interface Tlv {
  tag: number
  body: Uint8Array
}

const malformed = (): ArcaError => new ArcaError('Validation', 'The key is not a valid DER encoding.')

export function tlv(tag: number, body: Uint8Array): Uint8Array {
  const n = body.length
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : null
  if (len === null) throw malformed()
  return concatBytes(Uint8Array.of(tag, ...len), body)
}

export const sequence = (...parts: Uint8Array[]): Uint8Array => tlv(TAG.SEQUENCE, concatBytes(...parts))
export const octetString = (body: Uint8Array): Uint8Array => tlv(TAG.OCTET_STRING, body)
export const bitString = (body: Uint8Array): Uint8Array => tlv(TAG.BIT_STRING, concatBytes(Uint8Array.of(0), body))
export const smallInteger = (v: number): Uint8Array => Uint8Array.of(TAG.INTEGER, 1, v)

/** An OBJECT IDENTIFIER from its dotted form. */
export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number)
  const out = [40 * arcs[0] + arcs[1]]
  for (const arc of arcs.slice(2)) {
    const b7: number[] = []
    let v = arc
    do {
      b7.unshift(v & 0x7f)
      v = Math.floor(v / 128)
    } while (v > 0)
    for (let i = 0; i < b7.length - 1; i++) b7[i] |= 0x80
    out.push(...b7)
  }
  return tlv(TAG.OID, Uint8Array.from(out))
}

/** Reads every TLV in `buf`, rejecting indefinite or non-minimal lengths and trailing bytes. */
export function readAll(buf: Uint8Array): Tlv[] {
  const out: Tlv[] = []
  let at = 0
  while (at < buf.length) {
    if (at + 2 > buf.length) throw malformed()
    const tag = buf[at]
    let len = buf[at + 1]
    at += 2
    if (len & 0x80) {
      const count = len & 0x7f
      if (count === 0 || count > 2 || at + count > buf.length) throw malformed()
      len = 0
      for (let i = 0; i < count; i++) len = (len << 8) | buf[at + i]
      if (len < 0x80 || (count === 2 && len < 0x100)) throw malformed()
      at += count
    }
    if (at + len > buf.length) throw malformed()
    out.push({ tag, body: buf.subarray(at, at + len) })
    at += len
  }
  return out
}

/** Exactly one TLV with the given tag filling `buf`. */
export function readOne(buf: Uint8Array, tag: number): Uint8Array {
  const all = readAll(buf)
  if (all.length !== 1 || all[0].tag !== tag) throw malformed()
  return all[0].body
}

/** AlgorithmIdentifier: the OID, plus an OID parameter (EC named curve) when given. */
export function algorithmIdentifier(algorithm: Uint8Array, parameter?: Uint8Array): Uint8Array {
  return parameter === undefined ? sequence(algorithm) : sequence(algorithm, parameter)
}

function expectAlgorithm(encoded: Uint8Array, expected: Uint8Array): void {
  if (!equalBytes(encoded, expected)) throw malformed()
}

/** PKCS#8 OneAsymmetricKey v1 (version 0) with no attributes. */
export function pkcs8(algorithmId: Uint8Array, privateKey: Uint8Array): Uint8Array {
  return sequence(smallInteger(0), algorithmId, octetString(privateKey))
}

/** The privateKey OCTET STRING of a PKCS#8 document whose AlgorithmIdentifier must equal `algorithmId`. */
export function parsePkcs8(der: Uint8Array, algorithmId: Uint8Array): Uint8Array {
  const fields = readAll(readOne(der, TAG.SEQUENCE))
  if (fields.length < 3 || fields[0].tag !== TAG.INTEGER || fields[1].tag !== TAG.SEQUENCE || fields[2].tag !== TAG.OCTET_STRING) throw malformed()
  const version = fields[0].body
  if (version.length !== 1 || version[0] > 1) throw malformed()
  expectAlgorithm(tlv(TAG.SEQUENCE, fields[1].body), algorithmId)
  // [0] attributes and [1] publicKey (RFC 5958) may follow; nothing else.
  for (const extra of fields.slice(3)) if (extra.tag !== 0xa0 && extra.tag !== 0x81 && extra.tag !== 0xa1) throw malformed()
  return fields[2].body
}

export function spki(algorithmId: Uint8Array, publicKey: Uint8Array): Uint8Array {
  return sequence(algorithmId, bitString(publicKey))
}

/** The subjectPublicKey bits of an SPKI whose AlgorithmIdentifier must equal `algorithmId`. */
export function parseSpki(der: Uint8Array, algorithmId: Uint8Array): Uint8Array {
  const fields = readAll(readOne(der, TAG.SEQUENCE))
  if (fields.length !== 2 || fields[0].tag !== TAG.SEQUENCE || fields[1].tag !== TAG.BIT_STRING) throw malformed()
  expectAlgorithm(tlv(TAG.SEQUENCE, fields[0].body), algorithmId)
  const bits = fields[1].body
  if (bits.length < 1 || bits[0] !== 0) throw malformed()
  return bits.subarray(1)
}
