import { ArcaError, type ErrorCode, ERROR_CODES, systemClock } from '../core/index.ts'
import type { Auth } from './credentials.ts'
import { signRequest } from './sign.ts'

/** The fetch the clients use; tests wrap it to count requests. */
export type Fetch = typeof fetch

export interface RestClientOptions {
  endpoint: string
  auth: Auth
  fetch?: Fetch
}

/** Headers that authenticate one REST request: a bearer token, or SigV4 for service `arca`. */
export function authHeaders(auth: Auth, req: { method: string; url: URL; headers: Record<string, string>; body: string }): Record<string, string> {
  if (auth.kind === 'token') return { ...req.headers, authorization: `Bearer ${auth.token}` }
  return signRequest(req, auth.credentials, { region: auth.region, service: 'arca', now: systemClock.now() })
}

/** The one-line message for a request that never reached the server. */
export function unreachable(endpoint: string, e: unknown): ArcaError {
  const cause = (e as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }).cause
  const code = cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? 'network error'
  return new ArcaError('Dependency', `cannot reach Arca at ${endpoint} (${code}); is the server running, and is --endpoint / ARCA_ENDPOINT right?`)
}

/** A minimal client of Arca's REST API; errors come back as ArcaErrors with the server's code. */
export class RestClient {
  constructor(private readonly opts: RestClientOptions) {}

  get endpoint(): string {
    return this.opts.endpoint.replace(/\/+$/, '')
  }

  async request<T = unknown>(method: string, path: string, body?: unknown, query?: Record<string, string | undefined>, extraHeaders: Record<string, string> = {}): Promise<T> {
    const url = new URL(this.endpoint + path)
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, v)
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body)
    const headers = authHeaders(this.opts.auth, { method, url, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...extraHeaders }, body: text })
    let res: Response
    try {
      res = await (this.opts.fetch ?? fetch)(url, { method, headers, body: body === undefined ? undefined : text })
    } catch (e) {
      throw unreachable(this.endpoint, e)
    }
    const raw = await res.text()
    const data = raw ? safeJson(raw) : undefined
    if (!res.ok) {
      const p = (data ?? {}) as { code?: string; detail?: string; title?: string }
      const code = (ERROR_CODES as readonly string[]).includes(p.code ?? '') ? (p.code as ErrorCode) : 'Internal'
      throw new ArcaError(code, p.detail ?? p.title ?? `HTTP ${res.status}`)
    }
    return data as T
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
