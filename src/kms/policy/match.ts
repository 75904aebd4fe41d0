/**
 * Wildcard matching, compiled once per policy document. `*` matches any run of characters and
 * `?` exactly one (IAM policy grammar, Action/Resource/StringLike). Literal patterns go into a
 * Set so the common case is a hash lookup, not a regex.
 */
export interface Matcher {
  /** A bare `*`: matches everything. */
  readonly any: boolean
  readonly exact: ReadonlySet<string>
  readonly patterns: readonly RegExp[]
}

const REGEX_SPECIAL = /[.+^${}()|[\]\\]/g

/** `*`/`?` glob → anchored RegExp source; every other character is literal. */
export function globSource(glob: string, star = '.*', one = '.'): string {
  let out = ''
  for (const ch of glob) {
    if (ch === '*') out += star
    else if (ch === '?') out += one
    else out += ch.replace(REGEX_SPECIAL, '\\$&')
  }
  return out
}

export function hasWildcard(s: string): boolean {
  return s.includes('*') || s.includes('?')
}

export function globRegex(glob: string, ignoreCase = false): RegExp {
  return new RegExp(`^${globSource(glob)}$`, ignoreCase ? 'is' : 's')
}

/** Compiles a list of globs. With `lower`, patterns and the tested text are compared lowercased. */
export function compileMatcher(globs: readonly string[], lower = false): Matcher {
  let any = false
  const exact = new Set<string>()
  const patterns: RegExp[] = []
  for (const raw of globs) {
    const g = lower ? raw.toLowerCase() : raw
    if (g === '*') any = true
    else if (hasWildcard(g)) patterns.push(globRegex(g))
    else exact.add(g)
  }
  return { any, exact, patterns }
}

/** `text` must already be lowercased when the matcher was compiled with `lower`. */
export function matches(m: Matcher, text: string): boolean {
  if (m.any || m.exact.has(text)) return true
  for (let i = 0; i < m.patterns.length; i++) if (m.patterns[i].test(text)) return true
  return false
}

/**
 * ArnEquals/ArnLike: each of the six colon-separated parts is matched on its own, so a wildcard
 * in the first five never crosses a colon; the resource part may contain colons (IAM User Guide,
 * "Amazon Resource Name (ARN) condition operators").
 */
export function arnRegex(pattern: string): RegExp | undefined {
  const parts = pattern.split(':')
  if (parts.length < 6) return undefined
  const head = parts.slice(0, 5).map((p) => globSource(p, '[^:]*', '[^:]'))
  const tail = globSource(parts.slice(5).join(':'))
  return new RegExp(`^${head.join(':')}:${tail}$`, 's')
}
