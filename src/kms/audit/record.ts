import { formatArn, kmsAliasArn, kmsKeyArn, parseArn } from '../../core/index.ts'
import { type AuditService, redact } from './redact.ts'

/** One audit record before it joins the chain: exactly these fields, nothing else. */
export interface AuditRecord {
  /** Epoch ms, from the injected clock. */
  time: number
  requestId: string
  /** The caller's account; absent when the request was not authenticated. */
  account?: string
  /** The account whose resources the request addressed (CloudTrail's recipientAccountId). */
  recipientAccount: string
  principalArn?: string
  accessKeyId?: string
  sourceIp?: string
  userAgent?: string
  region?: string
  service: AuditService
  operation: string
  /** `kms:ViaService` when a service (SSM, Secrets Manager) called the KMS on the caller's behalf. */
  viaService?: string
  resources: string[]
  /** Request parameters after `redact`. */
  params: Record<string, unknown>
  errorCode?: string
  errorMessage?: string
}

/** What a face knows about a request; `buildRecord` decides what of it is kept. */
export interface RecordInput {
  time: number
  requestId: string
  service: AuditService
  operation: string
  /** Recipient account when neither the resources nor the caller name one (the server's account). */
  defaultAccount: string
  account?: string
  principalArn?: string
  accessKeyId?: string
  sourceIp?: string
  userAgent?: string
  region?: string
  viaService?: string
  /** The request parameters as received (decoded); redacted here, never stored as given. */
  params?: unknown
  /** The operation's result, read only for the ARNs of the resources it touched. */
  output?: unknown
  /** Resource ARNs the face already knows (added to those found in params and output). */
  resources?: readonly string[]
  errorCode?: string
  /** Must be a message safe to show (an ArcaError message or a generic fault text). */
  errorMessage?: string
}

// Bounds on free-text fields so one request cannot bloat the log.
const MAX_USER_AGENT = 512
const MAX_ERROR_MESSAGE = 1024
const MAX_RESOURCES = 32

const clip = (s: string | undefined, max: number) => (s === undefined || s.length <= max ? s : s.slice(0, max))

/** The single constructor of audit records (the allow-list of what a record may hold). */
// PostgreSQL text cannot hold U+0000 (error 22021), and an error message may quote a caller's
// value: a NUL there would fail the whole audit batch, and every request waiting on it.
const storable = (s: string | undefined) => s?.replace(/\u0000/g, '\uFFFD')

export function buildRecord(r: RecordInput): AuditRecord {
  const resources = resourcesOf(r)
  const record: AuditRecord = {
    time: r.time,
    requestId: r.requestId,
    recipientAccount: parseArn(resources[0] ?? '')?.account || r.account || r.defaultAccount,
    service: r.service,
    operation: r.operation,
    resources,
    params: redact(r.service, r.operation, r.params),
  }
  if (r.account) record.account = r.account
  if (r.principalArn) record.principalArn = r.principalArn
  if (r.accessKeyId) record.accessKeyId = r.accessKeyId
  if (r.sourceIp) record.sourceIp = r.sourceIp
  if (r.userAgent) record.userAgent = storable(clip(r.userAgent, MAX_USER_AGENT))
  if (r.region) record.region = r.region
  if (r.viaService) record.viaService = r.viaService
  if (r.errorCode) record.errorCode = r.errorCode
  if (r.errorMessage) record.errorMessage = storable(clip(r.errorMessage, MAX_ERROR_MESSAGE))
  return record
}

const KMS_INPUT_KEYS = ['keyId', 'sourceKeyId', 'destinationKeyId', 'targetKeyId', 'aliasName']
const KEY_ID = /^(mrk-)?[0-9a-f-]{32,36}$/i

function str(obj: unknown, key: string): string | undefined {
  if (obj === null || typeof obj !== 'object') return undefined
  const v = (obj as Record<string, unknown>)[key]
  return typeof v === 'string' ? v : undefined
}

function resourcesOf(r: RecordInput): string[] {
  const out = new Set<string>(r.resources ?? [])
  const account = r.account
  const region = r.region
  const add = (arn: string | undefined) => {
    if (arn && out.size < MAX_RESOURCES) out.add(arn)
  }
  if (r.service === 'kms') {
    // The resolved key ARN from the answer first: it is what the request actually used.
    add(arnIfArn(str(r.output, 'keyId')))
    add(arnIfArn(str((r.output as Record<string, unknown> | undefined)?.keyMetadata, 'arn')))
    for (const k of KMS_INPUT_KEYS) add(kmsResource(str(r.params, k), region, account))
  } else if (r.service === 'ssm') {
    const names = [str(r.params, 'name'), ...(Array.isArray((r.params as Record<string, unknown> | undefined)?.names) ? ((r.params as Record<string, unknown>).names as unknown[]) : [])]
    for (const n of names) if (typeof n === 'string') add(ssmParameterArn(n, region, account))
  } else if (r.service === 'secretsmanager') {
    add(arnIfArn(str(r.output, 'arn')))
    add(arnIfArn(str(r.params, 'secretId')))
  }
  return [...out]
}

const arnIfArn = (s: string | undefined) => (s && parseArn(s) ? s : undefined)

function kmsResource(id: string | undefined, region: string | undefined, account: string | undefined): string | undefined {
  if (!id) return undefined
  if (parseArn(id)) return id
  if (!region || !account) return undefined
  if (id.startsWith('alias/')) return kmsAliasArn(region, account, id)
  return KEY_ID.test(id) ? kmsKeyArn(region, account, id) : undefined
}

function ssmParameterArn(name: string, region: string | undefined, account: string | undefined): string | undefined {
  if (parseArn(name)) return name
  if (!region || !account) return undefined
  // AWS: `arn:aws:ssm:<region>:<account>:parameter/<name without its leading slash>`.
  return formatArn({ service: 'ssm', region, account, resource: `parameter/${name.replace(/^\//, '')}` })
}
