import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto'
import { ArcaError, randomBytes } from '../core/index.ts'
import { type EncryptionContext, encodeContext } from './context.ts'

/**
 * The symmetric ciphertext blob, self-describing so Decrypt needs no KeyId:
 *
 *   format (1) | key id (36, ASCII) | material version (u32 BE) | salt (16) | IV (12) | ciphertext | tag (16)
 *
 * The message key is HKDF-SHA256(material, salt) so no GCM key meets enough random IVs to
 * approach the birthday bound. The AAD is the whole header followed by the canonical context.
 *
 * AES-GCM and HMAC here run in node:crypto (OpenSSL, AES-NI) rather than @noble/ciphers: this is
 * the hot path of every secret read, and noble's constant-time JS AES is ~16x slower on 4 KiB.
 * Tests check every blob against noble's independent AES-GCM and HKDF.
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
  const key = messageKey(material, salt)
  try {
    const cipher = createCipheriv('aes-256-gcm', key, iv)
    cipher.setAAD(aad(header, context))
    const body = cipher.update(plaintext)
    out.set(body, HEADER_LENGTH)
    body.fill(0)
    cipher.final()
    out.set(cipher.getAuthTag(), HEADER_LENGTH + plaintext.length)
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
  const key = messageKey(material, salt)
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv)
    decipher.setAAD(aad(header, context))
    decipher.setAuthTag(blob.subarray(blob.length - TAG_LENGTH))
    const out = decipher.update(blob.subarray(HEADER_LENGTH, blob.length - TAG_LENGTH))
    try {
      decipher.final()
    } catch (e) {
      out.fill(0)
      throw e
    }
    return new Uint8Array(out.buffer, out.byteOffset, out.length)
  } catch {
    throw invalid()
  } finally {
    key.fill(0)
  }
}

/** HKDF-SHA256 (RFC 5869) of one 32-byte block: PRK = HMAC(salt, material); OKM = HMAC(PRK, info | 0x01). */
export function messageKey(material: Uint8Array, salt: Uint8Array): Buffer {
  const prk = createHmac('sha256', salt).update(material).digest()
  const okm = createHmac('sha256', prk).update(INFO).update(ONE).digest()
  prk.fill(0)
  return okm
}
const ONE = new Uint8Array([1])

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
