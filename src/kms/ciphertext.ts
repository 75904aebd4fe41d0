import { gcm } from '@noble/ciphers/aes.js'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { ArcaError, randomBytes } from '../core/index.ts'
import { type EncryptionContext, encodeContext } from './context.ts'

/**
 * The symmetric ciphertext blob, self-describing so Decrypt needs no KeyId:
 *
 *   format (1) | key id (36, ASCII) | material version (u32 BE) | salt (16) | IV (12) | ciphertext | tag (16)
 *
 * The message key is HKDF-SHA256(material, salt) so no GCM key meets enough random IVs to
 * approach the birthday bound. The AAD is the whole header followed by the canonical context.
 */
export const BLOB_FORMAT_V1 = 0x01
const KEY_ID_LENGTH = 36 // a UUID, or `mrk-` + 32 hex digits
const SALT_LENGTH = 16
const IV_LENGTH = 12
const TAG_LENGTH = 16
export const HEADER_LENGTH = 1 + KEY_ID_LENGTH + 4 + SALT_LENGTH + IV_LENGTH
const INFO = new TextEncoder().encode('arca kms message key v1')

export interface BlobHeader {
  keyId: string
  version: number
}

/** Reads the key id and material version; anything malformed is InvalidCiphertext, never a crash. */
export function parseBlobHeader(blob: Uint8Array): BlobHeader {
  if (!(blob instanceof Uint8Array) || blob.length < HEADER_LENGTH + TAG_LENGTH || blob[0] !== BLOB_FORMAT_V1) throw invalid()
  let keyId = ''
  for (let i = 1; i <= KEY_ID_LENGTH; i++) {
    const c = blob[i]
    // [0-9a-z-] only: a stray byte cannot smuggle a different lookup key.
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || c === 0x2d)) throw invalid()
    keyId += String.fromCharCode(c)
  }
  const version = new DataView(blob.buffer, blob.byteOffset + 1 + KEY_ID_LENGTH, 4).getUint32(0)
  if (version === 0) throw invalid()
  return { keyId, version }
}

export function sealBlob(
  keyId: string,
  version: number,
  material: Uint8Array,
  plaintext: Uint8Array,
  context: EncryptionContext | undefined,
): Uint8Array {
  if (keyId.length !== KEY_ID_LENGTH) throw new ArcaError('Internal', 'key id has an unexpected length')
  const out = new Uint8Array(HEADER_LENGTH + plaintext.length + TAG_LENGTH)
  out[0] = BLOB_FORMAT_V1
  for (let i = 0; i < KEY_ID_LENGTH; i++) out[1 + i] = keyId.charCodeAt(i)
  new DataView(out.buffer).setUint32(1 + KEY_ID_LENGTH, version)
  const salt = randomBytes(SALT_LENGTH)
  const iv = randomBytes(IV_LENGTH)
  out.set(salt, 1 + KEY_ID_LENGTH + 4)
  out.set(iv, HEADER_LENGTH - IV_LENGTH)
  const header = out.subarray(0, HEADER_LENGTH)
  const key = hkdf(sha256, material, salt, INFO, 32)
  try {
    const sealed = gcm(key, iv, aad(header, context)).encrypt(plaintext)
    out.set(sealed, HEADER_LENGTH)
  } finally {
    key.fill(0)
  }
  return out
}

/** Decrypts a blob whose header was already parsed and whose material was found. */
export function openBlob(blob: Uint8Array, material: Uint8Array, context: EncryptionContext | undefined): Uint8Array {
  const header = blob.subarray(0, HEADER_LENGTH)
  const salt = blob.subarray(1 + KEY_ID_LENGTH + 4, 1 + KEY_ID_LENGTH + 4 + SALT_LENGTH)
  const iv = blob.subarray(HEADER_LENGTH - IV_LENGTH, HEADER_LENGTH)
  const key = hkdf(sha256, material, salt, INFO, 32)
  try {
    return gcm(key, iv, aad(header, context)).decrypt(blob.subarray(HEADER_LENGTH))
  } catch {
    throw invalid()
  } finally {
    key.fill(0)
  }
}

function aad(header: Uint8Array, context: EncryptionContext | undefined): Uint8Array {
  const ctx = encodeContext(context)
  const out = new Uint8Array(header.length + ctx.length)
  out.set(header)
  out.set(ctx, header.length)
  return out
}

function invalid(): ArcaError {
  // AWS answers every tampered, truncated or foreign blob with an empty message.
  return new ArcaError('InvalidCiphertext', '')
}
