import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { crc16, decodeShare, encodeShare, SHARE_PREFIX } from '../../../../src/kms/root/share-format.ts'

const shareArb = fc.record({ x: fc.integer({ min: 1, max: 255 }), y: fc.uint8Array({ minLength: 32, maxLength: 32 }) })
const PRINTABLE = Array.from({ length: 0x7e - 0x20 }, (_, i) => String.fromCharCode(0x21 + i))

function refused(text: string): boolean {
  try {
    decodeShare(text)
    return false
  } catch (e) {
    expect(e).toMatchObject({ name: 'ArcaError', code: 'Validation', field: 'share' })
    return true
  }
}

describe('share format', () => {
  it('CRC-16/CCITT-FALSE check value: "123456789" → 0x29b1', () => {
    expect(crc16(new TextEncoder().encode('123456789'))).toBe(0x29b1)
  })

  it('round-trips and has the documented shape', () => {
    fc.assert(
      fc.property(shareArb, (share) => {
        const text = encodeShare(share)
        expect(text).toMatch(/^arca-share-1-[1-9]\d{0,2}-[A-Za-z0-9_-]{43}-[0-9a-f]{4}$/)
        expect(decodeShare(text)).toEqual(share)
        expect(decodeShare(`  ${text}\n`)).toEqual(share)
      }),
    )
  })

  it('detects every single changed character', () => {
    fc.assert(
      fc.property(shareArb, (share) => {
        const text = encodeShare(share)
        for (let i = 0; i < text.length; i++) {
          for (const c of PRINTABLE) {
            if (c === text[i]) continue
            if (!refused(text.slice(0, i) + c + text.slice(i + 1))) expect.fail(`change at ${i} to '${c}' accepted`)
          }
        }
      }),
      { numRuns: 8 },
    )
  })

  it('detects every dropped character, inserted character and swapped neighbours', () => {
    fc.assert(
      fc.property(shareArb, fc.constantFrom(...'AZaz09-_f'), (share, extra) => {
        const text = encodeShare(share)
        for (let i = 0; i < text.length; i++) {
          expect(refused(text.slice(0, i) + text.slice(i + 1))).toBe(true)
          expect(refused(text.slice(0, i) + extra + text.slice(i))).toBe(true)
          if (i + 1 < text.length && text[i] !== text[i + 1]) {
            expect(refused(text.slice(0, i) + text[i + 1] + text[i] + text.slice(i + 2))).toBe(true)
          }
        }
      }),
      { numRuns: 20 },
    )
  })

  const good = encodeShare({ x: 3, y: Uint8Array.from({ length: 32 }, (_, i) => i * 7) })
  const body = good.slice(SHARE_PREFIX.length)

  it.each([
    ['wrong prefix', `vault-share-1-${body}`, /malformed unseal share: it should start with 'arca-share-1-'/],
    ['empty', '', /should start with 'arca-share-1-'/],
    ['future version', `arca-share-2-${body}`, /unsupported share format version/],
    ['too short', good.slice(0, -6), /does not have the form .*\(too short: characters are missing\)/],
    ['too long', `${good.slice(0, -5)}AAAA${good.slice(-5)}`, /\(too long: extra characters\)/],
    ['index 0', good.replace('arca-share-1-3-', 'arca-share-1-0-'), /index must be a number from 1 to 255/],
    ['index 256', good.replace('arca-share-1-3-', 'arca-share-1-256-'), /index must be a number from 1 to 255/],
    ['leading zero', good.replace('arca-share-1-3-', 'arca-share-1-03-'), /without leading zeros/],
    ['checksum off by one', good.slice(0, -1) + (good.at(-1) === '0' ? '1' : '0'), /the checksum does not match/],
  ])('refuses %s with a message naming the problem', (_label, text, message) => {
    expect(() => decodeShare(text)).toThrowError(message)
    try {
      decodeShare(text)
    } catch (e) {
      // never echo the secret part back
      expect((e as Error).message).not.toContain(body.slice(2, 45))
    }
  })

  it('refuses non-canonical base64url (unused low bits set in the last character)', () => {
    const share = { x: 9, y: new Uint8Array(32) }
    const text = encodeShare(share) // data ends in 'A'; 'B' only sets the 2 unused bits
    const i = text.length - 6
    expect(text[i]).toBe('A')
    expect(() => decodeShare(text.slice(0, i) + 'B' + text.slice(i + 1))).toThrow(/a character is mistyped/)
  })

  it('refuses to encode a share of the wrong size', () => {
    expect(() => encodeShare({ x: 1, y: new Uint8Array(31) })).toThrow(/32 bytes/)
    expect(() => encodeShare({ x: 0, y: new Uint8Array(32) })).toThrow(/1\.\.255/)
  })
})
