import { ArcaError } from '../../core/index.ts'
import type { StringFilter } from './types.ts'

/**
 * ParameterFilters (AWS-API.md §4.3): GetParametersByPath takes Type, KeyId and Label;
 * DescribeParameters takes Name, Type, KeyId, Path, Tier, DataType and tag:<key>. Options:
 * Equals (default) and BeginsWith, Name also Contains, Path Recursive | OneLevel (default), Label
 * Equals only. Each key at most once; 1–50 values (the shape table checks the counts).
 */
export interface CheckedFilter {
  key: string
  option: string
  values: string[]
}

const TYPES = ['String', 'StringList', 'SecureString']
const TIERS = ['Standard', 'Advanced', 'Intelligent-Tiering']

export function checkFilters(filters: readonly StringFilter[] | undefined, allowed: readonly string[]): CheckedFilter[] {
  const seen = new Set<string>()
  const out: CheckedFilter[] = []
  for (const f of filters ?? []) {
    const key = f.key
    const isTag = key.startsWith('tag:') && key.length > 4
    if (!isTag && !allowed.includes(key)) throw new ArcaError('InvalidFilterKey', `The following filter key is not valid: ${key}. Valid filter keys include: [${allowed.join(', ')}${allowed.includes('Path') ? ', tag:<key>' : ''}].`)
    if (isTag && !allowed.includes('tag')) throw new ArcaError('InvalidFilterKey', `The following filter key is not valid: ${key}. Valid filter keys include: [${allowed.join(', ')}].`)
    if (seen.has(key)) throw new ArcaError('InvalidFilterKey', `The following filter is duplicated in the request: ${key}. A request can contain only one occurrence of a specific filter.`)
    seen.add(key)
    const values = f.values ?? []
    if (values.length === 0) throw new ArcaError('InvalidFilterValue', `The following filter values are missing : null for filter key ${key}.`)
    const option = f.option ?? (key === 'Path' ? 'OneLevel' : 'Equals')
    const options = key === 'Path' ? ['Recursive', 'OneLevel'] : key === 'Label' ? ['Equals'] : key === 'Name' ? ['Equals', 'BeginsWith', 'Contains'] : ['Equals', 'BeginsWith']
    if (!options.includes(option)) throw new ArcaError('InvalidFilterOption', `The following filter option is not valid: ${option}. Valid options include: [${options.join(', ')}].`)
    const enumValues = key === 'Type' ? TYPES : key === 'Tier' ? TIERS : undefined
    if (enumValues && option === 'Equals') {
      const bad = values.find((v) => !enumValues.includes(v))
      if (bad !== undefined) throw new ArcaError('InvalidFilterValue', `The following filter value is not valid: ${bad}. Valid values include: [${enumValues.join(', ')}].`)
    }
    if (key === 'Path') {
      const bad = values.find((v) => !/^\/[a-zA-Z0-9_.\-/]*$/.test(v) || v.includes('//'))
      if (bad !== undefined) throw new ArcaError('InvalidFilterValue', `The following filter value is not valid: ${bad}. A Path value must begin with "/" and use only letters, numbers and . - _ /.`)
    }
    out.push({ key, option, values })
  }
  return out
}

/** Names compare as if rooted: `foo` is at the root `/` like `/foo` (as moto and the AWS console show). */
const rooted = (s: string) => (s.startsWith('/') ? s : `/${s}`)

export function matchText(f: CheckedFilter, actual: string | null | undefined): boolean {
  if (actual === null || actual === undefined) return false
  switch (f.option) {
    case 'BeginsWith':
      return f.values.some((v) => actual.startsWith(v))
    case 'Contains':
      return f.values.some((v) => actual.includes(v))
    default:
      return f.values.includes(actual)
  }
}

export function matchName(f: CheckedFilter, name: string): boolean {
  if (f.option === 'Contains') return f.values.some((v) => name.includes(v))
  const n = rooted(name)
  return f.option === 'BeginsWith' ? f.values.some((v) => n.startsWith(rooted(v))) : f.values.some((v) => n === rooted(v))
}

export function matchPath(f: CheckedFilter, name: string): boolean {
  const n = rooted(name)
  return f.values.some((v) => {
    const prefix = v === '/' ? '/' : `${v.replace(/\/+$/, '')}/`
    if (!n.startsWith(prefix)) return false
    return f.option === 'Recursive' || !n.slice(prefix.length).includes('/')
  })
}
