import { createDecipheriv, hkdfSync } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { barrierUnwrap, barrierWrap, BARRIER_VERSION, deriveBarrierKey } from '../../../../src/kms/root/barrier.ts'

const rootKey = Uint8Array.from({ length: 32 }, (_, i) => 0xa0 ^ i)
const key = deriveBarrierKey(rootKey)
const enc = (s: string) => new TextEncoder().encode(s)
const aad = enc('key/1234abcd-0000-4000-8000-000000000001#v3')

function authFailure(fn: () => unknown): void {
  expect(fn).toThrowError(expect.objectContaining({ name: 'ArcaError', code: 'Internal', message: expect.stringMatching(/^stored material failed authentication/) }))
}

describe('barrier', () => {
  it('derives the key with HKDF-SHA256, info "arca barrier v1" (cross-checked with node:crypto)', () => {
    const expected = new Uint8Array(hkdfSync('sha256', rootKey, new Uint8Array(0), 'arca barrier v1', 32))
    expect(key).toEqual(expected)
  })

  it('round-trips any plaintext under any AAD', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 100 }), (pt, ad) => {
        expect(barrierUnwrap(key, ad, barrierWrap(key, ad, pt))).toEqual(pt)
      }),
    )
  })

  it('lays out version | IV | ciphertext+tag, readable by node:crypto AES-256-GCM with AAD = version | binding', () => {
    const pt = enc('wrapped key material')
    const blob = barrierWrap(key, aad, pt)
    expect(blob[0]).toBe(BARRIER_VERSION)
    expect(blob.length).toBe(1 + 12 + pt.length + 16)
    const d = createDecipheriv('aes-256-gcm', key, blob.subarray(1, 13))
    d.setAAD(Uint8Array.of(BARRIER_VERSION, ...aad))
    d.setAuthTag(blob.subarray(blob.length - 16))
    const out = Buffer.concat([d.update(blob.subarray(13, blob.length - 16)), d.final()])
    expect(new Uint8Array(out)).toEqual(pt)
  })

  it('uses a fresh IV each time', () => {
    const pt = enc('same')
    expect(barrierWrap(key, aad, pt)).not.toEqual(barrierWrap(key, aad, pt))
  })

  it('refuses a blob under another AAD (moved to another row)', () => {
    const blob = barrierWrap(key, aad, enc('x'))
    authFailure(() => barrierUnwrap(key, enc('key/1234abcd-0000-4000-8000-000000000001#v4'), blob))
    authFailure(() => barrierUnwrap(key, new Uint8Array(0), blob))
  })

  it('refuses a blob under another root key, without the plaintext in the message', () => {
    const blob = barrierWrap(key, aad, enc('hunter2'))
    const other = deriveBarrierKey(new Uint8Array(32))
    try {
      barrierUnwrap(other, aad, blob)
      expect.fail('accepted')
    } catch (e) {
      expect((e as Error).message).toMatch(/stored material failed authentication/)
      expect((e as Error).message).not.toContain('hunter2')
    }
  })

  it('refuses every single-byte mutation of a blob', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 1, max: 255 }), (pt, delta) => {
        const blob = barrierWrap(key, aad, pt)
        for (let i = 0; i < blob.length; i++) {
          const bad = blob.slice()
          bad[i] ^= delta
          authFailure(() => barrierUnwrap(key, aad, bad))
        }
      }),
      { numRuns: 30 },
    )
  })

  it('refuses every truncation and an extension', () => {
    const blob = barrierWrap(key, aad, enc('some material'))
    for (let n = 0; n < blob.length; n++) authFailure(() => barrierUnwrap(key, aad, blob.subarray(0, n)))
    authFailure(() => barrierUnwrap(key, aad, Uint8Array.of(...blob, 0)))
  })
})
