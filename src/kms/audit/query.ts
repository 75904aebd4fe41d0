import { type Kysely, type SelectQueryBuilder, sql } from 'kysely'
import { ArcaError } from '../../core/index.ts'
import type { AuditRecordTable, Schema } from '../../store/index.ts'
import { type CloudTrailEvent, toCloudTrail } from './cloudtrail.ts'

/** Filters of `GET /v1/audit`, `arca audit` and the export. Times are epoch ms, inclusive. */
export interface AuditQuery {
  /** Only records of this account (as caller or as owner of the resources); absent: all accounts. */
  account?: string
  from?: number
  to?: number
  /** Principal ARN, exactly. */
  principal?: string
  /** Operation name, exactly (`Decrypt`, `POST /v1/admin/users`). */
  operation?: string
  /** `kms`, `ssm`, `secretsmanager`, `sts` or `arca`. */
  service?: string
  /** A resource ARN the record names. */
  resource?: string
  /** An error code; `*` for any error, `none` for successful requests only. */
  error?: string
  node?: string
  limit?: number
  /** `nextCursor` of the previous page. */
  cursor?: string
}

export interface AuditPage {
  records: CloudTrailEvent[]
  nextCursor?: string
}

/** Page size bounds for the query API. */
export const DEFAULT_LIMIT = 50
export const MAX_LIMIT = 1000

type Position = [time: number, node: string, seq: number]

function encodeCursor(p: Position): string {
  return Buffer.from(JSON.stringify(p)).toString('base64url')
}

function decodeCursor(c: string): Position {
  try {
    const p = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as unknown
    if (Array.isArray(p) && p.length === 3 && Number.isSafeInteger(p[0]) && typeof p[1] === 'string' && Number.isSafeInteger(p[2])) return p as Position
  } catch {
    // fall through
  }
  throw new ArcaError('InvalidMarker', 'The cursor is not one this API returned.', { field: 'cursor' })
}

/** `like` pattern matching `"<arn>"` inside the JSON array of resources. */
function resourcePattern(arn: string): string {
  return `%${JSON.stringify(arn).replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`
}

function filtered(db: Kysely<Schema>, q: AuditQuery): SelectQueryBuilder<Schema, 'audit_records', AuditRecordTable> {
  let s = db.selectFrom('audit_records').selectAll()
  if (q.account !== undefined) {
    const account = q.account
    s = s.where((eb) => eb.or([eb('account', '=', account), eb('recipient_account', '=', account)]))
  }
  if (q.from !== undefined) s = s.where('time', '>=', q.from)
  if (q.to !== undefined) s = s.where('time', '<=', q.to)
  if (q.principal !== undefined) s = s.where('principal_arn', '=', q.principal)
  if (q.operation !== undefined) s = s.where('operation', '=', q.operation)
  if (q.service !== undefined) s = s.where('service', '=', q.service)
  if (q.node !== undefined) s = s.where('node', '=', q.node)
  if (q.resource !== undefined) s = s.where(sql<boolean>`resources like ${resourcePattern(q.resource)} escape '\\'`)
  if (q.error === '*') s = s.where('error_code', 'is not', null)
  else if (q.error === 'none') s = s.where('error_code', 'is', null)
  else if (q.error !== undefined) s = s.where('error_code', '=', q.error)
  return s
}

/** One page of records in time order (oldest first), as CloudTrail-shaped events. */
export async function queryAudit(db: Kysely<Schema>, q: AuditQuery): Promise<AuditPage> {
  const limit = q.limit ?? DEFAULT_LIMIT
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new ArcaError('Validation', `limit must be a whole number from 1 to ${MAX_LIMIT}.`, { field: 'limit' })
  let s = filtered(db, q)
  if (q.cursor !== undefined) {
    const [t, n, seq] = decodeCursor(q.cursor)
    s = s.where((eb) =>
      eb.or([eb('time', '>', t), eb.and([eb('time', '=', t), eb.or([eb('node', '>', n), eb.and([eb('node', '=', n), eb('seq', '>', seq)])])])]),
    )
  }
  const rows = await s.orderBy('time').orderBy('node').orderBy('seq').limit(limit + 1).execute()
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  const out: AuditPage = { records: page.map(toCloudTrail) }
  if (rows.length > limit && last) out.nextCursor = encodeCursor([Number(last.time), last.node, Number(last.seq)])
  return out
}

/** Every matching record, page by page, for a JSON-lines export. */
export async function* exportAudit(db: Kysely<Schema>, q: Omit<AuditQuery, 'limit'>, pageSize = MAX_LIMIT): AsyncGenerator<CloudTrailEvent> {
  let cursor = q.cursor
  for (;;) {
    const page = await queryAudit(db, { ...q, limit: pageSize, ...(cursor !== undefined ? { cursor } : {}) })
    yield* page.records
    if (page.nextCursor === undefined) return
    cursor = page.nextCursor
  }
}
