import { ArcaError } from '../../core/index.ts'
import type { Caller } from '../../kms/index.ts'
import { type CheckedFilter, checkFilters, matchName, matchPath, matchText } from './filters.ts'
import { DESCRIBE_SCAN_WINDOW, MAX_DESCRIBE_RESULTS } from './limits.ts'
import { parameterArn, subtreeEnd } from './names.ts'
import { policyStatuses } from './policy-status.ts'
import { type ParameterRow, parseJsonList } from './rows.ts'
import { decodeToken, encodeToken } from './tokens.ts'
import type { ParameterMetadataOut, ParamsContext, StringFilter } from './types.ts'

const KEYS = ['Name', 'Type', 'KeyId', 'Path', 'Tier', 'DataType', 'tag']

/** Legacy `Filters` (Name, Type, KeyId) as ParameterFilters: Name means BeginsWith. */
function legacy(filters: { key: string; values: string[] }[]): StringFilter[] {
  return filters.map((f) => ({ key: f.key, option: f.key === 'Name' ? 'BeginsWith' : 'Equals', values: f.values }))
}

function matches(f: CheckedFilter, p: ParameterRow): boolean {
  switch (f.key) {
    case 'Name':
      return matchName(f, p.name)
    case 'Path':
      return matchPath(f, p.name)
    case 'Type':
      return matchText(f, p.type)
    case 'KeyId':
      return matchText(f, p.key_id)
    case 'Tier':
      return matchText(f, p.tier)
    case 'DataType':
      return matchText(f, p.data_type)
    default: {
      const tags = JSON.parse(p.tags) as Record<string, string>
      const key = f.key.slice(4)
      return Object.hasOwn(tags, key) && matchText(f, tags[key])
    }
  }
}

/**
 * DescribeParameters: metadata only (no values), name order, 1–50 per page (default 50). A
 * single Path filter narrows the scan to its index range; the other filters are applied to at
 * most DESCRIBE_SCAN_WINDOW rows per request, so a page may be short (even empty) with a
 * NextToken, as AWS's pages may be.
 */
export async function describeParameters(
  ctx: ParamsContext,
  caller: Caller,
  input: { filters?: { key: string; values: string[] }[]; parameterFilters?: StringFilter[]; maxResults?: number; nextToken?: string; shared?: boolean },
): Promise<{ parameters: ParameterMetadataOut[]; nextToken?: string }> {
  await ctx.authorize(caller, 'ssm:DescribeParameters', '*')
  if (input.filters?.length && input.parameterFilters?.length) throw new ArcaError('Validation', 'You can use either Filters or ParameterFilters in a single request, not both.')
  const filters = checkFilters(input.filters?.length ? legacy(input.filters) : input.parameterFilters, KEYS)
  // Arca does not share parameters across accounts: nothing is shared with the caller.
  if (input.shared) return { parameters: [] }
  const max = input.maxResults ?? MAX_DESCRIBE_RESULTS
  const binding = ['DescribeParameters', caller.account, caller.region, filters]
  const after = input.nextToken ? decodeToken<string>(binding, input.nextToken, 'string') : undefined

  let q = ctx.db.selectFrom('ssm_parameters').selectAll().where('account', '=', caller.account).where('region', '=', caller.region)
  const path = filters.find((f) => f.key === 'Path')
  if (path && path.values.length === 1 && path.values[0] !== '/') {
    const prefix = `${path.values[0]!.replace(/\/+$/, '')}/`
    q = path.option === 'OneLevel' ? q.where('parent', '=', prefix) : q.where('name', '>=', prefix).where('name', '<', subtreeEnd(prefix))
  }
  if (after !== undefined) q = q.where('name', '>', after)
  const window = filters.length ? DESCRIBE_SCAN_WINDOW : max + 1
  const rows = await q.orderBy('name').limit(window).execute()

  const picked: ParameterRow[] = []
  let last: string | undefined
  let i = 0
  for (; i < rows.length && picked.length < max; i++) {
    const r = rows[i]!
    last = r.name
    if (filters.every((f) => matches(f, r))) picked.push(r)
  }
  const more = i < rows.length || rows.length === window
  const statuses = await policyStatuses(ctx.db, caller, picked.filter((p) => p.policies !== null).map((p) => p.name))
  const parameters = picked.map((p) => {
    const m: ParameterMetadataOut = {
      name: p.name,
      arn: parameterArn(caller, p.name),
      type: p.type,
      lastModifiedDate: p.modified_at,
      lastModifiedUser: p.modified_by,
      version: p.version,
      tier: p.tier,
      policies: parseJsonList(p.policies).map((text) => statuses.of(p.name, text)),
      dataType: p.data_type,
    }
    if (p.key_id !== null) m.keyId = p.key_id
    if (p.description !== null) m.description = p.description
    if (p.allowed_pattern !== null) m.allowedPattern = p.allowed_pattern
    return m
  })
  return more && last !== undefined ? { parameters, nextToken: encodeToken(binding, last) } : { parameters }
}
