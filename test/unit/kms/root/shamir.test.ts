import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { combine, gfInv, gfMul, split, validateSplit, type ShamirShare } from '../../../../src/kms/root/shamir.ts'

/** An independent GF(2^8) multiply by log/exp tables over the generator 0x03, for cross-checking. */
const EXP = new Array<number>(510)
const LOG = new Array<number>(256)
{
  let v = 1
  for (let i = 0; i < 255; i++) {
    EXP[i] = EXP[i + 255] = v
    LOG[v] = i
    v ^= (v << 1) ^ (v & 0x80 ? 0x11b : 0) // v·3
    v &= 0xff
  }
}
const tableMul = (a: number, b: number) => (a === 0 || b === 0 ? 0 : EXP[LOG[a] + LOG[b]])

describe('GF(2^8), AES field (0x11b)', () => {
  // FIPS-197 §4.2 and §4.2.1; §5.1.1 (0x53 and 0xCA are inverses)
  it.each([
    ['FIPS-197 §4.2: {57}·{83}', 0x57, 0x83, 0xc1],
    ['FIPS-197 §4.2.1: {57}·{13}', 0x57, 0x13, 0xfe],
    ['FIPS-197 §4.2.1: {57}·{02}', 0x57, 0x02, 0xae],
    ['FIPS-197 §4.2.1: {57}·{10}', 0x57, 0x10, 0x07],
    ['FIPS-197 §5.1.1: {53}·{CA}', 0x53, 0xca, 0x01],
    ['zero', 0x00, 0xff, 0x00],
    ['one', 0x01, 0x9d, 0x9d],
  ])('%s', (_label, a, b, product) => {
    expect(gfMul(a, b)).toBe(product)
    expect(gfMul(b, a)).toBe(product)
  })

  it('matches an independent log/exp-table multiply on all 65536 pairs', () => {
    for (let a = 0; a < 256; a++) for (let b = 0; b < 256; b++) if (gfMul(a, b) !== tableMul(a, b)) expect.fail(`${a}·${b}`)
  })

  it('inverts every non-zero element', () => {
    expect(gfInv(0x53)).toBe(0xca)
    expect(gfInv(0x01)).toBe(0x01)
    for (let a = 1; a < 256; a++) expect(gfMul(a, gfInv(a))).toBe(1)
  })
})

const secretArb = fc.uint8Array({ minLength: 16, maxLength: 48 })
/** n shares, threshold t, and a permutation of the share indices. */
const schemeArb = fc
  .integer({ min: 1, max: 12 })
  .chain((n) => fc.tuple(fc.constant(n), n === 1 ? fc.constant(1) : fc.integer({ min: 2, max: n }), fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n })))

describe('split / combine', () => {
  it('any T of N shares reconstruct the secret', () => {
    fc.assert(
      fc.property(secretArb, schemeArb, (secret, [n, t, order]) => {
        const shares = split(secret, n, t)
        expect(shares.map((s) => s.x)).toEqual([...Array(n).keys()].map((i) => i + 1))
        const pick = order.slice(0, t).map((i) => shares[i])
        expect(combine(pick)).toEqual(secret)
        // more than T also works
        expect(combine(order.map((i) => shares[i]))).toEqual(secret)
      }),
      { numRuns: 200 },
    )
  })

  it('any T-1 shares give something other than the secret', () => {
    fc.assert(
      fc.property(secretArb, schemeArb, (secret, [n, t, order]) => {
        fc.pre(t >= 2)
        const shares = split(secret, n, t)
        // 16+ independent bytes each matching by chance with p = 1/256: never in practice
        expect(combine(order.slice(0, t - 1).map((i) => shares[i]))).not.toEqual(secret)
      }),
      { numRuns: 200 },
    )
  })

  it('interpolates a hand-computed line: f(x) = 0x42 + 0x07·x', () => {
    // f(1) = 0x42 ^ 0x07 = 0x45; f(2) = 0x42 ^ (0x07·2 = 0x0e) = 0x4c; f(3) = 0x42 ^ (0x07·3 = 0x09) = 0x4b
    const at = (x: number, y: number): ShamirShare => ({ x, y: Uint8Array.of(y) })
    expect(combine([at(1, 0x45), at(2, 0x4c)])).toEqual(Uint8Array.of(0x42))
    expect(combine([at(3, 0x4b), at(1, 0x45)])).toEqual(Uint8Array.of(0x42))
  })

  it('1 of 1 is the secret itself', () => {
    const secret = Uint8Array.from({ length: 32 }, (_, i) => i)
    const [only] = split(secret, 1, 1)
    expect(only.x).toBe(1)
    expect(only.y).toEqual(secret)
  })

  it('shares of the same secret differ between splits (random coefficients)', () => {
    const secret = new Uint8Array(32)
    expect(split(secret, 3, 2)[0].y).not.toEqual(split(secret, 3, 2)[0].y)
  })

  it.each([
    [0, 1, /shares must be a whole number from 1 to 255/],
    [256, 2, /shares must be a whole number from 1 to 255/],
    [2.5, 2, /shares must be/],
    [3, 0, /threshold must be a whole number from 1 to shares \(3\)/],
    [3, 4, /threshold must be a whole number from 1 to shares \(3\)/],
    [3, 1, /threshold must be at least 2/],
  ])('refuses %s shares with threshold %s', (n, t, message) => {
    expect(() => validateSplit(n, t)).toThrow(message)
    expect(() => split(new Uint8Array(32), n, t)).toThrowError(expect.objectContaining({ code: 'Validation' }))
  })

  it('accepts the edges 1 of 1, 2 of 2 and 255 of 255', () => {
    for (const [n, t] of [[1, 1], [2, 2], [255, 255], [255, 2]]) expect(() => validateSplit(n, t)).not.toThrow()
    const secret = Uint8Array.of(1, 2, 3)
    expect(combine(split(secret, 255, 255))).toEqual(secret)
  })

  it('refuses duplicate, zero and mismatched shares', () => {
    const y = new Uint8Array(4)
    expect(() => combine([])).toThrow(/no shares/)
    expect(() => combine([{ x: 1, y }, { x: 1, y }])).toThrow(/index 1 appears twice/)
    expect(() => combine([{ x: 0, y }])).toThrow(/1\.\.255/)
    expect(() => combine([{ x: 1, y }, { x: 2, y: new Uint8Array(5) }])).toThrow(/different lengths/)
  })
})
