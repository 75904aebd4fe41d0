import { gcm } from '@noble/ciphers/aes.js'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { utf8ToBytes } from '@noble/ciphers/utils.js'
import { ArcaError, randomBytes } from '../../core/index.ts'

/**
 * The barrier: everything Arca keeps at rest under the root key goes through here.
 * blob = version (1 byte) | IV (12) | AES-256-GCM ciphertext | tag (16).
 * The GCM AAD is the version byte followed by the caller's binding (what the blob belongs to),
 * so a blob moved to another row, or relabelled as another format version, fails to open.
 */
export const BARRIER_VERSION = 1
const IV_BYTES = 12
const TAG_BYTES = 16
const INFO = utf8ToBytes('arca barrier v1')

/** The barrier key: HKDF-SHA256(root key, no salt, info "arca barrier v1"), 32 bytes. */
export function deriveBarrierKey(rootKey: Uint8Array): Uint8Array {
  return hkdf(sha256, rootKey, undefined, INFO, 32)
}

function bindAad(version: number, aad: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + aad.length)
  out[0] = version
  out.set(aad, 1)
  return out
}

// Random 96-bit IVs: the barrier wraps key material and similar small, rare records, far below
// the 2^32 messages per key that NIST SP 800-38D §8.3 allows with random IVs.
export function barrierWrap(key: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const iv = randomBytes(IV_BYTES)
  const sealed = gcm(key, iv, bindAad(BARRIER_VERSION, aad)).encrypt(plaintext)
  const blob = new Uint8Array(1 + IV_BYTES + sealed.length)
  blob[0] = BARRIER_VERSION
  blob.set(iv, 1)
  blob.set(sealed, 1 + IV_BYTES)
  return blob
}

export function barrierUnwrap(key: Uint8Array, aad: Uint8Array, blob: Uint8Array): Uint8Array {
  if (blob.length < 1 + IV_BYTES + TAG_BYTES) {
    throw new ArcaError('Internal', 'stored material failed authentication (the record is truncated)')
  }
  if (blob[0] !== BARRIER_VERSION) {
    throw new ArcaError('Internal', `stored material failed authentication (unknown barrier format ${blob[0]})`)
  }
  const iv = blob.subarray(1, 1 + IV_BYTES)
  try {
    return gcm(key, iv, bindAad(blob[0], aad)).decrypt(blob.subarray(1 + IV_BYTES))
  } catch (cause) {
    throw new ArcaError('Internal', 'stored material failed authentication (wrong root key, or the record was altered or moved)', { cause })
  }
}
