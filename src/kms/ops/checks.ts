import { ArcaError, validationError } from '../../core/index.ts'
import { type EncryptionContext, checkContext, encodeContext } from '../context.ts'
import type { KmsContext } from '../context-deps.ts'
import type { KeyRecord } from '../keys/record.ts'
import type { Caller } from '../types.ts'

// Input checks shared by the cryptographic operations, worded as AWS's shape validation
// ("1 validation error detected: Value … at 'field' failed to satisfy constraint: …").

// AWS: PlaintextType (Plaintext, Message) 1–4096 bytes.
export const MAX_PLAINTEXT = 4096
// AWS: CiphertextType (CiphertextBlob, Signature, Mac, ImportToken, EncryptedKeyMaterial) 1–6144 bytes.
export const MAX_CIPHERTEXT = 6144
// AWS: PublicKeyType (DeriveSharedSecret PublicKey) 1–8192 bytes.
export const MAX_PUBLIC_KEY = 8192
// AWS: GrantTokenList 0–10 items.
export const MAX_GRANT_TOKENS = 10
// AWS: NumberOfBytesType 1–1024.
export const MAX_NUMBER_OF_BYTES = 1024

export const ENCRYPTION_ALGORITHMS = ['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'SM2PKE'] as const

/** AWS's wording for a required member that is absent. */
export function missing(field: string): ArcaError {
  return new ArcaError('Validation', `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`, {
    field,
  })
}

/** A required blob with AWS's length bounds; never echoes the bytes (validationError prints a byte count). */
export function requireBlob(field: string, value: unknown, max: number): Uint8Array {
  if (value === undefined || value === null) throw missing(field)
  if (!(value instanceof Uint8Array)) throw new ArcaError('Validation', `${field} must be binary data.`, { field })
  if (value.length < 1) throw validationError(field, value, 'Member must have length greater than or equal to 1')
  if (value.length > max) throw validationError(field, value, `Member must have length less than or equal to ${max}`)
  return value
}

export function optionalEnum<T extends string>(field: string, value: unknown, allowed: readonly T[]): T | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value))
    throw validationError(field, typeof value === 'string' ? value : String(value), `Member must satisfy enum value set: [${allowed.join(', ')}]`)
  return value as T
}

export function requireEnum<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  const v = optionalEnum(field, value, allowed)
  if (v === undefined) throw missing(field)
  return v
}

/** A context from the input: shape and size checked now, so an oversized one fails before any work. */
export function inputContext(value: unknown, field = 'encryptionContext'): EncryptionContext | undefined {
  const context = checkContext(value, field)
  encodeContext(context)
  return context && Object.keys(context).length > 0 ? context : undefined
}

export function checkGrantTokens(tokens: unknown): string[] | undefined {
  if (tokens === undefined || tokens === null) return undefined
  if (!Array.isArray(tokens) || tokens.some((t) => typeof t !== 'string'))
    throw new ArcaError('Validation', 'grantTokens must be a list of strings.', { field: 'grantTokens' })
  if (tokens.length > MAX_GRANT_TOKENS)
    throw validationError('grantTokens', tokens, `Member must have length less than or equal to ${MAX_GRANT_TOKENS}`)
  return tokens as string[]
}

/** The caller as the authorizer sees it: the request's grant tokens count as the caller's. */
export function withGrantTokens(caller: Caller, tokens: string[] | undefined): Caller {
  return tokens && tokens.length > 0 ? { ...caller, grantTokens: tokens } : caller
}

/** AWS: "<arn> key usage is SIGN_VERIFY which is not valid for Encrypt." */
export function requireUsage(key: KeyRecord, usage: string, operation: string): void {
  if (key.usage !== usage) throw new ArcaError('InvalidKeyUsage', `${key.arn} key usage is ${key.usage} which is not valid for ${operation}.`)
}

/** Data keys and data key pairs are sealed under a symmetric encryption key only. */
export function requireSymmetric(key: KeyRecord, operation: string): void {
  requireUsage(key, 'ENCRYPT_DECRYPT', operation)
  if (key.spec !== 'SYMMETRIC_DEFAULT') throw new ArcaError('InvalidKeyUsage', `${key.arn} key spec is ${key.spec} which is not valid for ${operation}.`)
}

/** AWS: "Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224." */
export function requireListed(key: KeyRecord, algorithm: string, allowed: readonly string[] | undefined): void {
  if (!allowed || !allowed.includes(algorithm)) throw new ArcaError('InvalidKeyUsage', `Algorithm ${algorithm} is incompatible with key spec ${key.spec}.`)
}

export function dryRunError(): ArcaError {
  return new ArcaError('DryRun', 'The request would have succeeded, but the DryRun option is set.')
}

/** Nitro Enclaves attestation (RecipientInfo) needs an attested environment Arca does not have. */
export function rejectRecipient(recipient: unknown): void {
  if (recipient !== undefined && recipient !== null)
    throw new ArcaError('UnsupportedOperation', 'The Recipient parameter (Nitro Enclaves attestation) is not supported by Arca.', { field: 'recipient' })
}

/** Unwrapped material of a version; an enabled key without it is a broken store, not a caller error. */
export async function materialOf(ctx: KmsContext, key: KeyRecord, version = key.currentVersion): Promise<Uint8Array> {
  const material = version > 0 ? await ctx.store.material(key.id, version) : undefined
  if (!material) throw new ArcaError('Internal', `${key.arn} has no key material version ${version}.`)
  return material
}
