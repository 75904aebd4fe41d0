/** Test helpers: a raw-request parser for the suite files and a node:crypto hash for @smithy/signature-v4. */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto'
import { SignatureV4 } from '@smithy/signature-v4'
import { HttpRequest } from '@smithy/core/protocols'
import { uriEncode, type SigV4Input } from '../../../../src/api/aws/sigv4.ts'
import { toDate } from '../../../../src/core/index.ts'

export const sha256Hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex')

/** A raw signed request as in test/vectors/sigv4: request line, headers, blank line, body. */
export function parseRawRequest(text: string): SigV4Input & { body: string } {
  const sep = text.indexOf('\n\n')
  const head = sep < 0 ? text : text.slice(0, sep)
  const body = sep < 0 ? '' : text.slice(sep + 2)
  const lines = head.split('\n')
  const requestLine = lines.shift()!
  const method = requestLine.slice(0, requestLine.indexOf(' '))
  const target = requestLine.slice(method.length + 1, requestLine.lastIndexOf(' HTTP/'))
  const qi = target.indexOf('?')
  const headers: Record<string, string[]> = {}
  for (const line of lines) {
    const c = line.indexOf(':')
    const name = line.slice(0, c).toLowerCase()
    ;(headers[name] ??= []).push(line.slice(c + 1))
  }
  return {
    method,
    path: qi < 0 ? target : target.slice(0, qi),
    query: qi < 0 ? '' : target.slice(qi + 1),
    headers,
    payloadHash: sha256Hex(body),
    body,
  }
}

/** `@smithy/signature-v4`'s ChecksumConstructor over node:crypto. */
export class NodeSha256 {
  private h: Hash | Hmac
  constructor(private readonly secret?: string | Uint8Array | ArrayBuffer | ArrayBufferView) {
    this.h = this.fresh()
  }
  private fresh(): Hash | Hmac {
    if (this.secret === undefined) return createHash('sha256')
    const key =
      typeof this.secret === 'string'
        ? this.secret
        : this.secret instanceof ArrayBuffer
          ? new Uint8Array(this.secret)
          : new Uint8Array(this.secret.buffer, this.secret.byteOffset, this.secret.byteLength)
    return createHmac('sha256', key)
  }
  update(data: string | Uint8Array | ArrayBuffer | ArrayBufferView): void {
    if (typeof data === 'string') this.h.update(data)
    else if (data instanceof ArrayBuffer) this.h.update(new Uint8Array(data))
    else this.h.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest())
  }
  reset(): void {
    this.h = this.fresh()
  }
}

export interface SdkRequest {
  method?: string
  host?: string
  path?: string
  query?: Record<string, string>
  headers?: Record<string, string>
  body?: string
}

export function smithySigner(opts: {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
  region: string
  service: string
  applyChecksum?: boolean
}): SignatureV4 {
  const credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = {
    accessKeyId: opts.accessKeyId,
    secretAccessKey: opts.secretAccessKey,
  }
  if (opts.sessionToken !== undefined) credentials.sessionToken = opts.sessionToken
  return new SignatureV4({
    credentials,
    region: opts.region,
    service: opts.service,
    sha256: NodeSha256,
    uriEscapePath: true,
    applyChecksum: opts.applyChecksum ?? true,
  })
}

function toSmithy(r: SdkRequest): HttpRequest {
  const host = r.host ?? '127.0.0.1:8080'
  const [hostname, port] = host.split(':')
  return new HttpRequest({
    method: r.method ?? 'POST',
    protocol: 'http:',
    hostname: hostname!,
    ...(port ? { port: Number(port) } : {}),
    path: r.path ?? '/',
    query: r.query ?? {},
    headers: { host, ...(r.headers ?? {}) },
    ...(r.body !== undefined ? { body: r.body } : {}),
  })
}

/** What a server receives for a smithy-signed request: raw query string, lower-case header record. */
function toInput(signed: HttpRequest, body: string | undefined): SigV4Input & { body: string } {
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries(signed.headers)) headers[k.toLowerCase()] = v
  const parts: string[] = []
  for (const [k, v] of Object.entries(signed.query ?? {})) {
    const values = Array.isArray(v) ? v : [v]
    for (const one of values) parts.push(`${uriEncode(k)}=${uriEncode(one ?? '')}`)
  }
  const b = body ?? ''
  return { method: signed.method, path: signed.path, query: parts.join('&'), headers, payloadHash: sha256Hex(b), body: b }
}

export async function smithySign(signer: SignatureV4, r: SdkRequest, at: number): Promise<SigV4Input & { body: string }> {
  const signed = (await signer.sign(toSmithy(r), { signingDate: toDate(at) })) as HttpRequest
  return toInput(signed, r.body)
}

export async function smithyPresign(signer: SignatureV4, r: SdkRequest, at: number, expiresIn = 900): Promise<SigV4Input & { body: string }> {
  const signed = (await signer.presign(toSmithy(r), { signingDate: toDate(at), expiresIn })) as HttpRequest
  return toInput(signed, r.body)
}

/** A typical awsJson1_1 request as the JS v3 SDK sends it. */
export function kmsRequest(body: string, target = 'TrentService.Encrypt'): SdkRequest {
  return {
    method: 'POST',
    host: '127.0.0.1:8080',
    path: '/',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': target,
      'content-length': String(Buffer.byteLength(body)),
      'x-amz-content-sha256': sha256Hex(body),
      'amz-sdk-invocation-id': '6a7c6f3e-0000-4000-8000-000000000000',
      'amz-sdk-request': 'attempt=1; max=1',
      'x-amz-user-agent': 'aws-sdk-js/3.0.0',
    },
    body,
  }
}
