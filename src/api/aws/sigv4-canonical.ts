/**
 * The canonical pieces of SigV4 (AWS-API.md §2 step 5) and the request-date formats, kept apart
 * from the verifier in sigv4.ts.
 */

export type HeaderBag = Headers | Record<string, string | readonly string[] | undefined>

/** RFC 3986 encoding of every byte except the unreserved set, as SigV4 requires. */
export function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

export function decodeOrKeep(s: string): string {
  if (s.indexOf('%') < 0) return s
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/**
 * Canonical URI for non-S3 services: empty and "." segments dropped, ".." resolved (as the SDKs
 * normalise before signing), then each segment of the path as received encoded once more — the
 * SDKs encode twice and the wire carries the first encoding.
 */
export function canonicalUri(path: string): string {
  if (path === '/' || path === '') return '/'
  const out: string[] = []
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue
    if (seg === '..') out.pop()
    else out.push(uriEncode(seg))
  }
  if (out.length === 0) return '/'
  return path.endsWith('/') ? `/${out.join('/')}/` : `/${out.join('/')}`
}

/**
 * Canonical query: each name and value percent-decoded then re-encoded (RFC 3986), sorted by
 * encoded name then value, joined with '&'. `skip` names a parameter left out (X-Amz-Signature).
 */
export function canonicalQuery(query: string, skip?: string): string {
  if (query === '') return ''
  const pairs: [string, string][] = []
  for (const part of query.split('&')) {
    if (part === '') continue
    const eq = part.indexOf('=')
    const rawKey = eq < 0 ? part : part.slice(0, eq)
    const rawValue = eq < 0 ? '' : part.slice(eq + 1)
    const key = decodeOrKeep(rawKey)
    if (skip !== undefined && key === skip) continue
    pairs.push([uriEncode(key), uriEncode(decodeOrKeep(rawValue))])
  }
  if (pairs.length > 1) pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
  let out = ''
  for (let i = 0; i < pairs.length; i++) out += `${i === 0 ? '' : '&'}${pairs[i]![0]}=${pairs[i]![1]}`
  return out
}

function headerValues(headers: HeaderBag, name: string): string | readonly string[] | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined
  return headers[name]
}

export function headerString(headers: HeaderBag, name: string): string | undefined {
  const v = headerValues(headers, name)
  if (v === undefined) return undefined
  return typeof v === 'string' ? v : v.join(',')
}

/** Trim, and collapse inner whitespace runs to one space (AWS canonical header value). */
const NEEDS_COLLAPSE = /\s\s|[\t\n\r\f\v]/
function canonicalHeaderValue(v: string): string {
  const t = v.trim()
  return NEEDS_COLLAPSE.test(t) ? t.replace(/\s+/g, ' ') : t
}

export function canonicalHeaders(headers: HeaderBag, signed: readonly string[]): string {
  let out = ''
  for (const name of signed) {
    const v = headerValues(headers, name)
    let value: string
    if (v === undefined) value = ''
    else if (typeof v === 'string') value = canonicalHeaderValue(v)
    else value = v.map(canonicalHeaderValue).join(',')
    out += `${name}:${value}\n`
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// dates

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
/** IMF-fixdate (RFC 7231): "Sun, 06 Nov 1994 08:49:37 GMT". */
const HTTP_DATE = /^[A-Za-z]{3}, (\d{2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/

function utc(y: number, mo: number, d: number, h: number, mi: number, s: number): number | undefined {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined
  const t = Date.UTC(y, mo - 1, d, h, mi, s)
  return Number.isNaN(t) ? undefined : t
}

export function parseAmzDate(v: string): number | undefined {
  const m = AMZ_DATE.exec(v)
  if (!m) return undefined
  return utc(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +m[6]!)
}

export function parseHttpDate(v: string): number | undefined {
  const m = HTTP_DATE.exec(v.trim())
  if (!m) return undefined
  const mo = MONTHS.indexOf(m[2]!)
  if (mo < 0) return undefined
  return utc(+m[3]!, mo + 1, +m[1]!, +m[4]!, +m[5]!, +m[6]!)
}

const p2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`)

/** Epoch ms → YYYYMMDDTHHMMSSZ (no Date object: the clock is the caller's). */
export function formatAmzDate(ms: number): string {
  const s = Math.floor(ms / 1000)
  const days = Math.floor(s / 86400)
  const rem = s - days * 86400
  // civil-from-days (H. Hinnant)
  const z = days + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1
  const m = mp < 10 ? mp + 3 : mp - 9
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0)
  return `${y}${p2(m)}${p2(d)}T${p2(Math.floor(rem / 3600))}${p2(Math.floor((rem % 3600) / 60))}${p2(rem % 60)}Z`
}
