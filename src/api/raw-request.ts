import type { IncomingMessage } from 'node:http'
import type { Context } from 'hono'
import { ArcaError } from '../core/index.ts'

/**
 * The request as received, read without building a WHATWG Request: on the hot path the Node
 * request's own header object and byte stream are used directly (building a Request and a
 * ReadableStream costs more than verifying the signature).
 */
export interface RawRequest {
  method: string
  /** Raw path, still percent-encoded, without the query. */
  path: string
  /** Raw query string without `?`. */
  query: string
  /** Lower-case names; repeated headers as Node joins them. */
  headers: Record<string, string | string[] | undefined>
  header(name: string): string | undefined
  /** The whole body, refused past `max` bytes before and while reading. */
  body(max: number): Promise<Uint8Array>
}

export function rawRequest(c: Context): RawRequest {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming
  if (incoming?.url !== undefined) return fromNode(incoming)
  return fromWeb(c.req.raw)
}

function splitUrl(target: string): { path: string; query: string } {
  const q = target.indexOf('?')
  return q < 0 ? { path: target, query: '' } : { path: target.slice(0, q), query: target.slice(q + 1) }
}

function fromNode(req: IncomingMessage): RawRequest {
  const { path, query } = splitUrl(req.url ?? '/')
  const headers = req.headers as Record<string, string | string[] | undefined>
  return {
    method: req.method ?? 'GET',
    path,
    query,
    headers,
    header: (name) => {
      const v = headers[name]
      return Array.isArray(v) ? v.join(', ') : v
    },
    async body(max) {
      if (Number(headers['content-length'] ?? 0) > max) throw tooLarge(max)
      const chunks: Buffer[] = []
      let size = 0
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length
        if (size > max) throw tooLarge(max)
        chunks.push(chunk)
      }
      return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)
    },
  }
}

function fromWeb(req: Request): RawRequest {
  const url = new URL(req.url)
  const headers: Record<string, string> = {}
  req.headers.forEach((v, k) => (headers[k] = v))
  return {
    method: req.method,
    path: url.pathname,
    query: url.search.slice(1),
    headers,
    header: (name) => headers[name],
    async body(max) {
      if (Number(headers['content-length'] ?? 0) > max) throw tooLarge(max)
      const buf = new Uint8Array(await req.arrayBuffer())
      if (buf.length > max) throw tooLarge(max)
      return buf
    },
  }
}

function tooLarge(max: number): ArcaError {
  return new ArcaError('PayloadTooLarge', `Request body exceeds the ${max}-byte limit.`)
}
