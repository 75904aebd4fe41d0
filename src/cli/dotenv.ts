import { ArcaError } from '../core/index.ts'

/**
 * Parses a .env file: `KEY=value`, `export KEY=value`, `#` comments, '…' (literal) and "…"
 * (with \n, \t, \", \\ escapes, may span lines) quoting, ` #` comments after unquoted values.
 */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = text.replace(/\r\n?/g, '\n').split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim()
    if (!line || line.startsWith('#')) continue
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line)
    if (!m) throw new ArcaError('Validation', `line ${i + 1} is not KEY=value`)
    const [, key, rest] = m
    if (rest.startsWith('"')) {
      let body = rest.slice(1)
      while (closingQuote(body) < 0 && i + 1 < lines.length) body += `\n${lines[++i]}`
      const end = closingQuote(body)
      if (end < 0) throw new ArcaError('Validation', `line ${i + 1}: unterminated "`)
      out[key] = body.slice(0, end).replace(/\\([nrt"\\$])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c)
    } else if (rest.startsWith("'")) {
      const end = rest.indexOf("'", 1)
      if (end < 0) throw new ArcaError('Validation', `line ${i + 1}: unterminated '`)
      out[key] = rest.slice(1, end)
    } else {
      out[key] = rest.replace(/\s+#.*$/, '').trim()
    }
  }
  return out
}

function closingQuote(s: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') i++
    else if (s[i] === '"') return i
  }
  return -1
}

/** A dotenv line that parseDotenv reads back to the same value. */
export function dotenvLine(key: string, value: string): string {
  return `${key}="${value.replace(/[\\"$]/g, (c) => `\\${c}`).replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`
}

/** A POSIX shell line: single quotes keep every character literal ('\'' for a quote). */
export function shellLine(key: string, value: string): string {
  return `export ${key}='${value.replace(/'/g, `'\\''`)}'`
}
