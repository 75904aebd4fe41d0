import { createHash } from 'node:crypto'
import { ArcaError, type Clock } from '../core/index.ts'
import type { Identity, Principal } from '../services/identity/index.ts'
import { type HeaderBag, type SigningKeyCache, verifySigV4 } from './aws/sigv4.ts'

export interface AuthDeps {
  identity: Pick<Identity, 'accessKey' | 'authenticateToken' | 'policiesOf'>
  clock: Clock
  signingKeys: SigningKeyCache
}

export interface SignedRequest {
  method: string
  /** Raw path as received (percent-encoded), without the query. */
  path: string
  /** Raw query string without `?`. */
  query: string
  headers: HeaderBag
  body: Uint8Array
}

export interface Authenticated {
  principal: Principal
  accessKeyId: string
  /** The SigV4 scope's region: where the request's resources live. */
  region: string
  service: string
}

const CREDENTIAL = /Credential=([^/,\s]+)\//
const QUERY_CREDENTIAL = /(?:^|&)X-Amz-Credential=([^&%]+)(?:%2F|\/)/i

/** The access key id a request claims, read without verifying anything yet. */
function claimedAccessKeyId(req: SignedRequest): string | undefined {
  const h = req.headers
  const auth = h instanceof Headers ? h.get('authorization') : h['authorization']
  if (typeof auth === 'string') return CREDENTIAL.exec(auth)?.[1]
  return QUERY_CREDENTIAL.exec(req.query)?.[1]
}

export function sha256Hex(body: Uint8Array): string {
  return createHash('sha256').update(body).digest('hex')
}

/** Verifies a SigV4 request for one of `services` and returns who signed it. Throws AWS's errors. */
export async function authenticateSigV4(deps: AuthDeps, req: SignedRequest, services: readonly string[]): Promise<Authenticated> {
  const claimed = claimedAccessKeyId(req)
  const found = claimed ? await deps.identity.accessKey(claimed) : undefined
  const result = verifySigV4(
    { method: req.method, path: req.path, query: req.query, headers: req.headers, payloadHash: sha256Hex(req.body) },
    {
      now: deps.clock.now(),
      services,
      cache: deps.signingKeys,
      lookup: (id) => (found && id === claimed ? { secretAccessKey: found.secretAccessKey } : undefined),
    },
  )
  if (!found) throw new ArcaError('UnrecognizedClient', 'The security token included in the request is invalid.')
  return { principal: found.principal, accessKeyId: result.accessKeyId, region: result.region, service: result.service }
}

/** `Authorization: Bearer <token>` for the REST API. */
export async function authenticateBearer(deps: AuthDeps, header: string): Promise<Principal> {
  const token = header.slice('Bearer '.length).trim()
  const principal = token ? await deps.identity.authenticateToken(token) : undefined
  if (!principal) throw new ArcaError('Unauthenticated', 'The bearer token is unknown or expired.')
  return principal
}
