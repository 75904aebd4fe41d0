import { isArcaError } from '../core/index.ts'
import type { Auth } from './credentials.ts'
import type { Fetch } from './rest.ts'
import { awsJson } from './aws-json.ts'

export interface KmsConnection {
  endpoint: string
  auth: Auth
  fetch?: Fetch
  /** Waits between retries of a throttled call (tests pass a fake); defaults to a timer. */
  sleep?: (ms: number) => Promise<void>
}

// The AWS SDKs' standard retry mode: 3 attempts, exponential back-off from 100 ms, capped at 20 s.
const MAX_ATTEMPTS = 3
const BASE_DELAY_MS = 100

type Input = Record<string, unknown>
const b64 = (v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v)
const bytes = (v: unknown) => (typeof v === 'string' ? new Uint8Array(Buffer.from(v, 'base64')) : undefined)

/**
 * The three KMS calls the AWS Encryption SDK's keyrings make (GenerateDataKey, Encrypt, Decrypt),
 * in the shape of `@aws-sdk/client-kms`'s aggregated client (PascalCase members, Uint8Array blobs),
 * over our own SigV4 client: the credentials and endpoint Arca's tools already resolve, no second
 * AWS client stack at run time. Throttled calls are retried with back-off as the AWS SDKs do.
 */
export function kmsClientFor(conn: KmsConnection, region: string) {
  const auth: Auth = conn.auth.kind === 'sigv4' && region ? { ...conn.auth, region } : conn.auth
  const sleep = conn.sleep ?? ((ms: number) => new Promise<void>((res) => setTimeout(res, ms)))
  const call = async (operation: string, input: Input, blobsIn: string[], blobsOut: string[]) => {
    const wire: Input = { ...input }
    for (const k of blobsIn) if (k in wire) wire[k] = b64(wire[k])
    for (let attempt = 1; ; attempt++) {
      try {
        const out = await awsJson<Input>({ endpoint: conn.endpoint, auth, fetch: conn.fetch }, 'kms', operation, wire)
        for (const k of blobsOut) if (k in out) out[k] = bytes(out[k])
        return out
      } catch (e) {
        if (!(isArcaError(e) && e.code === 'Throttling') || attempt >= MAX_ATTEMPTS) throw e
        await sleep(BASE_DELAY_MS * 2 ** (attempt - 1))
      }
    }
  }
  return {
    generateDataKey: (input: Input) => call('GenerateDataKey', input, [], ['CiphertextBlob', 'Plaintext']),
    encrypt: (input: Input) => call('Encrypt', input, ['Plaintext'], ['CiphertextBlob']),
    decrypt: (input: Input) => call('Decrypt', input, ['CiphertextBlob'], ['Plaintext']),
  }
}

export type EnvelopeKmsClient = ReturnType<typeof kmsClientFor>
