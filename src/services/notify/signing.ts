import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { randomBytes, toHex } from '../../core/index.ts'

/**
 * Webhook signatures. The recipe a receiver follows (documented in the README):
 *   signed  = arca-timestamp + "." + raw request body
 *   expect  = "v1=" + hex(HMAC-SHA256(key = the webhook secret as UTF-8 text, signed))
 * compare `expect` with the `arca-signature` header in constant time, and reject timestamps
 * more than a few minutes from the receiver's clock (replays).
 */
export const SIGNATURE_VERSION = 'v1'
export const SECRET_PREFIX = 'whsec_'
// 256-bit secrets: the HMAC-SHA256 key size (RFC 2104 §3: at least the hash output length).
const SECRET_BYTES = 32
// Receivers should refuse older deliveries; the same default serves verifySignature.
export const DEFAULT_TOLERANCE_SECONDS = 300

const encoder = new TextEncoder()

/** A new signing secret: `whsec_` + 43 base64url characters. */
export function generateSecret(): string {
  return SECRET_PREFIX + Buffer.from(randomBytes(SECRET_BYTES)).toString('base64url')
}

/** The `arca-signature` header value for a body sent at `timestamp` (unix seconds). */
export function signPayload(secret: string, timestamp: number, body: string): string {
  const mac = hmac(sha256, encoder.encode(secret), encoder.encode(`${timestamp}.${body}`))
  return `${SIGNATURE_VERSION}=${toHex(mac)}`
}

/** Receiver side: true when the signature header matches and the timestamp is fresh. */
export function verifySignature(
  secret: string,
  headers: { timestamp: string | null | undefined; signature: string | null | undefined },
  body: string,
  nowSeconds: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): boolean {
  const ts = Number(headers.timestamp)
  if (!headers.signature || !Number.isInteger(ts) || Math.abs(nowSeconds - ts) > toleranceSeconds) return false
  const expected = signPayload(secret, ts, body)
  // A header may list several signatures (`v1=…,v1=…`) during a secret change.
  return headers.signature.split(',').some((s) => constantTimeEqual(s.trim(), expected))
}

function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}
