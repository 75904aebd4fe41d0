/** SigV4 signing-key derivation (AWS-API.md §2 step 7) and its bounded cache. */
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'

/** The part of a credential the cache reads; object identity memoises the fingerprint. */
export interface SecretHolder {
  secretAccessKey: string
}

const enc = (s: string): Uint8Array => utf8ToBytes(s)
const AWS4_REQUEST = enc('aws4_request')

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"). */
export function signingKey(secret: string, date: string, region: string, service: string): Uint8Array {
  const kDate = hmac(sha256, enc(`AWS4${secret}`), enc(date))
  const kRegion = hmac(sha256, kDate, enc(region))
  const kService = hmac(sha256, kRegion, enc(service))
  return hmac(sha256, kService, AWS4_REQUEST)
}

/**
 * Bounded LRU of derived signing keys, keyed by access key id, a SHA-256 fingerprint of the
 * secret (never the secret itself), date, region and service. A rotated secret gets a new
 * fingerprint and so a new entry. Fingerprints are memoised per credential object, so a lookup
 * that returns stable objects costs no hashing at all on a hit.
 */
export class SigningKeyCache {
  private readonly map = new Map<string, Uint8Array>()
  private readonly fingerprints = new WeakMap<SecretHolder, string>()
  constructor(readonly maxEntries = 1024) {}

  get size(): number {
    return this.map.size
  }

  key(accessKeyId: string, credential: SecretHolder, date: string, region: string, service: string): Uint8Array {
    let fp = this.fingerprints.get(credential)
    if (fp === undefined) {
      fp = bytesToHex(sha256(enc(credential.secretAccessKey))).slice(0, 32)
      this.fingerprints.set(credential, fp)
    }
    const id = `${accessKeyId}|${fp}|${date}|${region}|${service}`
    const hit = this.map.get(id)
    if (hit !== undefined) {
      this.map.delete(id)
      this.map.set(id, hit)
      return hit
    }
    const k = signingKey(credential.secretAccessKey, date, region, service)
    this.map.set(id, k)
    if (this.map.size > this.maxEntries) {
      const oldest = this.map.keys().next().value
      if (oldest !== undefined) this.map.delete(oldest)
    }
    return k
  }

  clear(): void {
    this.map.clear()
  }
}
