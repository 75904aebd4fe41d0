import { globSource } from './match.ts'

/** What a condition or a policy variable reads: request-context values by lowercased key name. */
export type ContextValue = string | readonly string[] | undefined

export interface ConditionContext {
  /** `key` is lowercased; a multi-valued key answers an array (possibly empty). */
  get(key: string): ContextValue
  /** The request time keys (`aws:currenttime`, `aws:epochtime`) as epoch ms, so Date operators skip formatting and parsing. */
  time?(key: string): number | undefined
}

/** A value with `${…}` policy variables (IAM User Guide, "IAM policy elements: Variables and tags"). */
export interface Template {
  /** Literal text and variables, in order. */
  readonly parts: readonly (string | { key: string; fallback?: string })[]
  /** Lowercased keys the template reads, for "does this policy need resource tags?". */
  readonly keys: readonly string[]
}

// `${*}`, `${?}`, `${$}` stand for the literal characters (so a Like pattern can match them).
const LITERALS: Record<string, string> = { '*': '*', '?': '?', $: '$' }
const VARIABLE = /\$\{([^}]*)\}/g
const WITH_DEFAULT = /^\s*([^,\s]+)\s*,\s*'([^']*)'\s*$/

/** Parses `${key}` and `${key, 'default'}`; undefined when the text has no variables. */
export function parseTemplate(text: string): Template | undefined {
  if (!text.includes('${')) return undefined
  const parts: Template['parts'][number][] = []
  const keys: string[] = []
  let last = 0
  for (const m of text.matchAll(VARIABLE)) {
    if (m.index > last) parts.push(text.slice(last, m.index))
    const inner = m[1]
    const lit = LITERALS[inner]
    if (lit !== undefined) parts.push({ key: '', fallback: lit })
    else {
      const d = WITH_DEFAULT.exec(inner)
      const key = (d ? d[1] : inner.trim()).toLowerCase()
      keys.push(key)
      parts.push(d ? { key, fallback: d[2] } : { key })
    }
    last = m.index + m[0].length
  }
  if (last < text.length) parts.push(text.slice(last))
  return { parts, keys }
}

function valueOf(part: { key: string; fallback?: string }, ctx: ConditionContext): string | undefined {
  if (part.key === '') return part.fallback
  const v = ctx.get(part.key)
  if (typeof v === 'string') return v
  // A multi-valued key cannot stand in a variable; with a default, the default applies.
  return part.fallback
}

/**
 * The template with each variable replaced; undefined when a variable has no value and no
 * default (AWS: the value then matches nothing).
 */
export function resolveTemplate(t: Template, ctx: ConditionContext): string | undefined {
  if (t.parts.length === 1 && typeof t.parts[0] !== 'string') return valueOf(t.parts[0], ctx)
  let out = ''
  for (const p of t.parts) {
    if (typeof p === 'string') out += p
    else {
      const v = valueOf(p, ctx)
      if (v === undefined) return undefined
      out += v
    }
  }
  return out
}

/** A Like pattern with variables: static text keeps its wildcards, substituted values are literal. */
export function resolveGlobTemplate(t: Template, ctx: ConditionContext): RegExp | undefined {
  let src = ''
  for (const p of t.parts) {
    if (typeof p === 'string') src += globSource(p)
    else {
      const v = valueOf(p, ctx)
      if (v === undefined) return undefined
      src += v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    }
  }
  return new RegExp(`^${src}$`, 's')
}
