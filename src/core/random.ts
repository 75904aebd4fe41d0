import { randomBytes as nobleRandomBytes } from '@noble/hashes/utils.js'

// Small requests (salts, IVs, data keys) are served from a pool refilled 4 KiB at a time: one
// call into the system CSPRNG costs more than the AES-GCM of a small secret. Bytes handed out
// are copied and wiped from the pool, so no two callers share or keep each other's bytes.
const POOL_SIZE = 4096
const POOLED_MAX = 256
let pool = new Uint8Array(0)
let at = 0

/** Cryptographically secure random bytes (the only source of randomness in Arca). */
export function randomBytes(n: number): Uint8Array {
  if (n > POOLED_MAX) return nobleRandomBytes(n)
  if (at + n > pool.length) {
    pool = nobleRandomBytes(POOL_SIZE)
    at = 0
  }
  const out = pool.slice(at, at + n)
  pool.fill(0, at, at + n)
  at += n
  return out
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

export function toHex(bytes: Uint8Array): string {
  let s = ''
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]]
  return s
}

/** RFC 4122 version 4 UUID. */
export function uuid(): string {
  const b = randomBytes(16)
  b[6] = (b[6] & 0x0f) | 0x40
  b[8] = (b[8] & 0x3f) | 0x80
  const h = toHex(b)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

/** A random string over an alphabet, without modulo bias. */
export function randomString(length: number, alphabet: string): string {
  const limit = 256 - (256 % alphabet.length)
  let out = ''
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < limit) out += alphabet[byte % alphabet.length]
      if (out.length === length) break
    }
  }
  return out
}
