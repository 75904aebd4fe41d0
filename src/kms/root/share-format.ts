import { ArcaError } from '../../core/index.ts'
import { MAX_SHARES, type ShamirShare } from './shamir.ts'

/**
 * The text form of one unseal share: `arca-share-1-<index>-<base64url, 43 chars>-<crc, 4 hex>`.
 *
 * The checksum is CRC-16/CCITT-FALSE over the index byte and the share bytes. A CRC of degree 16
 * detects every error burst of at most 16 bits, and a single mistyped base64url character, index
 * digit or swapped neighbour pair changes at most 12 consecutive bits, so those typos are always
 * caught here, before a combination is tried. (It is not a MAC; the root key's check value is.)
 * base64url contains '-', so the share is parsed by fixed lengths, not by splitting on '-'.
 */

export const SHARE_PREFIX = 'arca-share-1-'
/** The shares split a 256-bit root key. */
export const SHARE_BYTES = 32
const B64_CHARS = 43 // ceil(32 · 8 / 6), unpadded
const SHAPE = /^(\d{1,3})-([A-Za-z0-9_-]{43})-([0-9a-f]{4})$/
const EXAMPLE = `${SHARE_PREFIX}<index>-<${B64_CHARS} base64url characters>-<4 hex digits>`

/** CRC-16/CCITT-FALSE: poly 0x1021, init 0xffff, no reflection, no final xor ("123456789" → 0x29b1). */
export function crc16(data: Uint8Array): number {
  let crc = 0xffff
  for (const byte of data) {
    crc ^= byte << 8
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
  }
  return crc
}

function checksum(x: number, y: Uint8Array): string {
  const data = new Uint8Array(1 + y.length)
  data[0] = x
  data.set(y, 1)
  const crc = crc16(data)
  data.fill(0)
  return crc.toString(16).padStart(4, '0')
}

export function encodeShare(share: ShamirShare): string {
  if (!Number.isInteger(share.x) || share.x < 1 || share.x > MAX_SHARES) throw new ArcaError('Validation', `share index must be 1..${MAX_SHARES}`)
  if (share.y.length !== SHARE_BYTES) throw new ArcaError('Validation', `a share holds ${SHARE_BYTES} bytes, got ${share.y.length}`)
  return `${SHARE_PREFIX}${share.x}-${view(share.y).toString('base64url')}-${checksum(share.x, share.y)}`
}

/** A Buffer over the same memory (no copy left behind). */
function view(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.length)
}

function malformed(problem: string): ArcaError {
  // never echo the share: it is secret
  return new ArcaError('Validation', `malformed unseal share: ${problem}`, { field: 'share' })
}

/** Parse a share; surrounding whitespace is ignored. Every refusal names the problem and never echoes the share. */
export function decodeShare(text: string): ShamirShare {
  if (typeof text !== 'string') throw malformed('expected text')
  const s = text.trim()
  if (!s.startsWith(SHARE_PREFIX)) {
    if (/^arca-share-\d+-/.test(s)) throw malformed(`unsupported share format version (this Arca reads ${SHARE_PREFIX}…)`)
    throw malformed(`it should start with '${SHARE_PREFIX}' (the form is ${EXAMPLE})`)
  }
  const m = SHAPE.exec(s.slice(SHARE_PREFIX.length))
  if (!m) {
    const want = SHARE_PREFIX.length + 2 + B64_CHARS + 5
    const len = s.length
    const hint = len < want - 2 ? ' (too short: characters are missing)' : len > want ? ' (too long: extra characters)' : ''
    throw malformed(`it does not have the form ${EXAMPLE}${hint}`)
  }
  const x = Number(m[1])
  if (x < 1 || x > MAX_SHARES || String(x) !== m[1]) throw malformed(`the index must be a number from 1 to ${MAX_SHARES} without leading zeros`)
  const decoded = Buffer.from(m[2], 'base64url')
  const y = new Uint8Array(decoded)
  decoded.fill(0)
  // the last of 43 characters carries 2 unused bits; a typo there would decode to the same bytes
  if (y.length !== SHARE_BYTES || view(y).toString('base64url') !== m[2]) {
    y.fill(0)
    throw malformed('the share data is not valid (a character is mistyped)')
  }
  if (checksum(x, y) !== m[3]) {
    y.fill(0)
    throw malformed('the checksum does not match (a character is mistyped or missing)')
  }
  return { x, y }
}
