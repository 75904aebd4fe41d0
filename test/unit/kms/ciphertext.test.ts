import { gcm } from '@noble/ciphers/aes.js'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { randomBytes } from '../../../src/core/index.ts'
import { HEADER_LENGTH, messageKey, openBlob, parseBlobHeader, sealBlob } from '../../../src/kms/ciphertext.ts'
import { encodeContext } from '../../../src/kms/context.ts'

const KEY_ID = '0123abcd-0123-4abc-8def-0123456789ab'
const INFO = new TextEncoder().encode('arca kms message key v1')

describe('ciphertext blob', () => {
  it('derives the message key exactly as HKDF-SHA256 (checked against noble)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), (m, salt) => {
        expect(new Uint8Array(messageKey(m, salt))).toEqual(hkdf(sha256, m, salt, INFO, 32))
      }),
    )
  })

  it('is AES-256-GCM that an independent implementation (noble) opens, with header+context as AAD', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 4096 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 5 }), (pt, ctx) => {
        const material = randomBytes(32)
        const blob = sealBlob(KEY_ID, 3, material, pt, ctx)
        expect(parseBlobHeader(blob)).toEqual({ keyId: KEY_ID, version: 3 })
        const salt = blob.subarray(41, 57)
        const iv = blob.subarray(57, 69)
        const header = blob.subarray(0, HEADER_LENGTH)
        const ctxBytes = encodeContext(ctx)
        const aad = new Uint8Array(header.length + ctxBytes.length)
        aad.set(header)
        aad.set(ctxBytes, header.length)
        const key = hkdf(sha256, material, salt, INFO, 32)
        expect(gcm(key, iv, aad).decrypt(blob.subarray(HEADER_LENGTH))).toEqual(pt)
        expect(openBlob(blob, material, ctx)).toEqual(pt)
      }),
      { numRuns: 50 },
    )
  })

  it('refuses a wrong context, a changed byte anywhere, and a truncation', () => {
    const material = randomBytes(32)
    const blob = sealBlob(KEY_ID, 1, material, new TextEncoder().encode('secret'), { a: 'b' })
    expect(() => openBlob(blob, material, { a: 'c' })).toThrow(expect.objectContaining({ code: 'InvalidCiphertext' }))
    expect(() => openBlob(blob, material, undefined)).toThrow(expect.objectContaining({ code: 'InvalidCiphertext' }))
    // {"ab":"c"} and {"a":"bc"} are different contexts (length-prefixed encoding).
    const b2 = sealBlob(KEY_ID, 1, material, new Uint8Array([1]), { ab: 'c' })
    expect(() => openBlob(b2, material, { a: 'bc' })).toThrow(expect.objectContaining({ code: 'InvalidCiphertext' }))
    for (let i = 0; i < blob.length; i++) {
      const bad = blob.slice()
      bad[i] ^= 0x01
      expect(() => {
        parseBlobHeader(bad)
        openBlob(bad, material, { a: 'b' })
      }, `byte ${i}`).toThrow(expect.objectContaining({ code: 'InvalidCiphertext' }))
    }
    for (const n of [0, 10, HEADER_LENGTH, blob.length - 1]) {
      expect(() => {
        parseBlobHeader(blob.subarray(0, n))
        openBlob(blob.subarray(0, n), material, { a: 'b' })
      }).toThrow(expect.objectContaining({ code: 'InvalidCiphertext' }))
    }
  })
})
