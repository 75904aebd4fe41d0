/**
 * The official AWS Encryption SDK for JavaScript pointed at a test server: its KMS keyrings get
 * `@aws-sdk/client-kms`'s aggregated `KMS` client for the server's endpoint, one per region.
 */
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { KMS } from '@aws-sdk/client-kms'
import type { Credentials } from './aws.ts'
import type { TestServer } from './server.ts'

/** The client supplier the SDK's KMS keyrings call with the region of each key ARN. */
export function kmsSupplier(t: TestServer, credentials?: Credentials, maxAttempts = 1) {
  return (region: string) => new KMS({ endpoint: t.url, region, credentials: credentials ?? t.admin, maxAttempts })
}

/** Deterministic, incompressible-looking bytes generated in chunks: a large input never held whole. */
export function patternStream(size: number, chunk = 1 << 20): Readable {
  const base = Buffer.alloc(chunk)
  for (let off = 0, i = 0; off < chunk; off += 32, i++) createHash('sha256').update(String(i)).digest().copy(base, off)
  let sent = 0
  let index = 0
  return new Readable({
    read() {
      if (sent >= size) return void this.push(null)
      const n = Math.min(chunk, size - sent)
      const buf = Buffer.from(base.subarray(0, n))
      // Each chunk differs from the others, so a reordered or repeated frame changes the digest.
      if (n >= 4) buf.writeUInt32BE(index >>> 0, 0)
      index++
      sent += n
      this.push(buf)
    },
  })
}

/** SHA-256 and length of everything a stream yields. */
export async function digestOf(stream: AsyncIterable<Buffer | Uint8Array>): Promise<{ sha256: string; bytes: number }> {
  const h = createHash('sha256')
  let bytes = 0
  for await (const c of stream) {
    h.update(c)
    bytes += c.length
  }
  return { sha256: h.digest('hex'), bytes }
}
