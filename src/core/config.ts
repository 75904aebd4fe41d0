import { ArcaError } from './errors.ts'
import type { LogLevel } from './log.ts'

/** Everything Arca reads from its environment, parsed once at start-up. */
export interface Config {
  host: string
  port: number
  dataDir: string
  /** `postgres://…` selects PostgreSQL; otherwise SQLite at `${dataDir}/arca.db`. */
  databaseUrl?: string
  /** PostgreSQL only: the schema Arca's tables live in (default: the connection's search_path). */
  databaseSchema?: string
  region: string
  accountId: string
  rootKey?: string
  rootKeyFile?: string
  adminAccessKeyId?: string
  adminSecretAccessKey?: string
  logLevel: LogLevel
  /** ARCA_WEBHOOK_ALLOW_PRIVATE=true: webhooks may target private and link-local addresses (loopback always may). */
  webhookAllowPrivate: boolean
  /** ARCA_EVENT_RETENTION_DAYS: how long events stay readable (stream resumption, audit of deliveries). */
  eventRetentionDays: number
  /** Upper bound on one request body, bytes. */
  maxBodyBytes: number
  /** Limits of the HTTP server itself (see SERVER_LIMITS for each default and why). */
  http: HttpLimits
  /** `sync`: a response waits for its audit record's commit; `async`: it does not (a crash may lose the last few ms). */
  auditMode: 'sync' | 'async'
  /** ARCA_QUOTAS and ARCA_QUOTA_* as given: the request quotas parse and check them (api/quotas). */
  quotaEnv?: Record<string, string>
}

const ACCOUNT_ID = /^\d{12}$/
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const port = Number(env.ARCA_PORT ?? 8321)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ArcaError('Validation', `ARCA_PORT must be a port number, got '${env.ARCA_PORT}'`)
  const accountId = env.ARCA_ACCOUNT_ID ?? '000000000000'
  if (!ACCOUNT_ID.test(accountId)) throw new ArcaError('Validation', `ARCA_ACCOUNT_ID must be 12 digits, got '${accountId}'`)
  const region = env.ARCA_REGION ?? 'us-east-1'
  if (!REGION.test(region)) throw new ArcaError('Validation', `ARCA_REGION is not a region name: '${region}'`)
  const logLevel = (env.ARCA_LOG_LEVEL ?? 'info') as LogLevel
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) throw new ArcaError('Validation', `ARCA_LOG_LEVEL must be debug, info, warn or error`)
  const auditMode = env.ARCA_AUDIT_MODE ?? 'sync'
  if (auditMode !== 'sync' && auditMode !== 'async') throw new ArcaError('Validation', `ARCA_AUDIT_MODE must be sync or async, got '${auditMode}'`)
  const retention = Number(env.ARCA_EVENT_RETENTION_DAYS ?? 7)
  // At least 2 days: longer than the 24-hour webhook retry window.
  if (!Number.isInteger(retention) || retention < 2 || retention > 365) throw new ArcaError('Validation', `ARCA_EVENT_RETENTION_DAYS must be a whole number of days from 2 to 365`)
  const cfg: Config = {
    host: env.ARCA_HOST ?? '127.0.0.1',
    port,
    dataDir: env.ARCA_DATA_DIR ?? './data',
    region,
    accountId,
    logLevel,
    maxBodyBytes: Number(env.ARCA_MAX_BODY_BYTES ?? 1_048_576),
    http: httpLimits(env),
    webhookAllowPrivate: env.ARCA_WEBHOOK_ALLOW_PRIVATE === 'true',
    eventRetentionDays: Number(env.ARCA_EVENT_RETENTION_DAYS ?? 7),
    auditMode,
    quotaEnv: Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => /^ARCA_QUOTAS?(_|$)/.test(e[0]) && e[1] !== undefined)),
  }
  if (env.ARCA_DATABASE_URL) cfg.databaseUrl = env.ARCA_DATABASE_URL
  if (env.ARCA_DATABASE_SCHEMA) cfg.databaseSchema = env.ARCA_DATABASE_SCHEMA
  if (env.ARCA_ROOT_KEY) cfg.rootKey = env.ARCA_ROOT_KEY
  if (env.ARCA_ROOT_KEY_FILE) cfg.rootKeyFile = env.ARCA_ROOT_KEY_FILE
  if (env.ARCA_ADMIN_ACCESS_KEY_ID) cfg.adminAccessKeyId = env.ARCA_ADMIN_ACCESS_KEY_ID
  if (env.ARCA_ADMIN_SECRET_ACCESS_KEY) cfg.adminSecretAccessKey = env.ARCA_ADMIN_SECRET_ACCESS_KEY
  return cfg
}

export const REGION_PATTERN = REGION
export const ACCOUNT_ID_PATTERN = ACCOUNT_ID

export interface HttpLimits {
  /** Total bytes of one request's headers (Node's maxHeaderSize); larger: 431. */
  maxHeaderBytes: number
  /** Time to receive a request's headers (Node's headersTimeout); slower: 408 and the connection closes. */
  headersTimeoutMs: number
  /** Time to receive a whole request (Node's requestTimeout); a response may take longer (event streams). */
  requestTimeoutMs: number
  /** Idle time before a kept-alive connection closes (Node's keepAliveTimeout). */
  keepAliveTimeoutMs: number
  /** Open connections beyond this are closed at once (Node's server.maxConnections). */
  maxConnections: number
}

/** Defaults of the HTTP limits, each overridable by its ARCA_HTTP_* variable. */
export const SERVER_LIMITS: Readonly<HttpLimits> = {
  // Node's default (16 KiB): a SigV4 Authorization header with a session token fits several times.
  maxHeaderBytes: 16_384,
  // Slowloris: a client gets 20 s to send its headers, 60 s for the whole (≤ 1 MiB) body.
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 60_000,
  // Longer than the AWS SDKs' idle socket reuse window is pointless; Node's default is 5 s.
  keepAliveTimeoutMs: 5_000,
  maxConnections: 4_096,
}

function httpLimits(env: Record<string, string | undefined>): HttpLimits {
  const read = (name: string, dflt: number) => {
    const raw = env[name]
    if (raw === undefined || raw === '') return dflt
    const n = Number(raw)
    if (!Number.isInteger(n) || n <= 0) throw new ArcaError('Validation', `${name} must be a positive whole number`)
    return n
  }
  return {
    maxHeaderBytes: read('ARCA_HTTP_MAX_HEADER_BYTES', SERVER_LIMITS.maxHeaderBytes),
    headersTimeoutMs: read('ARCA_HTTP_HEADERS_TIMEOUT_MS', SERVER_LIMITS.headersTimeoutMs),
    requestTimeoutMs: read('ARCA_HTTP_REQUEST_TIMEOUT_MS', SERVER_LIMITS.requestTimeoutMs),
    keepAliveTimeoutMs: read('ARCA_HTTP_KEEP_ALIVE_TIMEOUT_MS', SERVER_LIMITS.keepAliveTimeoutMs),
    maxConnections: read('ARCA_HTTP_MAX_CONNECTIONS', SERVER_LIMITS.maxConnections),
  }
}
