import { sql } from 'kysely'
import { ArcaError } from '../../core/index.ts'
import type { Caller } from '../../kms/index.ts'
import type { SecretsDeps } from './context.ts'
import { MAX_FILTERS, MAX_FILTER_VALUES } from './limits.ts'
import type { SecretRow } from './resolve.ts'
import type { StoredTag } from './tags.ts'

/**
 * The secrets of the caller's account and Region in a chosen order, filtered (AWS-API.md §5.3
 * ListSecrets), a page at a time. Paging is keyset: the NextToken carries the sort value and id
 * of the last secret returned, so a page costs the same however deep it is. Filters run in
 * memory over batches read in order.
 */
export interface Filter {
  key: string
  values: string[]
}

export const SORT_KEYS = ['created-date', 'last-accessed-date', 'last-changed-date', 'name'] as const
export type SortBy = (typeof SORT_KEYS)[number]

export interface ScanQuery {
  filters?: Filter[]
  sortBy?: string
  sortOrder?: string
  includePlannedDeletion?: boolean
  limit: number
  nextToken?: string
}

const FILTER_KEYS = new Set(['description', 'name', 'tag-key', 'tag-value', 'primary-region', 'owning-service', 'all'])
const BATCH = 100

interface Cursor {
  v: string | number
  id: string
  b: SortBy
  o: 'asc' | 'desc'
}

function badToken(): ArcaError {
  return new ArcaError('InvalidMarker', 'The NextToken value is not valid.', { field: 'nextToken' })
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url')
}

function decodeCursor(token: string, by: SortBy, order: 'asc' | 'desc'): Cursor {
  let c: Cursor
  try {
    c = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Cursor
  } catch {
    throw badToken()
  }
  if (typeof c !== 'object' || c === null || typeof c.id !== 'string' || (typeof c.v !== 'string' && typeof c.v !== 'number') || c.b !== by || c.o !== order) throw badToken()
  return c
}

export function checkFilters(filters: unknown): Filter[] {
  if (filters === undefined || filters === null) return []
  if (!Array.isArray(filters)) throw new ArcaError('InvalidParameter', 'Filters must be a list.', { field: 'filters' })
  if (filters.length > MAX_FILTERS) throw new ArcaError('InvalidParameter', `At most ${MAX_FILTERS} filters are allowed.`, { field: 'filters' })
  return filters.map((f: Partial<Filter>) => {
    if (!f || typeof f.key !== 'string' || !FILTER_KEYS.has(f.key))
      throw new ArcaError('InvalidParameter', `Invalid filter key: must be one of ${[...FILTER_KEYS].join(', ')}.`, { field: 'filters' })
    if (!Array.isArray(f.values) || f.values.length === 0 || f.values.length > MAX_FILTER_VALUES || f.values.some((v) => typeof v !== 'string'))
      throw new ArcaError('InvalidParameter', `A filter needs 1 to ${MAX_FILTER_VALUES} string values.`, { field: 'filters' })
    return { key: f.key, values: f.values }
  })
}

function column(by: SortBy) {
  switch (by) {
    case 'name':
      return sql<string>`name`
    case 'last-changed-date':
      return sql<number>`last_changed_at`
    case 'last-accessed-date':
      return sql<number>`coalesce(last_accessed_at, 0)`
    default:
      return sql<number>`created_at`
  }
}

function sortValue(row: SecretRow, by: SortBy): string | number {
  if (by === 'name') return row.name
  if (by === 'last-changed-date') return row.last_changed_at
  if (by === 'last-accessed-date') return row.last_accessed_at ?? 0
  return row.created_at
}

/** Does one filter value (without its `!`) match the secret? Rules per key from the botocore model. */
function matches(key: string, value: string, row: SecretRow, tags: StoredTag[]): boolean {
  switch (key) {
    case 'name':
      return row.name.startsWith(value)
    case 'description':
      return (row.description ?? '').toLowerCase().startsWith(value.toLowerCase())
    case 'tag-key':
      return tags.some((t) => t.Key.startsWith(value))
    case 'tag-value':
      return tags.some((t) => t.Value.startsWith(value))
    case 'primary-region':
      return row.primary_region.startsWith(value)
    case 'owning-service':
      return (row.owning_service ?? '').startsWith(value)
    default: {
      // all: every word of the value appears in some attribute, case-insensitively.
      const haystack = [row.name, row.description ?? '', row.primary_region, row.owning_service ?? '', ...tags.flatMap((t) => [t.Key, t.Value])].join('\n').toLowerCase()
      return value.toLowerCase().split(/\s+/).filter(Boolean).every((w) => haystack.includes(w))
    }
  }
}

export function passes(filters: readonly Filter[], row: SecretRow): boolean {
  if (filters.length === 0) return true
  const tags = JSON.parse(row.tags) as StoredTag[]
  return filters.every((f) => {
    const positive = f.values.filter((v) => !v.startsWith('!'))
    const negative = f.values.filter((v) => v.startsWith('!')).map((v) => v.slice(1))
    if (negative.some((v) => matches(f.key, v, row, tags))) return false
    return positive.length === 0 || positive.some((v) => matches(f.key, v, row, tags))
  })
}

export async function scanSecrets(deps: Pick<SecretsDeps, 'db'>, caller: Pick<Caller, 'account' | 'region'>, q: ScanQuery): Promise<{ rows: SecretRow[]; nextToken?: string }> {
  const filters = checkFilters(q.filters)
  const by = (q.sortBy ?? 'created-date') as SortBy
  if (!SORT_KEYS.includes(by)) throw new ArcaError('InvalidParameter', `SortBy must be one of ${SORT_KEYS.join(', ')}.`, { field: 'sortBy' })
  const order = (q.sortOrder ?? 'asc') as 'asc' | 'desc'
  if (order !== 'asc' && order !== 'desc') throw new ArcaError('InvalidParameter', 'SortOrder must be asc or desc.', { field: 'sortOrder' })
  let cursor = q.nextToken === undefined || q.nextToken === null ? undefined : decodeCursor(q.nextToken, by, order)
  const col = column(by)
  const rows: SecretRow[] = []
  for (;;) {
    let query = deps.db.selectFrom('secrets').selectAll().where('account', '=', caller.account).where('region', '=', caller.region)
    if (!q.includePlannedDeletion) query = query.where('deleted_at', 'is', null)
    if (cursor) {
      const c = cursor
      const after = order === 'asc' ? '>' : '<'
      query = query.where((eb) => eb.or([eb(col, after, c.v as never), eb.and([eb(col, '=', c.v as never), eb('id', after, c.id)])]))
    }
    const batch = await query.orderBy(col, order).orderBy('id', order).limit(BATCH).execute()
    for (let i = 0; i < batch.length; i++) {
      const row = batch[i]!
      if (!passes(filters, row)) continue
      rows.push(row)
      if (rows.length === q.limit) {
        const more = i < batch.length - 1 || batch.length === BATCH
        return { rows, ...(more ? { nextToken: encodeCursor({ v: sortValue(row, by), id: row.id, b: by, o: order }) } : {}) }
      }
    }
    if (batch.length < BATCH) return { rows }
    const last = batch[batch.length - 1]!
    cursor = { v: sortValue(last, by), id: last.id, b: by, o: order }
  }
}
