import { ArcaError, randomBytes } from '../../core/index.ts'

/**
 * Shamir secret sharing over GF(2^8) with the AES reduction polynomial x^8+x^4+x^3+x+1 (0x11b),
 * one independent polynomial per secret byte (the scheme Vault's `shamir` package uses).
 *
 * Field arithmetic is done bit by bit with masks rather than log/exp tables, so no operation
 * indexes memory by a secret value or branches on one.
 */

/** Share x coordinates are the bytes 1..255 (x = 0 is the secret itself). */
export const MAX_SHARES = 255

export interface ShamirShare {
  /** The x coordinate, 1..255. */
  x: number
  /** The polynomials evaluated at x, one byte per secret byte. */
  y: Uint8Array
}

/** a·b in GF(2^8) mod 0x11b, constant time (8 rounds of shift-and-add). */
export function gfMul(a: number, b: number): number {
  let r = 0
  for (let i = 0; i < 8; i++) {
    r ^= a & -(b & 1)
    // a·x: shift, and reduce by 0x11b when the top bit falls out
    a = ((a << 1) ^ (0x11b & -((a >> 7) & 1))) & 0xff
    b >>= 1
  }
  return r
}

/** a⁻¹ = a^254 (the multiplicative group has order 255); gfInv(0) = 0. */
export function gfInv(a: number): number {
  // a^254 = a^(2+4+8+16+32+64+128): square-and-multiply with a fixed sequence
  let sq = gfMul(a, a) // a^2
  let r = sq
  for (let i = 0; i < 6; i++) {
    sq = gfMul(sq, sq)
    r = gfMul(r, sq)
  }
  return r
}

/** The share-count rules: 1 ≤ threshold ≤ shares ≤ 255, and threshold ≥ 2 unless there is one share. */
export function validateSplit(shares: number, threshold: number): void {
  if (!Number.isInteger(shares) || shares < 1 || shares > MAX_SHARES) {
    throw new ArcaError('Validation', `shares must be a whole number from 1 to ${MAX_SHARES}, got ${shares}`, { field: 'shares' })
  }
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > shares) {
    throw new ArcaError('Validation', `threshold must be a whole number from 1 to shares (${shares}), got ${threshold}`, { field: 'threshold' })
  }
  if (threshold === 1 && shares > 1) {
    // every share would be the secret itself
    throw new ArcaError('Validation', 'threshold must be at least 2 when there is more than one share (with threshold 1 every share is the whole key)', { field: 'threshold' })
  }
}

/**
 * Split `secret` into `shares` shares, any `threshold` of which reconstruct it and fewer reveal
 * nothing about it. Coefficients are uniformly random bytes (including 0: forcing the top one to
 * be non-zero would leak which value the secret is not).
 */
export function split(secret: Uint8Array, shares: number, threshold: number): ShamirShare[] {
  validateSplit(shares, threshold)
  if (secret.length === 0) throw new ArcaError('Validation', 'the secret to split is empty', { field: 'secret' })
  const out: ShamirShare[] = []
  for (let x = 1; x <= shares; x++) out.push({ x, y: new Uint8Array(secret.length) })
  const coeffs = new Uint8Array(threshold - 1)
  for (let i = 0; i < secret.length; i++) {
    coeffs.set(randomBytes(threshold - 1))
    for (const share of out) {
      // Horner: ((c_{t-1}·x + c_{t-2})·x + … + c_1)·x + secret
      let acc = 0
      for (let k = threshold - 2; k >= 0; k--) acc = gfMul(acc ^ coeffs[k], share.x)
      share.y[i] = acc ^ secret[i]
    }
  }
  coeffs.fill(0)
  return out
}

/**
 * Lagrange interpolation at x = 0. With fewer shares than the threshold this returns some other
 * value (not an error: the caller verifies the result against the root key's check value).
 */
export function combine(shares: readonly ShamirShare[]): Uint8Array {
  if (shares.length === 0) throw new ArcaError('Validation', 'no shares to combine', { field: 'shares' })
  const len = shares[0].y.length
  const seen = new Set<number>()
  for (const s of shares) {
    if (!Number.isInteger(s.x) || s.x < 1 || s.x > MAX_SHARES) throw new ArcaError('Validation', `share index must be 1..${MAX_SHARES}, got ${s.x}`, { field: 'shares' })
    if (seen.has(s.x)) throw new ArcaError('Validation', `share index ${s.x} appears twice`, { field: 'shares' })
    if (s.y.length !== len) throw new ArcaError('Validation', 'shares are of different lengths', { field: 'shares' })
    seen.add(s.x)
  }
  // basis_i(0) = Π_{j≠i} x_j / (x_j − x_i); subtraction is xor in GF(2^8)
  const basis = shares.map((si) => {
    let num = 1
    let den = 1
    for (const sj of shares) {
      if (sj.x === si.x) continue
      num = gfMul(num, sj.x)
      den = gfMul(den, sj.x ^ si.x)
    }
    return gfMul(num, gfInv(den))
  })
  const secret = new Uint8Array(len)
  for (let i = 0; i < len; i++) {
    let acc = 0
    for (let k = 0; k < shares.length; k++) acc ^= gfMul(shares[k].y[i], basis[k])
    secret[i] = acc
  }
  return secret
}
