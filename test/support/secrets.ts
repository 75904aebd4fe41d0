/** Helpers for the Secrets Manager tests: an SDK client on a test server and a raw-database scan. */
import path from 'node:path'
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import type { ClientOptions } from './aws.ts'
import { type TestDatabase, rawDatabaseBytes } from './db.ts'
import { TEST_REGION, type TestServer } from './server.ts'

/** A Secrets Manager client as an application would build it, but without retries. */
export function secretsClient(t: TestServer, opts: ClientOptions = {}): SecretsManagerClient {
  return new SecretsManagerClient({ endpoint: t.url, region: opts.region ?? TEST_REGION, credentials: opts.credentials ?? t.admin, maxAttempts: 1 })
}

/** Every byte the test server's database holds (SQLite file + WAL, or every PostgreSQL row). */
export function serverDatabaseBytes(t: TestServer): Promise<Buffer> {
  const file = t.env.ARCA_DATABASE_URL ? undefined : path.join(t.dataDir, 'arca.db')
  return rawDatabaseBytes({ db: t.services.db.db, ...(file ? { file } : {}) } as unknown as TestDatabase)
}

/** Does `haystack` contain `needle` as UTF-8, UTF-16LE or base64 (any alignment)? */
export function containsValue(haystack: Buffer, needle: string | Uint8Array): boolean {
  const bytes = typeof needle === 'string' ? Buffer.from(needle, 'utf8') : Buffer.from(needle)
  if (haystack.includes(bytes)) return true
  if (typeof needle === 'string' && haystack.includes(Buffer.from(needle, 'utf16le'))) return true
  // base64 of the value at each of the three byte alignments (inner part only)
  for (let shift = 0; shift < 3; shift++) {
    const b64 = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64').slice(4, -4)
    if (b64.length >= 8 && haystack.includes(Buffer.from(b64))) return true
  }
  return false
}

/** Signs the client's requests at the test server's (manual) time, so moving the clock keeps SigV4 valid. */
export function followClock(client: SecretsManagerClient, t: TestServer): void {
  ;(client.config as { systemClockOffset: number }).systemClockOffset = t.clock.now() - Date.now()
}
