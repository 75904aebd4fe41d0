/** POSIX portable environment variable names (IEEE Std 1003.1, 8.1): letters, digits, '_'. */
const VALID_ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

export function isValidEnvName(name: string): boolean {
  return VALID_ENV_NAME.test(name)
}

/**
 * The variable for a parameter name below a loaded path: the remaining segments, upper-cased,
 * `/`, `-` and `.` (and anything else a variable cannot hold) as `_`, after `prefix`.
 * `/app/prod/db/url` under `/app/prod` → `DB_URL`; with prefix `APP_` → `APP_DB_URL`.
 */
export function envNameOf(relative: string, prefix = ''): string {
  const body = relative
    .replace(/^\/+|\/+$/g, '')
    .toUpperCase()
    .replace(/[^A-Z0-9_]/g, '_')
  const name = prefix + body
  return /^[0-9]/.test(name) ? `_${name}` : name
}

/** What is left of a parameter's name below `path` (the last segment when it is not below). */
export function relativeName(name: string, path: string): string {
  const base = path.endsWith('/') ? path : `${path}/`
  if (path === '/' || name.startsWith(base)) return name.slice(path === '/' ? 1 : base.length)
  return name.slice(name.lastIndexOf('/') + 1)
}

/**
 * A secret as variables: a JSON object gives one per key (`{"username": …}` → `USERNAME`;
 * non-string values as JSON text); anything else one variable named after the secret's last
 * name segment (`prod/db-password` → `DB_PASSWORD`).
 */
export function secretEnv(secretName: string, value: string, prefix = ''): Record<string, string> {
  const obj = jsonObject(value)
  if (obj) return Object.fromEntries(Object.entries(obj).map(([k, v]) => [envNameOf(k, prefix), typeof v === 'string' ? v : JSON.stringify(v)]))
  return { [envNameOf(secretName.slice(secretName.lastIndexOf('/') + 1), prefix)]: value }
}

/** The value as a JSON object, or undefined when it is not one. */
export function jsonObject(value: string): Record<string, unknown> | undefined {
  if (!value.trimStart().startsWith('{')) return undefined
  try {
    const v = JSON.parse(value) as unknown
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}
