import { equalBytes } from '@noble/ciphers/utils.js'
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { ArcaError, randomBytes, toHex } from '../../core/index.ts'

// Grant ids and grant tokens.
//
// A grant id is 32 random bytes in hex (AWS's ids are 64 hex digits). A grant token is
// base64url(version | grant id | nonce | HMAC-SHA256(tokenKey, label | grant id | nonce)), where
// tokenKey is the grant's own random key, stored only wrapped by the root-key barrier. So a token
// names its grant, every CreateGrant retry gets a fresh token for the same grant (AWS: "the
// returned grant token is unique with every CreateGrant request"), and nobody who can merely read
// the database can make one.

const VERSION = 1
const ID_BYTES = 32
const NONCE_BYTES = 16
const MAC_BYTES = 32
const TOKEN_BYTES = 1 + ID_BYTES + NONCE_BYTES + MAC_BYTES
const LABEL = new TextEncoder().encode('arca:kms-grant-token:v1:')
const GRANT_ID = /^[0-9a-f]{64}$/

export const TOKEN_KEY_BYTES = 32

export function newGrantId(): string {
  return toHex(randomBytes(ID_BYTES))
}

/** Throws InvalidGrantId for anything that is not a grant id of ours (AWS: GrantIdType 1–128). */
export function checkGrantId(value: unknown, field = 'grantId'): string {
  if (typeof value !== 'string' || !GRANT_ID.test(value)) throw new ArcaError('InvalidGrantId', 'The grant ID is not valid.', { field })
  return value
}

/** Barrier AAD binding a wrapped token key to its grant: a key moved to another grant fails. */
export function tokenKeyAad(grantId: string): Uint8Array {
  return new TextEncoder().encode(`arca:kms-grant-token:${grantId}`)
}

function mac(tokenKey: Uint8Array, id: Uint8Array, nonce: Uint8Array): Uint8Array {
  const msg = new Uint8Array(LABEL.length + id.length + nonce.length)
  msg.set(LABEL)
  msg.set(id, LABEL.length)
  msg.set(nonce, LABEL.length + id.length)
  return hmac(sha256, tokenKey, msg)
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'))
}

/** A fresh token for a grant. */
export function makeGrantToken(grantId: string, tokenKey: Uint8Array): string {
  const id = hexBytes(grantId)
  const nonce = randomBytes(NONCE_BYTES)
  const out = new Uint8Array(TOKEN_BYTES)
  out[0] = VERSION
  out.set(id, 1)
  out.set(nonce, 1 + ID_BYTES)
  out.set(mac(tokenKey, id, nonce), 1 + ID_BYTES + NONCE_BYTES)
  return Buffer.from(out).toString('base64url')
}

/** A token taken apart, before its MAC is checked against the grant's key. */
export interface ParsedGrantToken {
  grantId: string
  id: Uint8Array
  nonce: Uint8Array
  mac: Uint8Array
}

/** Throws InvalidGrantToken for anything that is not shaped like one of our tokens; never echoes the token. */
export function parseGrantToken(token: unknown): ParsedGrantToken {
  const bad = () => new ArcaError('InvalidGrantToken', 'The grant token is not valid.', { field: 'grantToken' })
  if (typeof token !== 'string' || token.length === 0 || token.length > 8192 || !/^[A-Za-z0-9_-]+$/.test(token)) throw bad()
  const raw = Uint8Array.from(Buffer.from(token, 'base64url'))
  if (raw.length !== TOKEN_BYTES || raw[0] !== VERSION) throw bad()
  const id = raw.slice(1, 1 + ID_BYTES)
  return { grantId: toHex(id), id, nonce: raw.slice(1 + ID_BYTES, 1 + ID_BYTES + NONCE_BYTES), mac: raw.slice(1 + ID_BYTES + NONCE_BYTES) }
}

/** Constant-time check of a parsed token's MAC under the grant's unwrapped token key. */
export function tokenMatches(parsed: ParsedGrantToken, tokenKey: Uint8Array): boolean {
  return equalBytes(mac(tokenKey, parsed.id, parsed.nonce), parsed.mac)
}
