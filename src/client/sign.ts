import { createHash, createHmac } from 'node:crypto'
import { canonicalQuery, canonicalUri, formatAmzDate, signingKey } from '../api/aws/sigv4.ts'

export interface Credentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
}

/** Signs a request with SigV4 (header form) — the mirror of the server's verifier. */
export function signRequest(
  req: { method: string; url: URL; headers: Record<string, string>; body: string | Uint8Array },
  creds: Credentials,
  scope: { region: string; service: string; now: number },
): Record<string, string> {
  const amzDate = formatAmzDate(scope.now)
  const date = amzDate.slice(0, 8)
  const payloadHash = createHash('sha256').update(req.body).digest('hex')
  const headers: Record<string, string> = { ...lower(req.headers), host: req.url.host, 'x-amz-date': amzDate, 'x-amz-content-sha256': payloadHash }
  if (creds.sessionToken) headers['x-amz-security-token'] = creds.sessionToken
  const names = Object.keys(headers).sort()
  const canonical = [
    req.method,
    canonicalUri(req.url.pathname),
    canonicalQuery(req.url.search.slice(1)),
    names.map((n) => `${n}:${headers[n].trim().replace(/\s+/g, ' ')}\n`).join(''),
    names.join(';'),
    payloadHash,
  ].join('\n')
  const credentialScope = `${date}/${scope.region}/${scope.service}/aws4_request`
  const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${credentialScope}\n${createHash('sha256').update(canonical).digest('hex')}`
  const signature = createHmac('sha256', signingKey(creds.secretAccessKey, date, scope.region, scope.service)).update(toSign).digest('hex')
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${credentialScope}, SignedHeaders=${names.join(';')}, Signature=${signature}`
  return headers
}

function lower(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]))
}
