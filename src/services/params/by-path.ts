import type { Caller } from '../../kms/index.ts'
import { type CheckedFilter, checkFilters, matchText } from './filters.ts'
import { MAX_PATH_RESULTS } from './limits.ts'
import { checkPath, parameterArn, subtreeEnd } from './names.ts'
import { valueOf } from './read.ts'
import { type VersionRow, versionRow } from './rows.ts'
import { decodeToken, encodeToken } from './tokens.ts'
import type { ParameterOut, ParamsContext, StringFilter } from './types.ts'

// Arca: rows examined per page when a filter is applied in memory (BeginsWith on Type/KeyId, Label).
const FILTER_WINDOW = 100

/** The columns a listing reads: the parameter row's newest version, or a labelled version row. */
type Listed = Pick<VersionRow, 'name' | 'version' | 'type' | 'data_type' | 'modified_at' | 'data_key' | 'value'>

const pushable = (f: CheckedFilter) => f.option === 'Equals' && (f.key === 'Type' || f.key === 'KeyId')

/**
 * GetParametersByPath. The subtree is an index range scan: recursive reads the primary key range
 * [`prefix`, `prefix` with its final '/' → '0'), one level reads the (parent, name) index; both
 * in name order from the keyset cursor. The parameter row carries its newest sealed value, so
 * there is no join (a Label filter alone reads labelled version rows by primary key).
 * Per-request cost depends on the page size, never on how many parameters exist.
 */
export async function getParametersByPath(
  ctx: ParamsContext,
  caller: Caller,
  input: { path: string; recursive?: boolean; parameterFilters?: StringFilter[]; withDecryption?: boolean; maxResults?: number; nextToken?: string },
): Promise<{ parameters: ParameterOut[]; nextToken?: string }> {
  const prefix = checkPath(caller, input.path)
  await ctx.authorize(caller, 'ssm:GetParametersByPath', parameterArn(caller, prefix === '/' ? '/' : prefix.slice(0, -1)))
  const filters = checkFilters(input.parameterFilters, ['Type', 'KeyId', 'Label'])
  const max = input.maxResults ?? MAX_PATH_RESULTS
  const binding = ['GetParametersByPath', caller.account, caller.region, prefix, Boolean(input.recursive), filters, Boolean(input.withDecryption)]
  const after = input.nextToken ? decodeToken<string>(binding, input.nextToken, 'string') : undefined
  const inMemory = filters.filter((f) => !pushable(f))
  const window = inMemory.length ? Math.max(FILTER_WINDOW, max + 1) : max + 1

  let q = ctx.db
    .selectFrom('ssm_parameters')
    .select(['name', 'version', 'type', 'key_id', 'data_type', 'modified_at', 'data_key', 'value'])
    .where('account', '=', caller.account)
    .where('region', '=', caller.region)
  if (!input.recursive) q = q.where('parent', '=', prefix)
  else if (prefix !== '/') q = q.where('name', '>=', prefix).where('name', '<', subtreeEnd(prefix))
  if (after !== undefined) q = q.where('name', '>', after)
  for (const f of filters.filter(pushable)) q = q.where(f.key === 'Type' ? 'type' : 'key_id', 'in', f.values)
  const rows = await q.orderBy('name').limit(window).execute()

  const label = inMemory.find((f) => f.key === 'Label')
  const labelled = label ? await labelledVersions(ctx, caller, rows.map((r) => r.name), label.values) : undefined
  const picked: Listed[] = []
  let last: string | undefined
  let i = 0
  for (; i < rows.length && picked.length < max; i++) {
    const r = rows[i]!
    last = r.name
    if (!inMemory.every((f) => f.key === 'Label' || matchText(f, f.key === 'Type' ? r.type : r.key_id))) continue
    if (labelled) {
      const v = labelled.get(r.name)
      if (v === undefined) continue
      const row = v === r.version ? r : await versionRow(ctx.db, caller, r.name, v)
      if (row) picked.push(row)
      continue
    }
    picked.push(r)
  }
  const more = i < rows.length || rows.length === window
  const parameters: ParameterOut[] = []
  for (const row of picked) {
    const arn = parameterArn(caller, row.name)
    parameters.push({
      name: row.name,
      type: row.type,
      value: await valueOf(ctx, caller, arn, row, input.withDecryption),
      version: row.version,
      lastModifiedDate: row.modified_at,
      arn,
      dataType: row.data_type,
    })
  }
  return more && last !== undefined ? { parameters, nextToken: encodeToken(binding, last) } : { parameters }
}

/** For each name, the newest version carrying one of `labels`. */
async function labelledVersions(ctx: ParamsContext, caller: Caller, names: string[], labels: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>()
  if (names.length === 0) return out
  const rows = await ctx.db
    .selectFrom('ssm_parameter_labels')
    .select(['name', 'version'])
    .where('account', '=', caller.account)
    .where('region', '=', caller.region)
    .where('name', 'in', names)
    .where('label', 'in', labels)
    .execute()
  for (const r of rows) out.set(r.name, Math.max(out.get(r.name) ?? 0, r.version))
  return out
}
