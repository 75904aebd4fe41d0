import type { Kysely } from 'kysely'
import { ArcaError, MS, toDate } from '../../core/index.ts'
import type { Caller } from '../../kms/index.ts'
import { parameterArn } from '../params/index.ts'
import type { Schema } from '../../store/index.ts'
import type { Authorize } from '../shared/index.ts'

// Arca: page size of the expiring view (default and most).
export const DEFAULT_PAGE = 100
export const MAX_PAGE = 1000
// Arca: the widest window asked for (ten years).
const MAX_WITHIN_MS = 3650 * MS.day

export interface ExpiringItem {
  type: 'secret' | 'parameter'
  name: string
  arn: string
  /** The policy that will act: Expiration, ExpirationNotification, NoChangeNotification, NoAccessNotification. */
  due: string
  dueAt: string
  /** What will happen: notify, deny-reads, delete. */
  action: string
}

export interface ExpiringQuery {
  within: string
  type?: string
  limit?: number
  nextToken?: string
}

/** `30d`, `12h` → ms; errors name the field. */
export function parseWithin(text: string): number {
  const m = /^([1-9]\d{0,4})([dh])$/.exec(text)
  const ms = m ? Number(m[1]) * (m[2] === 'd' ? MS.day : MS.hour) : Number.NaN
  if (!Number.isFinite(ms) || ms > MAX_WITHIN_MS) throw new ArcaError('Validation', `within must be a duration such as 30d or 12h (at most 3650d); got '${text}'.`, { field: 'within' })
  return ms
}

interface Row extends ExpiringItem {
  at: number
  key: string
}

const after = (r: Row, t: { d: number; k: string } | undefined) => !t || r.at > t.d || (r.at === t.d && r.key > t.k)

/**
 * Every item of the caller's account due to expire, go stale or be deleted within the window,
 * by due time; paged by (due time, key). Only items the caller may describe appear (a page may
 * hold fewer than `limit` when some were hidden).
 */
export async function listExpiring(deps: { db: Kysely<Schema>; authorize: Authorize; now: number }, caller: Caller, q: ExpiringQuery): Promise<{ items: ExpiringItem[]; nextToken?: string }> {
  const horizon = deps.now + parseWithin(q.within)
  const type = q.type
  if (type !== undefined && !['secret', 'parameter', 'key'].includes(type)) throw new ArcaError('Validation', `type must be secret, parameter or key; got '${type}'.`, { field: 'type' })
  const limit = q.limit ?? DEFAULT_PAGE
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new ArcaError('Validation', `limit must be 1 to ${MAX_PAGE}.`, { field: 'limit' })
  let token: { d: number; k: string } | undefined
  if (q.nextToken) {
    try {
      token = JSON.parse(Buffer.from(q.nextToken, 'base64url').toString('utf8')) as { d: number; k: string }
      if (typeof token.d !== 'number' || typeof token.k !== 'string') throw new Error('shape')
    } catch {
      throw new ArcaError('Validation', 'The nextToken is not valid.', { field: 'nextToken' })
    }
  }
  const from = token?.d ?? Number.MIN_SAFE_INTEGER
  const fetch = limit + 1 + 50
  const rows: Row[] = []
  if (type === undefined || type === 'secret') {
    const found = await deps.db
      .selectFrom('expiry_moments')
      .select(['id', 'item_type', 'arn', 'name', 'policy_type', 'action', 'due_at'])
      .where('account', '=', caller.account)
      .where('pending', '=', 1)
      .where('due_at', '>=', from)
      .where('due_at', '<=', horizon)
      .orderBy('due_at')
      .orderBy('id')
      .limit(fetch)
      .execute()
    for (const r of found) rows.push({ type: 'secret', name: r.name, arn: r.arn, due: r.policy_type, dueAt: toDate(r.due_at).toISOString(), action: r.action, at: r.due_at, key: `s:${r.id}` })
  }
  if (type === undefined || type === 'parameter') {
    const found = await deps.db
      .selectFrom('ssm_parameter_policies')
      .select(['name', 'region', 'idx', 'type', 'due_at'])
      .where('account', '=', caller.account)
      .where('due_at', 'is not', null)
      .where('due_at', '>=', from)
      .where('due_at', '<=', horizon)
      .orderBy('due_at')
      .orderBy('name')
      .orderBy('idx')
      .limit(fetch)
      .execute()
    for (const r of found) {
      const arn = parameterArn({ account: caller.account, region: r.region }, r.name)
      rows.push({ type: 'parameter', name: r.name, arn, due: r.type, dueAt: toDate(r.due_at!).toISOString(), action: r.type === 'Expiration' ? 'delete' : 'notify', at: r.due_at!, key: `p:${r.name}#${String(r.idx).padStart(4, '0')}` })
    }
  }
  rows.sort((a, b) => a.at - b.at || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  const items: ExpiringItem[] = []
  let last: Row | undefined
  let more = false
  for (const r of rows) {
    if (!after(r, token)) continue
    if (items.length === limit) {
      more = true
      break
    }
    last = r
    const action = r.type === 'secret' ? 'secretsmanager:DescribeSecret' : 'ssm:DescribeParameters'
    try {
      await deps.authorize(caller, action, r.arn)
    } catch (e) {
      if (e instanceof ArcaError && e.code === 'AccessDenied') continue
      throw e
    }
    items.push({ type: r.type, name: r.name, arn: r.arn, due: r.due, dueAt: r.dueAt, action: r.action })
  }
  const out: { items: ExpiringItem[]; nextToken?: string } = { items }
  if (more && last) out.nextToken = Buffer.from(JSON.stringify({ d: last.at, k: last.key })).toString('base64url')
  return out
}
