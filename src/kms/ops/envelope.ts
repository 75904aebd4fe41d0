import { ArcaError } from '../../core/index.ts'
import { openBlob, parseBlobHeader, sealBlob } from '../ciphertext.ts'
import type { EncryptionContext } from '../context.ts'
import type { KmsContext } from '../context-deps.ts'
import { type KeySpec, type KeyUsage, asymmetricDecrypt, asymmetricEncrypt, maxAsymmetricPlaintext, specInfo } from '../crypto/index.ts'
import type { KeyRecord } from '../keys/record.ts'
import { resolveKey } from '../keys/resolve.ts'
import type { Caller } from '../types.ts'
import { materialOf, requireListed, requireUsage } from './checks.ts'

// Encrypting to and decrypting from a KMS key, shared by Encrypt, Decrypt, ReEncrypt and the
// data-key operations. Symmetric keys use the self-describing blob of ciphertext.ts; RSA
// ENCRYPT_DECRYPT keys produce raw OAEP output, so data encrypted outside with GetPublicKey's key
// decrypts here too.

export interface Sealed {
  blob: Uint8Array
  /** Symmetric keys only (AWS returns KeyMaterialId for symmetric encryption keys). */
  materialId?: string
}

/** Checks, before any work, that `key` can encrypt `plaintext` with `algorithm` (and `context`). */
export function checkEncryptable(key: KeyRecord, operation: string, algorithm: string, plaintextLength: number | undefined, context: EncryptionContext | undefined): void {
  requireUsage(key, 'ENCRYPT_DECRYPT', operation)
  requireListed(key, algorithm, specInfo(key.spec as KeySpec, key.usage as KeyUsage).encryptionAlgorithms)
  if (key.spec === 'SYMMETRIC_DEFAULT') return
  if (context)
    throw new ArcaError('Validation', 'EncryptionContext is not supported with asymmetric KMS keys.', { field: 'encryptionContext' })
  if (plaintextLength === undefined) return
  const max = maxAsymmetricPlaintext(key.spec as KeySpec, algorithm)
  // AWS: RSA plaintext caps per OAEP hash (2048: 214/190, 3072: 342/318, 4096: 470/446 bytes).
  if (plaintextLength > max)
    throw new ArcaError('Validation', `Plaintext is too long for ${algorithm} with ${key.spec}: at most ${max} bytes.`, { field: 'plaintext' })
}

/** Encrypts under the key's current material; call checkEncryptable first. */
export async function sealTo(ctx: KmsContext, key: KeyRecord, algorithm: string, plaintext: Uint8Array, context: EncryptionContext | undefined): Promise<Sealed> {
  const material = await materialOf(ctx, key)
  if (key.spec === 'SYMMETRIC_DEFAULT') {
    return { blob: sealBlob(key.id, key.currentVersion, material, plaintext, context), materialId: ctx.store.materialIdOf(key.id, key.currentVersion, material) }
  }
  return { blob: asymmetricEncrypt(key.spec as KeySpec, material, algorithm, plaintext) }
}

export interface CiphertextKey {
  key: KeyRecord
  /** The alias the caller named in KeyId, for `kms:RequestAlias`. */
  alias?: string
  /** Material version named by a symmetric blob. */
  version?: number
}

/**
 * Which key a ciphertext belongs to. A symmetric blob names its key (looked up in the caller's
 * region, any account: authorization decides cross-account use); an optional KeyId must name the
 * same key. An RSA ciphertext carries no header, so KeyId (and the algorithm) name the key.
 */
export async function keyForCiphertext(ctx: KmsContext, caller: Caller, blob: Uint8Array, keyId: string | undefined, algorithm: string): Promise<CiphertextKey> {
  const named = keyId === undefined ? undefined : await resolveKey(ctx.store, caller, keyId)
  if (named && (named.key.spec !== 'SYMMETRIC_DEFAULT' || algorithm !== 'SYMMETRIC_DEFAULT')) return named
  if (!named && algorithm !== 'SYMMETRIC_DEFAULT')
    throw new ArcaError('Validation', 'KeyId is required when EncryptionAlgorithm is an asymmetric algorithm.', { field: 'keyId' })
  const header = parseBlobHeader(blob)
  const key = await ctx.store.get(caller.region, header.keyId)
  // A blob naming no key here, or a key that never makes such blobs, is not a ciphertext of ours.
  if (!key || key.spec !== 'SYMMETRIC_DEFAULT') throw new ArcaError('InvalidCiphertext', '')
  if (named && named.key.id !== key.id)
    throw new ArcaError('IncorrectKey', 'The key ID in the request does not identify a CMK that can perform this operation.')
  return { key, alias: named?.alias, version: header.version }
}

export interface Opened {
  plaintext: Uint8Array
  materialId?: string
}

/** Decrypts; every failure (wrong context, tampering, unknown material version) is InvalidCiphertext with an empty message. */
export async function openFrom(ctx: KmsContext, found: CiphertextKey, algorithm: string, blob: Uint8Array, context: EncryptionContext | undefined): Promise<Opened> {
  const { key } = found
  if (key.spec === 'SYMMETRIC_DEFAULT') {
    const version = found.version ?? parseBlobHeader(blob).version
    // Versions run 1..current; checking first also keeps a forged u32 out of an int32 column.
    if (version > key.currentVersion) throw new ArcaError('InvalidCiphertext', '')
    const material = await ctx.store.material(key.id, version)
    if (!material) throw new ArcaError('InvalidCiphertext', '')
    return { plaintext: openBlob(blob, material, context), materialId: ctx.store.materialIdOf(key.id, version, material) }
  }
  const material = await materialOf(ctx, key)
  return { plaintext: asymmetricDecrypt(key.spec as KeySpec, material, algorithm, blob) }
}
