import { type Cidr, inCidrs, parseCidr } from './ip.ts'
import { arnRegex, globRegex } from './match.ts'
import { type ConditionContext, type Template, parseTemplate, resolveGlobTemplate, resolveTemplate } from './variables.ts'

/**
 * Condition operators, as the IAM User Guide describes them ("IAM JSON policy elements:
 * Condition operators", "Condition keys with multiple values"):
 * - several values for one key are OR'ed; several keys, and several operators, are AND'ed;
 * - a key missing from the request makes an operator false, except the negated ones
 *   (StringNotEquals, StringNotLike, NumericNotEquals, DateNotEquals, ArnNotEquals, ArnNotLike,
 *   NotIpAddress…), which are true; `…IfExists` makes a missing key true; `Null` tests presence;
 * - `ForAllValues:` is true for a missing or empty set; `ForAnyValue:` is false for it;
 * - a negated operator with several values is true when the request value matches none of them.
 */
type Family = 'string' | 'stringIgnoreCase' | 'stringLike' | 'numeric' | 'date' | 'bool' | 'binary' | 'ip' | 'arn' | 'null'
type Cmp = 'eq' | 'lt' | 'lte' | 'gt' | 'gte'

const OPERATORS: Record<string, { family: Family; negated?: boolean; cmp?: Cmp }> = {
  stringequals: { family: 'string' },
  stringnotequals: { family: 'string', negated: true },
  stringequalsignorecase: { family: 'stringIgnoreCase' },
  stringnotequalsignorecase: { family: 'stringIgnoreCase', negated: true },
  stringlike: { family: 'stringLike' },
  stringnotlike: { family: 'stringLike', negated: true },
  numericequals: { family: 'numeric', cmp: 'eq' },
  numericnotequals: { family: 'numeric', cmp: 'eq', negated: true },
  numericlessthan: { family: 'numeric', cmp: 'lt' },
  numericlessthanequals: { family: 'numeric', cmp: 'lte' },
  numericgreaterthan: { family: 'numeric', cmp: 'gt' },
  numericgreaterthanequals: { family: 'numeric', cmp: 'gte' },
  dateequals: { family: 'date', cmp: 'eq' },
  datenotequals: { family: 'date', cmp: 'eq', negated: true },
  datelessthan: { family: 'date', cmp: 'lt' },
  datelessthanequals: { family: 'date', cmp: 'lte' },
  dategreaterthan: { family: 'date', cmp: 'gt' },
  dategreaterthanequals: { family: 'date', cmp: 'gte' },
  bool: { family: 'bool' },
  binaryequals: { family: 'binary' },
  ipaddress: { family: 'ip' },
  notipaddress: { family: 'ip', negated: true },
  arnequals: { family: 'arn' },
  arnlike: { family: 'arn' },
  arnnotequals: { family: 'arn', negated: true },
  arnnotlike: { family: 'arn', negated: true },
  null: { family: 'null' },
}

const NONE = 0
const ANY = 1
const ALL = 2

/** One (operator, key) pair of a statement's Condition block, ready to test. */
export interface CompiledCondition {
  /** As written, for explain: `ForAnyValue:StringEqualsIfExists`. */
  readonly operator: string
  readonly key: string
  /** Lowercased key (AWS condition key names are case-insensitive). */
  readonly lkey: string
  readonly negated: boolean
  readonly ifExists: boolean
  readonly qualifier: 0 | 1 | 2
  readonly isNull: boolean
  /** Lowercased keys of policy variables in the values. */
  readonly variables: readonly string[]
  /** Does one request value match at least one policy value? */
  readonly matchAny: (value: string, ctx: ConditionContext) => boolean
  /** For Date operators: the same test on epoch ms. */
  readonly matchTime?: (ms: number) => boolean
  /** For `Null`: true = the key must be absent; several values OR'ed. */
  readonly nullWants?: readonly boolean[]
}

/** Why a condition could not be compiled; parse.ts turns it into MalformedPolicyDocument. */
export class ConditionSyntaxError extends Error {}

/** Splits `ForAnyValue:StringLikeIfExists` into its parts; undefined for an unknown operator. */
export function parseOperator(name: string): { family: Family; negated: boolean; cmp?: Cmp; ifExists: boolean; qualifier: 0 | 1 | 2 } | undefined {
  let rest = name
  let qualifier: 0 | 1 | 2 = NONE
  const colon = rest.indexOf(':')
  if (colon >= 0) {
    const q = rest.slice(0, colon).toLowerCase()
    if (q === 'foranyvalue') qualifier = ANY
    else if (q === 'forallvalues') qualifier = ALL
    else return undefined
    rest = rest.slice(colon + 1)
  }
  let lower = rest.toLowerCase()
  let ifExists = false
  if (lower.endsWith('ifexists')) {
    ifExists = true
    lower = lower.slice(0, -'ifexists'.length)
  }
  const op = OPERATORS[lower]
  if (!op || (ifExists && op.family === 'null')) return undefined
  return { family: op.family, negated: op.negated === true, cmp: op.cmp, ifExists, qualifier }
}

function compare(cmp: Cmp | undefined, a: number, b: number): boolean {
  switch (cmp) {
    case 'lt':
      return a < b
    case 'lte':
      return a <= b
    case 'gt':
      return a > b
    case 'gte':
      return a >= b
    default:
      return a === b
  }
}

const DIGITS = /^-?\d+$/

/** ISO 8601 or epoch seconds (IAM "Date condition operators"); NaN when neither. */
export function parseDate(s: string): number {
  return DIGITS.test(s) ? Number(s) * 1000 : Date.parse(s)
}

function parseNumber(s: string): number {
  return s.trim() === '' ? Number.NaN : Number(s)
}

function cidrs(values: readonly string[]): Cidr[] {
  return values.map((v) => {
    const c = parseCidr(v)
    if (!c) throw new ConditionSyntaxError(`"${v}" is not an IP address or CIDR block`)
    return c
  })
}

function stringMatcher(values: readonly string[], templates: readonly Template[], fold: boolean): CompiledCondition['matchAny'] {
  const set = new Set(fold ? values.map((v) => v.toLowerCase()) : values)
  if (templates.length === 0) return fold ? (v) => set.has(v.toLowerCase()) : (v) => set.has(v)
  return (v, ctx) => {
    const probe = fold ? v.toLowerCase() : v
    if (set.has(probe)) return true
    for (const t of templates) {
      const r = resolveTemplate(t, ctx)
      if (r !== undefined && (fold ? r.toLowerCase() : r) === probe) return true
    }
    return false
  }
}

function likeMatcher(values: readonly string[], templates: readonly Template[]): CompiledCondition['matchAny'] {
  const res = values.map((v) => globRegex(v))
  return (v, ctx) => {
    for (let i = 0; i < res.length; i++) if (res[i].test(v)) return true
    for (const t of templates) if (resolveGlobTemplate(t, ctx)?.test(v)) return true
    return false
  }
}

function ordered(values: readonly string[], parse: (s: string) => number, cmp: Cmp | undefined, what: string): { matchAny: CompiledCondition['matchAny']; matchNumber: (n: number) => boolean } {
  const nums = values.map((s) => {
    const n = parse(s)
    if (Number.isNaN(n)) throw new ConditionSyntaxError(`"${s}" is not a ${what}`)
    return n
  })
  const matchNumber = (n: number) => {
    for (let i = 0; i < nums.length; i++) if (compare(cmp, n, nums[i])) return true
    return false
  }
  return { matchAny: (v) => matchNumber(parse(v)), matchNumber }
}

/** Compiles one operator/key/values triple. Throws ConditionSyntaxError on a bad operator or value. */
export function compileCondition(operator: string, key: string, raw: unknown, variablesAllowed: boolean): CompiledCondition {
  const op = parseOperator(operator)
  if (!op) throw new ConditionSyntaxError(`unknown condition operator "${operator}"`)
  const list = Array.isArray(raw) ? raw : [raw]
  const strings: string[] = []
  for (const v of list) {
    if (typeof v === 'string') strings.push(v)
    else if (typeof v === 'number' || typeof v === 'boolean') strings.push(String(v))
    else throw new ConditionSyntaxError(`values of "${key}" must be strings, numbers or booleans`)
  }
  const literals: string[] = []
  const templates: Template[] = []
  const textual = op.family === 'string' || op.family === 'stringIgnoreCase' || op.family === 'stringLike'
  for (const s of strings) {
    const t = variablesAllowed && textual ? parseTemplate(s) : undefined
    if (t) templates.push(t)
    else literals.push(s)
  }
  const base = {
    operator,
    key,
    lkey: key.toLowerCase(),
    negated: op.negated,
    ifExists: op.ifExists,
    qualifier: op.qualifier,
    isNull: op.family === 'null',
    variables: templates.flatMap((t) => t.keys),
  }
  switch (op.family) {
    case 'string':
    case 'stringIgnoreCase':
      return { ...base, matchAny: stringMatcher(literals, templates, op.family === 'stringIgnoreCase') }
    case 'stringLike':
      return { ...base, matchAny: likeMatcher(literals, templates) }
    case 'binary':
      return { ...base, matchAny: stringMatcher(literals, [], false) }
    case 'numeric':
      return { ...base, matchAny: ordered(literals, parseNumber, op.cmp, 'number').matchAny }
    case 'date': {
      const m = ordered(literals, parseDate, op.cmp, 'date (ISO 8601 or epoch seconds)')
      return { ...base, matchAny: m.matchAny, matchTime: m.matchNumber }
    }
    case 'bool': {
      const set = new Set(literals.map((s) => s.toLowerCase()))
      return { ...base, matchAny: (v) => set.has(v.toLowerCase()) }
    }
    case 'ip': {
      const blocks = cidrs(literals)
      return { ...base, matchAny: (v) => inCidrs(v, blocks) }
    }
    case 'arn': {
      const res = literals.map(arnRegex)
      return {
        ...base,
        matchAny: (v) => {
          for (let i = 0; i < res.length; i++) if (res[i]?.test(v)) return true
          return false
        },
      }
    }
    case 'null': {
      const wants = literals.map((s) => {
        const l = s.toLowerCase()
        if (l !== 'true' && l !== 'false') throw new ConditionSyntaxError(`Null takes "true" or "false", not "${s}"`)
        return l === 'true'
      })
      return { ...base, nullWants: wants, matchAny: () => false }
    }
  }
}

/** Evaluates one compiled condition against the request context. */
export function testCondition(c: CompiledCondition, ctx: ConditionContext): boolean {
  if (c.matchTime !== undefined && ctx.time !== undefined) {
    const t = ctx.time(c.lkey)
    if (t !== undefined) return c.matchTime(t) !== c.negated
  }
  const v = ctx.get(c.lkey)
  const empty = v === undefined || (typeof v !== 'string' && v.length === 0)
  if (c.isNull) {
    for (const absent of c.nullWants ?? []) if (absent === empty) return true
    return false
  }
  if (empty) {
    if (c.qualifier === ALL) return true
    return c.ifExists || (c.qualifier === NONE && c.negated)
  }
  if (typeof v === 'string') return c.matchAny(v, ctx) !== c.negated
  if (c.qualifier === ALL) {
    for (let i = 0; i < v.length; i++) if (c.matchAny(v[i], ctx) === c.negated) return false
    return true
  }
  if (c.qualifier === ANY) {
    for (let i = 0; i < v.length; i++) if (c.matchAny(v[i], ctx) !== c.negated) return true
    return false
  }
  // A multi-valued request key without a set qualifier: a positive operator needs one value to
  // match, a negated one needs no value to match any policy value.
  if (c.negated) {
    for (let i = 0; i < v.length; i++) if (c.matchAny(v[i], ctx)) return false
    return true
  }
  for (let i = 0; i < v.length; i++) if (c.matchAny(v[i], ctx)) return true
  return false
}
