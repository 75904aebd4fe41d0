import { ArcaError, type Clock, isArcaError, systemClock } from '../core/index.ts'
import { awsJson } from './aws-json.ts'
import { DEFAULT_STALE_WHILE_REVALIDATE_MS, DEFAULT_TTL_MS, TtlCache } from './cache.ts'
import { type Auth, resolveAuth } from './credentials.ts'
import { envNameOf, relativeName, secretEnv } from './env-names.ts'
import { type ArcaEvent, type Subscription, type SubscribeOptions, subscribeEvents } from './events.ts'
import { FallbackFile, fallbackKeyOf } from './fallback.ts'
import { type Fetch, RestClient } from './rest.ts'
import type { Credentials } from './sign.ts'
import { type ParameterValue, readParameter, readParametersByPath, readSecret, type SecretValue } from './reads.ts'

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:8321'

export interface ArcaClientOptions {
  /** Default: ARCA_ENDPOINT, then http://127.0.0.1:8321. */
  endpoint?: string
  /** SigV4 credentials; without them and a token, found like the CLI finds them (resolveAuth). */
  credentials?: Credentials
  /** A REST API token (Authorization: Bearer). KMS calls need credentials instead. */
  token?: string
  region?: string
  /** Default { ttlMs: 60 s, staleWhileRevalidateMs: 300 s }. */
  cache?: { ttlMs?: number; staleWhileRevalidateMs?: number }
  /** Where the last values read are kept, encrypted, for starting while Arca is unreachable. */
  fallbackFile?: string
  /** 32 bytes (or their base64) for the fallback file; default ARCA_FALLBACK_KEY. */
  fallbackKey?: string | Uint8Array
  /** Told whenever the client serves values it could not refresh. Default: a line on stderr. */
  onWarning?: (message: string) => void
  clock?: Clock
  fetch?: Fetch
  env?: Record<string, string | undefined>
}

export interface LoadEnvOptions {
  /** Secrets to add (JSON objects give one variable per key). */
  secrets?: string[]
  prefix?: string
  /** Default true. */
  recursive?: boolean
}

/** A caching reader of parameters and secrets (see createArcaClient). */
export interface ArcaClient {
  readonly endpoint: string
  readonly auth: Auth
  /** A parameter's value, decrypted. `name` may carry `:version` or `:label`. */
  getParameter(name: string): Promise<string>
  getParameterRecord(name: string): Promise<ParameterValue>
  /** Every parameter under `path` (recursive by default), decrypted, by full name. */
  getParametersByPath(path: string, opts?: { recursive?: boolean }): Promise<Record<string, string>>
  /** A secret's text (AWSCURRENT unless a stage or version is given). */
  getSecret(id: string, opts?: { stage?: string; versionId?: string }): Promise<string>
  getSecretValue(id: string, opts?: { stage?: string; versionId?: string }): Promise<SecretValue>
  /** Parameters under `paths` (and `secrets`) as environment variables (the `arca exec` rules). */
  loadEnv(paths: string | string[], opts?: LoadEnvOptions): Promise<Record<string, string>>
  encrypt(keyId: string, plaintext: string | Uint8Array, context?: Record<string, string>): Promise<{ ciphertext: string; keyId: string }>
  decrypt(ciphertextBase64: string, context?: Record<string, string>): Promise<{ plaintext: Uint8Array; keyId: string }>
  /** Follows the event stream and refreshes cached values when they change. */
  subscribe(opts?: SubscribeOptions): Subscription
  /** Closes every subscription. */
  close(): void
}

function authOf(o: ArcaClientOptions, env: Record<string, string | undefined>): Auth {
  const region = o.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? env.ARCA_REGION ?? 'us-east-1'
  if (o.token) return { kind: 'token', token: o.token }
  if (o.credentials) return { kind: 'sigv4', credentials: o.credentials, region }
  return resolveAuth({ env })
}

const unreachable = (e: unknown) => isArcaError(e) && (e.code === 'Dependency' || e.code === 'Sealed')

/**
 * A client for applications: reads parameters and secrets over the REST API (bearer token or
 * SigV4 — no AWS SDK), caches them (TTL + stale-while-revalidate, time from `clock`), keeps an
 * optional encrypted fallback file for starting while Arca is down (and says so through
 * `onWarning`), and refreshes cached values on change events with `subscribe()`.
 */
export function createArcaClient(opts: ArcaClientOptions = {}): ArcaClient {
  const env = opts.env ?? process.env
  const endpoint = (opts.endpoint ?? env.ARCA_ENDPOINT ?? DEFAULT_ENDPOINT).replace(/\/+$/, '')
  const auth = authOf(opts, env)
  const clock = opts.clock ?? systemClock
  const warn = opts.onWarning ?? ((m: string) => void process.stderr.write(`arca: WARNING: ${m}\n`))
  const rest = new RestClient({ endpoint, auth, fetch: opts.fetch })
  const conn = { endpoint, auth, fetch: opts.fetch }
  const fallback = opts.fallbackFile ? new FallbackFile(opts.fallbackFile, fallbackKeyOf(opts.fallbackKey, env)) : undefined
  const cache = new TtlCache(
    { ttlMs: opts.cache?.ttlMs ?? DEFAULT_TTL_MS, staleWhileRevalidateMs: opts.cache?.staleWhileRevalidateMs ?? DEFAULT_STALE_WHILE_REVALIDATE_MS },
    clock,
    (key, e) => warn(`refreshing ${key} failed: ${e instanceof Error ? e.message : String(e)}`),
  )
  const subscriptions = new Set<Subscription>()
  let saved: Record<string, unknown> | undefined
  let degraded = false

  function save(key: string, value: unknown): void {
    if (!fallback) return
    try {
      saved ??= fallback.load() ?? {}
    } catch {
      saved = {}
    }
    saved[key] = value
    fallback.save({ savedAt: clock.now(), values: saved })
  }

  async function read<T>(key: string, load: () => Promise<T>): Promise<T> {
    const loadAndSave = async () => {
      const v = await load()
      degraded = false
      save(key, v)
      return v
    }
    try {
      return await cache.get(key, loadAndSave)
    } catch (e) {
      if (!unreachable(e)) throw e
      const held = cache.peek(key)
      if (held && held.at !== -Infinity) {
        if (!degraded) warn(`${(e as Error).message}; serving values last read ${Math.round((clock.now() - held.at) / 1000)} s ago`)
        degraded = true
        return held.value as T
      }
      const file = fallback?.load() as { savedAt: number; values: Record<string, unknown> } | undefined
      if (file && key in file.values) {
        if (!degraded) warn(`${(e as Error).message}; STARTING FROM THE FALLBACK FILE ${opts.fallbackFile} saved ${Math.round((clock.now() - file.savedAt) / 1000)} s ago`)
        degraded = true
        for (const [k, v] of Object.entries(file.values)) cache.seed(k, v, loadAndSave)
        return file.values[key] as T
      }
      throw e
    }
  }

  const paramKey = (name: string) => `p:${name}`
  const pathKey = (path: string, recursive: boolean) => `P:${recursive ? 'r' : '1'}:${path}`
  const secretKey = (id: string, o: { stage?: string; versionId?: string } = {}) => `s:${id}@${o.stage ?? ''}#${o.versionId ?? ''}`

  function applyEvent(e: ArcaEvent): void {
    const name = typeof e.detail.name === 'string' ? e.detail.name : undefined
    if (!name) return
    if (e.source === 'aws.ssm') {
      const n = name.startsWith('/') ? name : `/${name}`
      cache.refresh((k) => {
        if (k.startsWith('p:')) return k === paramKey(name) || k.startsWith(`${paramKey(name)}:`)
        if (!k.startsWith('P:')) return false
        const path = k.slice(4)
        return path === '/' || n.startsWith(path.endsWith('/') ? path : `${path}/`)
      })
    } else if (e.source === 'aws.secretsmanager') {
      const ids = [name, typeof e.detail.secretArn === 'string' ? e.detail.secretArn : undefined].filter(Boolean)
      cache.refresh((k) => ids.some((id) => k.startsWith(`s:${id}@`)))
    }
  }

  const client: ArcaClient = {
    endpoint,
    auth,
    async getParameterRecord(name) {
      return read(paramKey(name), () => readParameter(rest, name))
    },
    async getParameter(name) {
      return (await client.getParameterRecord(name)).value
    },
    async getParametersByPath(path, o = {}) {
      const recursive = o.recursive ?? true
      const list = await read(pathKey(path, recursive), () => readParametersByPath(rest, path, recursive))
      return Object.fromEntries(list.map((p) => [p.name, p.value]))
    },
    async getSecretValue(id, o = {}) {
      return read(secretKey(id, o), () => readSecret(rest, id, o))
    },
    async getSecret(id, o = {}) {
      const s = await client.getSecretValue(id, o)
      if (s.value === undefined) throw new ArcaError('Validation', `secret '${id}' holds binary data; read it with getSecretValue (valueBase64)`)
      return s.value
    },
    async loadEnv(paths, o = {}) {
      const out: Record<string, string> = {}
      for (const path of Array.isArray(paths) ? paths : [paths]) {
        const values = await client.getParametersByPath(path, { recursive: o.recursive ?? true })
        for (const [name, value] of Object.entries(values)) out[envNameOf(relativeName(name, path), o.prefix)] = value
      }
      for (const id of o.secrets ?? []) Object.assign(out, secretEnv(id, await client.getSecret(id), o.prefix))
      return out
    },
    async encrypt(keyId, plaintext, context) {
      const bytes = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : Buffer.from(plaintext)
      const out = await awsJson<{ CiphertextBlob: string; KeyId: string }>(conn, 'kms', 'Encrypt', { KeyId: keyId, Plaintext: bytes.toString('base64'), ...(context ? { EncryptionContext: context } : {}) })
      return { ciphertext: out.CiphertextBlob, keyId: out.KeyId }
    },
    async decrypt(ciphertextBase64, context) {
      const out = await awsJson<{ Plaintext: string; KeyId: string }>(conn, 'kms', 'Decrypt', { CiphertextBlob: ciphertextBase64, ...(context ? { EncryptionContext: context } : {}) })
      return { plaintext: new Uint8Array(Buffer.from(out.Plaintext, 'base64')), keyId: out.KeyId }
    },
    subscribe(o = {}) {
      const sub = subscribeEvents(conn, {
        ...o,
        onEvent: (e, seq) => {
          applyEvent(e)
          o.onEvent?.(e, seq)
        },
        onTruncated: () => {
          cache.refresh(() => true)
          o.onTruncated?.()
        },
      })
      subscriptions.add(sub)
      return {
        ready: sub.ready,
        close() {
          subscriptions.delete(sub)
          sub.close()
        },
      }
    },
    close() {
      for (const s of subscriptions) s.close()
      subscriptions.clear()
    },
  }
  return client
}
