import { ArcaError, MS } from '../../core/index.ts'
import { MAX_POLICIES } from './limits.ts'

/**
 * Parameter policies (AWS-API.md §4.6): `Policies` is a JSON array (as a string) of
 * `{"Type", "Version": "1.0", "Attributes": {…}}`:
 *   Expiration             {"Timestamp": ISO-8601 instant, with Z or an offset}
 *   ExpirationNotification {"Before": "<n>", "Unit": "Days" | "Hours"}
 *   NoChangeNotification   {"After": "<n>", "Unit": "Days" | "Hours"}
 * `[]` (or `[{}]`) clears every policy.
 */
export type PolicyType = 'Expiration' | 'ExpirationNotification' | 'NoChangeNotification'
const TYPES: readonly PolicyType[] = ['Expiration', 'ExpirationNotification', 'NoChangeNotification']

export interface ParsedPolicy {
  type: PolicyType
  /** The policy as stored and shown (PolicyText): that one element, re-serialised. */
  text: string
  /** Expiration: epoch ms. */
  at?: number
  /** Notifications: the offset in ms (Before / After × Unit). */
  offsetMs?: number
  /** For the event's reason: "2 hours", "15 days". */
  span?: string
}

const UNITS: Record<string, number> = { Days: MS.day, Hours: MS.hour }
// ISO-8601 date-time with seconds (fractions optional) and Z or ±hh:mm.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/

const attr = (msg: string) => new ArcaError('InvalidPolicyAttribute', msg, { field: 'policies' })

function amount(attrs: Record<string, unknown>, key: 'Before' | 'After', type: PolicyType): { offsetMs: number; span: string } {
  const n = attrs[key]
  const unit = attrs.Unit
  if (typeof n !== 'string' || !/^[1-9]\d{0,5}$/.test(n)) throw attr(`A ${type} policy needs the attribute ${key} as a positive whole number in a string, e.g. "${key}": "15".`)
  if (typeof unit !== 'string' || !(unit in UNITS)) throw attr(`A ${type} policy needs the attribute Unit: Days or Hours.`)
  const count = Number(n)
  return { offsetMs: count * UNITS[unit]!, span: `${count} ${unit.toLowerCase().replace(/s$/, count === 1 ? '' : 's')}` }
}

function parseOne(raw: unknown, now: number): ParsedPolicy {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw attr('Each policy must be a JSON object with Type, Version and Attributes.')
  const p = raw as Record<string, unknown>
  if (typeof p.Type !== 'string' || !(TYPES as readonly string[]).includes(p.Type))
    throw new ArcaError('InvalidPolicyType', `The policy type ${String(p.Type ?? '(none)')} isn't supported. Parameter Store supports the following policy types: Expiration, ExpirationNotification, and NoChangeNotification.`, { field: 'policies' })
  const type = p.Type as PolicyType
  if (p.Version !== '1.0') throw attr(`The ${type} policy's Version must be "1.0".`)
  const attrs = p.Attributes
  if (typeof attrs !== 'object' || attrs === null || Array.isArray(attrs)) throw attr(`The ${type} policy needs an Attributes object.`)
  const a = attrs as Record<string, unknown>
  const text = JSON.stringify({ Type: type, Version: '1.0', Attributes: a })
  switch (type) {
    case 'Expiration': {
      const ts = a.Timestamp
      const at = typeof ts === 'string' && ISO_INSTANT.test(ts) ? Date.parse(ts) : Number.NaN
      if (!Number.isFinite(at)) throw attr('An Expiration policy needs the attribute Timestamp as an ISO-8601 instant, e.g. "2030-05-13T00:00:00.000Z".')
      if (at <= now) throw attr('The Expiration policy Timestamp must be in the future.')
      return { type, text, at }
    }
    case 'ExpirationNotification':
      return { type, text, ...amount(a, 'Before', type) }
    case 'NoChangeNotification':
      return { type, text, ...amount(a, 'After', type) }
  }
}

/** Parses and checks a Policies string; `[]`/`[{}]` → an empty list (clear them). */
export function parsePolicies(text: string, now: number): ParsedPolicy[] {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    throw attr('Policies must be a JSON array of policy objects.')
  }
  if (!Array.isArray(doc)) throw attr('Policies must be a JSON array of policy objects.')
  const items = doc.filter((p) => !(typeof p === 'object' && p !== null && !Array.isArray(p) && Object.keys(p).length === 0))
  if (items.length > MAX_POLICIES) throw new ArcaError('PoliciesLimitExceeded', `A parameter can have at most ${MAX_POLICIES} policies.`, { field: 'policies' })
  const parsed = items.map((p) => parseOne(p, now))
  const count = (t: PolicyType) => parsed.filter((p) => p.type === t).length
  if (count('Expiration') > 1) throw new ArcaError('IncompatiblePolicy', 'A parameter can have only one Expiration policy.', { field: 'policies' })
  if (count('ExpirationNotification') > 0 && count('Expiration') === 0)
    throw new ArcaError('IncompatiblePolicy', 'An ExpirationNotification policy needs an Expiration policy on the same parameter.', { field: 'policies' })
  return parsed
}

/** Re-reads stored policy texts (already validated when stored; the clock plays no part). */
export function storedPolicies(texts: readonly string[]): ParsedPolicy[] {
  return texts.map((t) => parseOne(JSON.parse(t), Number.NEGATIVE_INFINITY))
}

/** When a policy acts: expiry at its time, the expiry notice before it, NoChange after the last version. */
export function dueAt(p: ParsedPolicy, all: readonly ParsedPolicy[], lastModified: number): number | null {
  if (p.type === 'Expiration') return p.at!
  if (p.type === 'NoChangeNotification') return lastModified + p.offsetMs!
  const expiry = all.find((x) => x.type === 'Expiration')?.at
  return expiry === undefined ? null : expiry - p.offsetMs!
}
