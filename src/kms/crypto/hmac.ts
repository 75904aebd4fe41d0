import { hmac } from '@noble/hashes/hmac.js'
import type { CHash } from '@noble/hashes/utils.js'
import { sha224, sha256, sha384, sha512 } from '@noble/hashes/sha2.js'
import { ArcaError, randomBytes } from '../../core/index.ts'
import { equalBytes } from './digest.ts'
import { HMAC_KEY_BYTES, type HmacSpec } from './specs.ts'

// HMAC (RFC 2104) with @noble/hashes. Material: the raw key bytes.

const HASH: Record<HmacSpec, CHash> = { HMAC_224: sha224, HMAC_256: sha256, HMAC_384: sha384, HMAC_512: sha512 }

export function generateHmacKey(spec: HmacSpec): Uint8Array {
  return randomBytes(HMAC_KEY_BYTES[spec].generated)
}

export function hmacMac(spec: HmacSpec, key: Uint8Array, message: Uint8Array): Uint8Array {
  return hmac(HASH[spec], key, message)
}

export function hmacVerify(spec: HmacSpec, key: Uint8Array, message: Uint8Array, mac: Uint8Array): boolean {
  const expected = hmacMac(spec, key, message)
  try {
    return equalBytes(expected, mac)
  } finally {
    expected.fill(0)
  }
}

export function checkHmacMaterial(spec: HmacSpec, material: Uint8Array): void {
  const { minImport, maxImport } = HMAC_KEY_BYTES[spec]
  if (material.length < minImport || material.length > maxImport) {
    throw new ArcaError('IncorrectKeyMaterial', `Key material for ${spec} must be between ${minImport} and ${maxImport} bytes.`)
  }
}
