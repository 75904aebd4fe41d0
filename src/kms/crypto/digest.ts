import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js'
import { ArcaError } from '../../core/index.ts'
import type { MessageType } from './specs.ts'

export interface HashDef {
  fn: (msg: Uint8Array) => Uint8Array
  /** Output length in bytes. */
  len: number
  /** The node:crypto name, for OAEP and interop. */
  node: 'sha256' | 'sha384' | 'sha512'
}

export const SHA_256: HashDef = { fn: sha256, len: 32, node: 'sha256' }
export const SHA_384: HashDef = { fn: sha384, len: 48, node: 'sha384' }
export const SHA_512: HashDef = { fn: sha512, len: 64, node: 'sha512' }

/** The hash a signing algorithm name ends in (AWS: "algorithms that end in SHA_256 use SHA-256"). */
export function hashOf(algorithm: string): HashDef {
  if (algorithm.endsWith('SHA_256')) return SHA_256
  if (algorithm.endsWith('SHA_384')) return SHA_384
  return SHA_512
}

/**
 * The digest a hash-then-sign algorithm signs: RAW messages are hashed here, DIGEST messages
 * must already be exactly the hash's length (AWS Sign: "Digest is invalid length for algorithm X.").
 */
export function digestFor(algorithm: string, message: Uint8Array, messageType: MessageType): Uint8Array {
  const hash = hashOf(algorithm)
  if (messageType === 'RAW') return hash.fn(message)
  if (messageType === 'DIGEST') {
    if (message.length !== hash.len) throw new ArcaError('Validation', `Digest is invalid length for algorithm ${algorithm}.`)
    return message
  }
  throw messageTypeError(messageType, algorithm)
}

export function messageTypeError(messageType: string, algorithm: string): ArcaError {
  return new ArcaError('Validation', `MessageType ${String(messageType)} is not supported for signing algorithm ${algorithm}.`, {
    field: 'MessageType',
  })
}

/** Constant-time equality (length is not secret). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i]
  return diff === 0
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}
