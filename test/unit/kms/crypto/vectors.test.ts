import { gcm } from '@noble/ciphers/aes.js'
import { p256 } from '@noble/curves/nist.js'
import { ed25519, ed25519ph } from '@noble/curves/ed25519.js'
import { hkdf, extract } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { createPrivateKey, createPublicKey } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { generateMac, sign, verify, verifyMac, verifyWithPublicKey } from '../../../../src/kms/crypto/index.ts'
import { hex, toHexStr, utf8, vectors } from './fixtures.ts'

interface GcmCase { tcId: number; comment: string; key: string; iv: string; aad: string; msg: string; ct: string; tag: string; result: 'valid' | 'invalid' }
interface HkdfCase { label: string; ikm: string; salt: string; info: string; length: number; prk: string; okm: string }
interface HmacCase { label: string; key: string; data: string; HMAC_SHA_224: string; HMAC_SHA_256: string; HMAC_SHA_384: string; HMAC_SHA_512: string }

describe('Wycheproof AES-256-GCM against @noble/ciphers gcm', () => {
  const { cases } = vectors<{ cases: GcmCase[] }>('wycheproof/aes_gcm_256.json')
  for (const c of cases) {
    it(`tcId ${c.tcId} ${c.comment} (${c.result})`, () => {
      const sealed = hex(c.ct + c.tag)
      const open = () => gcm(hex(c.key), hex(c.iv), hex(c.aad)).decrypt(sealed)
      if (c.result === 'valid') {
        expect(toHexStr(gcm(hex(c.key), hex(c.iv), hex(c.aad)).encrypt(hex(c.msg)))).toBe(c.ct + c.tag)
        expect(toHexStr(open())).toBe(c.msg)
      } else {
        expect(open).toThrow()
      }
    })
  }
})

describe('RFC 5869 HKDF-SHA256 against @noble/hashes hkdf', () => {
  const { cases } = vectors<{ cases: HkdfCase[] }>('rfc5869/hkdf-sha256.json')
  for (const c of cases) {
    it(c.label, () => {
      expect(toHexStr(extract(sha256, hex(c.ikm), hex(c.salt)))).toBe(c.prk)
      expect(toHexStr(hkdf(sha256, hex(c.ikm), hex(c.salt), hex(c.info), c.length))).toBe(c.okm)
    })
  }
})

describe('RFC 4231 HMAC through generateMac/verifyMac', () => {
  const { cases } = vectors<{ cases: HmacCase[] }>('rfc4231/hmac.json')
  const specs = [
    ['HMAC_224', 'HMAC_SHA_224'],
    ['HMAC_256', 'HMAC_SHA_256'],
    ['HMAC_384', 'HMAC_SHA_384'],
    ['HMAC_512', 'HMAC_SHA_512'],
  ] as const
  for (const c of cases) {
    for (const [spec, alg] of specs) {
      it(`${c.label} ${alg}`, () => {
        expect(toHexStr(generateMac(spec, hex(c.key), alg, hex(c.data)))).toBe(c[alg])
        expect(verifyMac(spec, hex(c.key), alg, hex(c.data), hex(c[alg]))).toBe(true)
      })
    }
  }
})

describe('RFC 6979 A.2.5 ECDSA P-256 SHA-256', () => {
  const v = vectors<{ privateKey: string; publicKeyX: string; publicKeyY: string; cases: { label: string; message: string; r: string; s: string }[] }>(
    'rfc6979/ecdsa_p256_sha256.json',
  )
  const b64u = (h: string) => Buffer.from(h, 'hex').toString('base64url')
  const jwk = { kty: 'EC', crv: 'P-256', x: b64u(v.publicKeyX), y: b64u(v.publicKeyY) }
  // Material as OpenSSL writes it (PKCS#8 with the embedded public key), made from the RFC's key.
  const material = Uint8Array.from(createPrivateKey({ key: { ...jwk, d: b64u(v.privateKey) }, format: 'jwk' }).export({ type: 'pkcs8', format: 'der' }))
  const spki = Uint8Array.from(createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'der' }))
  for (const c of v.cases) {
    const der = p256.Signature.fromBytes(hex(c.r + c.s), 'compact').toBytes('der')
    it(`${c.label}: known signature verifies`, () => {
      expect(verifyWithPublicKey('ECC_NIST_P256', spki, 'ECDSA_SHA_256', utf8(c.message), 'RAW', der)).toBe(true)
      expect(verify('ECC_NIST_P256', material, 'ECDSA_SHA_256', utf8(c.message), 'RAW', der)).toBe(true)
      expect(verify('ECC_NIST_P256', material, 'ECDSA_SHA_256', utf8(c.message + '!'), 'RAW', der)).toBe(false)
    })
    it(`${c.label}: our deterministic signature equals the published one`, () => {
      expect(toHexStr(sign('ECC_NIST_P256', material, 'ECDSA_SHA_256', utf8(c.message), 'RAW'))).toBe(toHexStr(der))
      expect(toHexStr(sign('ECC_NIST_P256', material, 'ECDSA_SHA_256', sha256(utf8(c.message)), 'DIGEST'))).toBe(toHexStr(der))
    })
  }
})

describe('Wycheproof RSASSA-PSS 2048 SHA-256 MGF1 sLen 32 through verifyWithPublicKey', () => {
  const v = vectors<{ keyDer: string; cases: { tcId: number; comment: string; msg: string; sig: string; result: string }[] }>(
    'wycheproof/rsa_pss_2048_sha256_mgf1_32.json',
  )
  for (const c of v.cases) {
    it(`tcId ${c.tcId} ${c.comment} (${c.result})`, () => {
      const ok = verifyWithPublicKey('RSA_2048', hex(v.keyDer), 'RSASSA_PSS_SHA_256', hex(c.msg), 'RAW', hex(c.sig))
      expect(ok).toBe(c.result === 'valid')
      expect(verifyWithPublicKey('RSA_2048', hex(v.keyDer), 'RSASSA_PSS_SHA_256', sha256(hex(c.msg)), 'DIGEST', hex(c.sig))).toBe(ok)
    })
  }
})

describe('RFC 8032 Ed25519 / Ed25519ph', () => {
  const { cases } = vectors<{ cases: { label: string; variant: string; secretKey: string; publicKey: string; message: string; signature: string }[] }>(
    'rfc8032/ed25519.json',
  )
  const spkiOf = (pk: string) => hex('302a300506032b6570032100' + pk) // RFC 8410 §10.1 layout
  for (const c of cases) {
    it(c.label, () => {
      if (c.variant === 'Ed25519') {
        expect(toHexStr(ed25519.sign(hex(c.message), hex(c.secretKey)))).toBe(c.signature)
        expect(verifyWithPublicKey('ECC_NIST_EDWARDS25519', spkiOf(c.publicKey), 'ED25519_SHA_512', hex(c.message), 'RAW', hex(c.signature))).toBe(true)
      } else {
        // The library our ED25519_PH_SHA_512 path calls; KMS's own input is a 64-byte digest, which it pre-hashes again.
        expect(toHexStr(ed25519ph.sign(hex(c.message), hex(c.secretKey)))).toBe(c.signature)
        expect(ed25519ph.verify(hex(c.signature), hex(c.message), hex(c.publicKey))).toBe(true)
      }
    })
  }
})
