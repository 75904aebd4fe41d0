/**
 * Plugin error text and log lines pass through here before they are logged, stored in the
 * attempt history or put in an event (CONVENTIONS.md "Security habits"): every secret value the
 * host has seen during the attempt — whole values, their JSON leaves, and the escaped forms a
 * message might quote them in — is replaced.
 */

// Arca: stored error text is bounded so that a plugin cannot fill the history with output.
export const MAX_ERROR_CHARS = 2000
export const REDACTED = '[redacted]'
// Arca: values shorter than this are not replaced: one to three characters cannot be told apart
// from ordinary text (replacing every "x" would garble the message), nor are they credible secrets.
export const MIN_REDACTED_LENGTH = 4

// AWS's documented database secret members that are not secret (host, username, …): kept
// readable so that an error such as "password authentication failed for user app" still says
// which user. Every other member of a JSON secret is treated as secret.
const PUBLIC_MEMBERS = new Set(['engine', 'host', 'port', 'username', 'dbname', 'masterarn', 'dbClusterIdentifier', 'dbInstanceIdentifier', 'ssl'])

export class Sanitiser {
  private readonly known = new Set<string>()
  private ordered: string[] | undefined

  /** Remembers a secret value (a version's SecretString or SecretBinary, a generated password). */
  add(value: string | Uint8Array | undefined | null): void {
    if (value === undefined || value === null) return
    if (value instanceof Uint8Array) {
      this.remember(Buffer.from(value).toString('base64'))
      this.remember(Buffer.from(value).toString('hex'))
      this.remember(Buffer.from(value).toString('utf8'))
      return
    }
    this.remember(value)
    let parsed: unknown
    try {
      parsed = JSON.parse(value)
    } catch {
      return
    }
    this.leaves(parsed, undefined)
  }

  private leaves(v: unknown, key: string | undefined): void {
    if (key !== undefined && PUBLIC_MEMBERS.has(key)) return
    if (typeof v === 'string') this.remember(v)
    else if (typeof v === 'number' && key !== undefined) this.remember(String(v))
    else if (Array.isArray(v)) for (const x of v) this.leaves(x, key)
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) this.leaves(x, k)
  }

  private remember(s: string): void {
    if (s.length < MIN_REDACTED_LENGTH) return
    for (const form of [s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s), s.replace(/'/g, "''")]) this.known.add(form)
    this.ordered = undefined
  }

  /** `text` with every known value replaced, bounded to MAX_ERROR_CHARS. */
  clean(text: string): string {
    this.ordered ??= [...this.known].sort((a, b) => b.length - a.length)
    let out = String(text)
    for (const s of this.ordered) if (out.includes(s)) out = out.split(s).join(REDACTED)
    return out.length > MAX_ERROR_CHARS ? `${out.slice(0, MAX_ERROR_CHARS)}…` : out
  }

  /** Log fields with every string (and number that is a known value) cleaned. */
  cleanFields(fields: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
    if (!fields) return undefined
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return this.clean(v)
      if (typeof v === 'number') return this.known.has(String(v)) ? REDACTED : v
      if (Array.isArray(v)) return v.map(walk)
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]))
      return v
    }
    return walk(fields) as Record<string, unknown>
  }
}
