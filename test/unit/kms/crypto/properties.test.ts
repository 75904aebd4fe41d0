import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { generateMac, sign, verify, verifyMac, type KeySpec, type MessageType } from '../../../../src/kms/crypto/index.ts'
import { materialFor } from './fixtures.ts'

// One representative per family and algorithm shape; runs are bounded by RSA and ML-DSA cost.
const SIGNERS: [KeySpec, string, MessageType, number][] = [
  ['RSA_2048', 'RSASSA_PSS_SHA_256', 'RAW', 15],
  ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_384', 'RAW', 15],
  ['ECC_NIST_P256', 'ECDSA_SHA_256', 'RAW', 40],
  ['ECC_NIST_P521', 'ECDSA_SHA_512', 'RAW', 20],
  ['ECC_SECG_P256K1', 'ECDSA_SHA_256', 'RAW', 40],
  ['ECC_NIST_EDWARDS25519', 'ED25519_SHA_512', 'RAW', 40],
  ['ML_DSA_44', 'ML_DSA_SHAKE_256', 'RAW', 15],
]

const mutation = fc.record({ index: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) })

describe.each(SIGNERS)('%s %s', (spec, alg, type, numRuns) => {
  it('sign/verify round-trips for random messages; any single-byte mutation of the signature is rejected', () => {
    const m = materialFor(spec)
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), mutation, (message, { index, xor }) => {
        const sig = sign(spec, m, alg, message, type)
        expect(verify(spec, m, alg, message, type, sig)).toBe(true)
        const bad = sig.slice()
        bad[index % bad.length] ^= xor
        expect(verify(spec, m, alg, message, type, bad)).toBe(false)
      }),
      { numRuns },
    )
  })
})

describe.each([
  ['HMAC_224', 'HMAC_SHA_224'],
  ['HMAC_256', 'HMAC_SHA_256'],
  ['HMAC_384', 'HMAC_SHA_384'],
  ['HMAC_512', 'HMAC_SHA_512'],
] as const)('%s', (spec, alg) => {
  it('MAC verifies; any single-byte mutation of the MAC, or truncation, is rejected', () => {
    const m = materialFor(spec)
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), mutation, (message, { index, xor }) => {
        const mac = generateMac(spec, m, alg, message)
        expect(verifyMac(spec, m, alg, message, mac)).toBe(true)
        const bad = mac.slice()
        bad[index % bad.length] ^= xor
        expect(verifyMac(spec, m, alg, message, bad)).toBe(false)
        expect(verifyMac(spec, m, alg, message, mac.subarray(0, mac.length - 1))).toBe(false)
      }),
      { numRuns: 100 },
    )
  })
})
