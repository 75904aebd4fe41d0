import fs from 'node:fs'
import { parseArgs } from 'node:util'
import { ArcaError, ERROR_CODES, type ErrorCode, systemClock } from '../core/index.ts'
import { type Auth, RestClient, resolveAuth, signRequest } from '../client/index.ts'
import { endpointOf } from './connect.ts'

const USAGE = `usage: arca audit [list] [filters] [--limit N] [--cursor C] [--all] [--json]
       arca audit export [filters] [--out FILE]
       arca audit verify [--node ID] [--from TIME] [--to TIME]
       arca audit public-key [--pem]

filters: --from TIME --to TIME (ISO 8601 or epoch ms) --principal ARN --operation NAME
         --service kms|ssm|secretsmanager|sts|arca --resource ARN --error CODE|'*'|none
         --account ID|'*' (the default account's administrator only)
auth:    an administrator's credentials, found as by \`arca admin\` (ARCA_TOKEN, AWS_ACCESS_KEY_ID/
         AWS_SECRET_ACCESS_KEY, --profile NAME, ./data/admin-credentials); --endpoint URL or ARCA_ENDPOINT`

const FILTERS = ['from', 'to', 'principal', 'operation', 'service', 'resource', 'error', 'account', 'node'] as const
const COMMON = { endpoint: { type: 'string' }, profile: { type: 'string' } } as const
const FILTER_OPTIONS = Object.fromEntries(FILTERS.map((f) => [f, { type: 'string' }])) as Record<(typeof FILTERS)[number], { type: 'string' }>

interface Event {
  eventTime: string
  eventSource: string
  eventName: string
  userIdentity?: { arn?: string }
  sourceIPAddress?: string
  errorCode?: string
  requestID: string
}

/** `arca audit …`: read, export and verify the audit trail of a running server. */
export async function runAudit(args: string[]): Promise<number> {
  const [first, ...rest] = args
  switch (first) {
    case 'verify':
      return verify(rest)
    case 'export':
      return exportLines(rest)
    case 'public-key':
      return publicKey(rest)
    case 'list':
      return list(rest)
    case 'help':
    case '--help':
      process.stdout.write(USAGE + '\n')
      return 0
    default:
      if (first !== undefined && !first.startsWith('-')) throw new ArcaError('Validation', `unknown audit command '${first}' (list, export, verify, public-key)`)
      return list(args)
  }
}

type Values = { endpoint?: string; profile?: string } & Partial<Record<(typeof FILTERS)[number], string>>

function connect(values: Values): { rest: RestClient; endpoint: string; auth: Auth } {
  const endpoint = endpointOf(values)
  const auth = resolveAuth({ profile: values.profile })
  return { rest: new RestClient({ endpoint, auth }), endpoint, auth }
}

function filters(values: Values, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const q: Record<string, string | undefined> = {}
  for (const f of FILTERS) q[f] = values[f]
  return { ...q, ...extra }
}

function line(e: Event): string {
  return [e.eventTime, e.eventSource, e.eventName, e.userIdentity?.arn ?? '-', e.sourceIPAddress ?? '-', e.errorCode ?? 'OK', e.requestID].join('  ')
}

async function list(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { ...COMMON, ...FILTER_OPTIONS, limit: { type: 'string' }, cursor: { type: 'string' }, all: { type: 'boolean' }, json: { type: 'boolean' } },
  })
  const { rest } = connect(values)
  let cursor = values.cursor
  for (;;) {
    const page = await rest.request<{ records: Event[]; nextCursor?: string }>('GET', '/v1/audit', undefined, filters(values, { limit: values.limit, cursor }))
    if (values.json) process.stdout.write(JSON.stringify(page) + '\n')
    else for (const e of page.records) process.stdout.write(line(e) + '\n')
    cursor = page.nextCursor
    if (!cursor) return 0
    if (!values.all) {
      if (!values.json) process.stderr.write(`more: --cursor ${cursor}\n`)
      return 0
    }
  }
}

async function exportLines(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { ...COMMON, ...FILTER_OPTIONS, out: { type: 'string' } } })
  const { endpoint, auth } = connect(values)
  const url = new URL(`${endpoint}/v1/audit/export`)
  for (const [k, v] of Object.entries(filters(values))) if (v !== undefined) url.searchParams.set(k, v)
  const headers = auth.kind === 'token' ? { authorization: `Bearer ${auth.token}` } : signRequest({ method: 'GET', url, headers: {}, body: '' }, auth.credentials, { region: auth.region, service: 'arca', now: systemClock.now() })
  const res = await fetch(url, { headers })
  if (!res.ok) {
    const p = (await res.json().catch(() => ({}))) as { code?: string; detail?: string }
    const code = (ERROR_CODES as readonly string[]).includes(p.code ?? '') ? (p.code as ErrorCode) : 'Internal'
    throw new ArcaError(code, p.detail ?? `the server answered HTTP ${res.status}`)
  }
  const out = values.out ? fs.createWriteStream(values.out, { mode: 0o600 }) : undefined
  const reader = res.body?.getReader()
  for (;;) {
    const chunk = reader ? await reader.read() : { done: true as const, value: undefined }
    if (chunk.done) break
    if (out) await new Promise<void>((res2, rej) => out.write(chunk.value, (e) => (e ? rej(e) : res2())))
    else process.stdout.write(chunk.value)
  }
  if (out) await new Promise<void>((res2) => out.end(() => res2()))
  return 0
}

async function verify(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { ...COMMON, node: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } } })
  const body: Record<string, string> = {}
  if (values.node) body.node = values.node
  if (values.from) body.from = values.from
  if (values.to) body.to = values.to
  const r = await connect(values).rest.request<{ valid: boolean; checked: number; checkpoints: number; node?: string; firstBadSequence?: number; reason?: string }>('POST', '/v1/audit/verify', body)
  if (r.valid) {
    process.stdout.write(`valid: ${r.checked} records and ${r.checkpoints} signed checkpoints verified\n`)
    return 0
  }
  process.stdout.write(`INVALID: chain ${r.node}, first bad record ${r.firstBadSequence}: ${r.reason} (${r.checked} records verified before it)\n`)
  return 1
}

async function publicKey(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { ...COMMON, pem: { type: 'boolean' } } })
  const key = await connect(values).rest.request<{ pem: string }>('GET', '/v1/audit/public-key')
  process.stdout.write(values.pem ? key.pem : JSON.stringify(key) + '\n')
  return 0
}
