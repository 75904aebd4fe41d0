import { ed25519 } from '@noble/curves/ed25519.js'
import { ArcaError, randomBytes, toHex } from '../../core/index.ts'
import type { MetaStore } from '../../store/index.ts'
import type { Barrier } from '../barrier.ts'

/**
 * The audit signing key: an Ed25519 key (RFC 8032) generated on the first start, kept in the
 * meta table wrapped by the barrier under the root key (AAD `arca:audit-signing-key`). Every
 * node of a cluster signs with the same key (first writer wins). Its public key is also
 * stored in clear (`audit.public-key`, hex) for tools that read the database offline; Arca
 * itself verifies with the key derived from the unwrapped secret, so swapping the stored
 * public key changes nothing.
 */
export const META_SIGNING_KEY = 'audit.signing-key'
export const META_PUBLIC_KEY = 'audit.public-key'
const AAD = new TextEncoder().encode('arca:audit-signing-key')
const SEED_BYTES = 32
const CHECKPOINT_DOMAIN = 'arca-audit-checkpoint-v1'
// RFC 8410 §4: SubjectPublicKeyInfo of an Ed25519 key = this prefix followed by the 32 key bytes.
const SPKI_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00])
// RFC 8032 strict decoding, as OpenSSL.
const STRICT = { zip215: false }

export interface Checkpoint {
  node: string
  seq: number
  /** The hash of record `seq` of `node`. */
  hash: string
  time: number
}

export interface AuditSigner {
  publicKey: Uint8Array
  sign(cp: Checkpoint): string
}

/** The bytes a checkpoint signature covers. */
export function checkpointMessage(cp: Checkpoint): Uint8Array {
  return new TextEncoder().encode(JSON.stringify([CHECKPOINT_DOMAIN, cp.node, Number(cp.seq), cp.hash, Number(cp.time)]))
}

export function verifyCheckpoint(publicKey: Uint8Array, cp: Checkpoint, signatureHex: string): boolean {
  if (!/^[0-9a-f]{128}$/.test(signatureHex)) return false
  try {
    return ed25519.verify(Buffer.from(signatureHex, 'hex'), checkpointMessage(cp), publicKey, STRICT)
  } catch {
    return false
  }
}

/** Loads the signing key, generating and storing it when this is the first start. */
export async function loadAuditSigner(meta: MetaStore, barrier: Barrier): Promise<AuditSigner> {
  let stored = await meta.get(META_SIGNING_KEY)
  if (stored === undefined) {
    const seed = randomBytes(SEED_BYTES)
    const blob = barrier.wrap(AAD, seed)
    const publicKey = ed25519.getPublicKey(seed)
    seed.fill(0)
    // Another node may have won the race: then its key is the key.
    if (await meta.add(META_SIGNING_KEY, Buffer.from(blob).toString('base64'))) await meta.set(META_PUBLIC_KEY, toHex(publicKey))
    stored = await meta.get(META_SIGNING_KEY)
    if (stored === undefined) throw new ArcaError('Internal', 'The audit signing key could not be stored.')
  }
  const seed = barrier.unwrap(AAD, new Uint8Array(Buffer.from(stored, 'base64')))
  if (seed.length !== SEED_BYTES) throw new ArcaError('Internal', 'The stored audit signing key is malformed.')
  const publicKey = ed25519.getPublicKey(seed)
  return {
    publicKey,
    sign: (cp) => toHex(ed25519.sign(checkpointMessage(cp), seed)),
  }
}

/** The public key as DER SubjectPublicKeyInfo (RFC 8410), PEM and raw hex. */
export function describePublicKey(publicKey: Uint8Array): { algorithm: 'Ed25519'; pem: string; spkiDerBase64: string; rawHex: string } {
  const der = new Uint8Array(SPKI_PREFIX.length + publicKey.length)
  der.set(SPKI_PREFIX)
  der.set(publicKey, SPKI_PREFIX.length)
  const b64 = Buffer.from(der).toString('base64')
  return {
    algorithm: 'Ed25519',
    pem: `-----BEGIN PUBLIC KEY-----\n${b64}\n-----END PUBLIC KEY-----\n`,
    spkiDerBase64: b64,
    rawHex: toHex(publicKey),
  }
}
