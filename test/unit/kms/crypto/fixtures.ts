import { readFileSync } from 'node:fs'
import { ArcaError } from '../../../../src/core/index.ts'
import { generateKeyMaterial, type KeySpec } from '../../../../src/kms/crypto/index.ts'

/** One key per spec per test file (RSA_4096 generation takes seconds). */
const cache = new Map<KeySpec, Uint8Array>()
export function materialFor(spec: KeySpec): Uint8Array {
  let m = cache.get(spec)
  if (m === undefined) {
    m = generateKeyMaterial(spec)
    cache.set(spec, m)
  }
  return m
}

export const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'))
export const toHexStr = (b: Uint8Array): string => Buffer.from(b).toString('hex')
export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

export function vectors<T>(path: string): T {
  return JSON.parse(readFileSync(new URL(`../../../vectors/${path}`, import.meta.url), 'utf8')) as T
}

/** Runs fn and returns the ArcaError it threw; fails if it returned or threw anything else (e.g. a TypeError). */
export function arcaErrorOf(fn: () => unknown): ArcaError {
  try {
    fn()
  } catch (e) {
    if (e instanceof ArcaError) return e
    throw new Error(`expected an ArcaError, got ${String(e)}`, { cause: e })
  }
  throw new Error('expected an ArcaError, nothing was thrown')
}

export const RSA_SPECS = ['RSA_2048', 'RSA_3072', 'RSA_4096'] as const
export const ECDSA_SPECS = ['ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1'] as const
export const NIST_SPECS = ['ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521'] as const
export const ML_DSA_SPECS = ['ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87'] as const
export const HMAC_SPECS = ['HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512'] as const
