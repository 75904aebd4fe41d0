import { ArcaError, type ErrorCode, ERROR_CODES, systemClock } from '../core/index.ts'
import type { Auth } from './credentials.ts'
import { signRequest } from './sign.ts'

export interface RestClientOptions {
  endpoint: string
  auth: Auth
}

/** A minimal client of Arca's REST API; errors come back as ArcaErrors with the server's code. */
export class RestClient {
  constructor(private readonly opts: RestClientOptions) {}

  async request<T = unknown>(method: string, path: string, body?: unknown, query?: Record<string, string | undefined>): Promise<T> {
    const url = new URL(this.opts.endpoint.replace(/\/+$/, '') + path)
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, v)
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body)
    let headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' }
    const auth = this.opts.auth
    if (auth.kind === 'token') headers.authorization = `Bearer ${auth.token}`
    else headers = signRequest({ method, url, headers, body: text }, auth.credentials, { region: auth.region, service: 'arca', now: systemClock.now() })
    let res: Response
    try {
      res = await fetch(url, { method, headers, body: body === undefined ? undefined : text })
    } catch (e) {
      throw new ArcaError('Dependency', `cannot reach Arca at ${this.opts.endpoint} (${(e as { cause?: { code?: string } }).cause?.code ?? 'network error'}); is the server running, and is --endpoint / ARCA_ENDPOINT right?`)
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
