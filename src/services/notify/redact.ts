/**
 * The one redaction function for anything that leaves the engine as a description of a change
 * (events now; audit and logs can share it): drops every field whose name says it holds a
 * secret, every binary value, and `value` beside `type: SecureString`. Field names are compared
 * without case, `-` or `_`, so `secret-string`, `SecretString` and `secret_string` are one name.
 * Names that only identify a secret (`secret-id`, `secretName`, `token-id`) are kept.
 */
const SECRET_NAMES = new Set([
  'plaintext',
  'secretstring',
  'secretbinary',
  'secretvalue',
  'password',
  'passwd',
  'passphrase',
  'token',
  'accesstoken',
  'sessiontoken',
  'refreshtoken',
  'bearertoken',
  'apikey',
  'secret',
  'secretaccesskey',
  'secretkey',
  'privatekey',
  'keymaterial',
  'material',
  'sharedsecret',
  'credentials',
  'unsealshare',
  'share',
  'rootkey',
  'signingsecret',
])

/** Suffixes that mark a secret whatever comes before (`dbPassword`, `githubToken`, `clientSecret`). */
const SECRET_SUFFIXES = ['password', 'passphrase', 'token', 'secret', 'privatekey', 'secretkey', 'plaintext', 'apikey']

const normalise = (name: string) => name.toLowerCase().replace(/[-_]/g, '')

/** True when a field of this name must never leave the engine. */
export function isSecretField(name: string): boolean {
  const n = normalise(name)
  return SECRET_NAMES.has(n) || SECRET_SUFFIXES.some((s) => n.endsWith(s))
}

/** A deep copy of `value` with every secret-looking field dropped (see the module comment). */
export function redactSecrets<T>(value: T): T {
  return redact(value, 0) as T
}

// Deeper structures are cut rather than walked: no legitimate event detail nests this far.
const MAX_DEPTH = 32

function redact(value: unknown, depth: number): unknown {
  if (value instanceof Uint8Array || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return undefined
  if (Array.isArray(value)) {
    if (depth >= MAX_DEPTH) return []
    return value.map((v) => redact(v, depth + 1)).filter((v) => v !== undefined)
  }
  if (value === null || typeof value !== 'object') return typeof value === 'function' || typeof value === 'symbol' ? undefined : value
  if (depth >= MAX_DEPTH) return {}
  const source = value as Record<string, unknown>
  const secureString = Object.entries(source).some(([k, v]) => normalise(k) === 'type' && v === 'SecureString')
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(source)) {
    if (isSecretField(k)) continue
    if (secureString && normalise(k) === 'value') continue
    const r = redact(v, depth + 1)
    if (r !== undefined) out[k] = r
  }
  return out
}
