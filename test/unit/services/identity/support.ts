import { gcm } from '@noble/ciphers/aes.js'
import { randomBytes } from '../../../../src/core/index.ts'
import type { Barrier } from '../../../../src/kms/index.ts'

/** An in-memory barrier (AES-256-GCM under a random key), typed against the real interface. */
export function testBarrier(): Barrier & { wraps: number } {
  const key = randomBytes(32)
  const barrier = {
    wraps: 0,
    wrap(aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
      barrier.wraps++
      const iv = randomBytes(12)
      const sealed = gcm(key, iv, aad).encrypt(plaintext)
      const out = new Uint8Array(12 + sealed.length)
      out.set(iv)
      out.set(sealed, 12)
      return out
    },
    unwrap(aad: Uint8Array, blob: Uint8Array): Uint8Array {
      return gcm(key, blob.subarray(0, 12), aad).decrypt(blob.subarray(12))
    },
  }
  return barrier
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<{ code?: string; field?: string; message: string }> {
  try {
    await p
  } catch (e) {
    return e as { code?: string; field?: string; message: string }
  }
  throw new Error('expected a rejection')
}
