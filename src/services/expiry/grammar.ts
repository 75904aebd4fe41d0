import { ArcaError, MS } from '../../core/index.ts'
import { type ParsedPolicy, parsePolicies, storedPolicies } from '../params/index.ts'

/**
 * The Parameter Store policy grammar (services/params) for every item type, plus
 * NoAccessNotification: `{"Type": "NoAccessNotification", "Version": "1.0",
 * "Attributes": {"After": "<n>", "Unit": "Days" | "Hours"}}` — no read for that long.
 */
export type ExpiryPolicyType = ParsedPolicy['type'] | 'NoAccessNotification'
export interface ExpiryPolicy extends Omit<ParsedPolicy, 'type'> {
  type: ExpiryPolicyType
}

export type ExpiryAction = 'notify' | 'deny-reads' | 'delete'
export const ACTIONS: readonly ExpiryAction[] = ['notify', 'deny-reads', 'delete']

/** An item's expiry configuration as stored (policy texts as re-serialised by the grammar). */
export interface ExpiryConfig {
  policies: string[]
  action: ExpiryAction
  /** For `delete`: the recovery window the item is given (never destroyed at once). */
  recoveryDays: number
}

// AWS Secrets Manager: RecoveryWindowInDays 7–30 (30 by default).
export const MIN_RECOVERY_DAYS = 7
export const MAX_RECOVERY_DAYS = 30
export const DEFAULT_RECOVERY_DAYS = 30

const NO_ACCESS = 'NoAccessNotification'
const UNITS: Record<string, number> = { Days: MS.day, Hours: MS.hour }
// Stands in for the list's own Expiration when one ExpirationNotification is checked alone.
const PLACEHOLDER_EXPIRATION = { Type: 'Expiration', Version: '1.0', Attributes: { Timestamp: '9999-12-31T00:00:00Z' } }

const bad = (field: string, msg: string) => new ArcaError('InvalidPolicyAttribute', `${field}: ${msg}`, { field })

function parseNoAccess(raw: Record<string, unknown>, field: string): ExpiryPolicy {
  if (raw.Version !== '1.0') throw bad(`${field}.Version`, 'The NoAccessNotification policy\'s Version must be "1.0".')
  const a = raw.Attributes as Record<string, unknown> | undefined
  if (typeof a !== 'object' || a === null || Array.isArray(a)) throw bad(`${field}.Attributes`, 'The NoAccessNotification policy needs an Attributes object.')
  if (typeof a.After !== 'string' || !/^[1-9]\d{0,5}$/.test(a.After)) throw bad(`${field}.Attributes.After`, 'A NoAccessNotification policy needs After as a positive whole number in a string, e.g. "After": "90".')
  if (typeof a.Unit !== 'string' || !(a.Unit in UNITS)) throw bad(`${field}.Attributes.Unit`, 'A NoAccessNotification policy needs Unit: Days or Hours.')
  const n = Number(a.After)
  const text = JSON.stringify({ Type: NO_ACCESS, Version: '1.0', Attributes: a })
  return { type: NO_ACCESS, text, offsetMs: n * UNITS[a.Unit]!, span: `${n} ${a.Unit.toLowerCase().replace(/s$/, n === 1 ? '' : 's')}` }
}

const isNoAccess = (p: unknown) => typeof p === 'object' && p !== null && (p as { Type?: unknown }).Type === NO_ACCESS

/** Parses a policy list (the JSON array, already decoded); errors name the element, e.g. `policies[1].Attributes.Unit`. */
export function parseExpiryPolicies(list: unknown, now: number): ExpiryPolicy[] {
  if (!Array.isArray(list)) throw bad('policies', 'must be a JSON array of policy objects.')
  const out: ExpiryPolicy[] = []
  const others: unknown[] = []
  list.forEach((p, i) => {
    const field = `policies[${i}]`
    if (isNoAccess(p)) {
      if (out.some((x) => x.type === NO_ACCESS)) throw new ArcaError('IncompatiblePolicy', `${field}: only one NoAccessNotification policy is allowed.`, { field })
      out.push(parseNoAccess(p as Record<string, unknown>, field))
      return
    }
    try {
      const alone = (p as { Type?: unknown })?.Type === 'ExpirationNotification' ? [p, PLACEHOLDER_EXPIRATION] : [p]
      parsePolicies(JSON.stringify(alone), now)
    } catch (e) {
      if (e instanceof ArcaError) throw new ArcaError(e.code, `${field}: ${e.message}`, { field })
      throw e
    }
    others.push(p)
  })
  // The cross-element rules (one Expiration, a notice needs an Expiration, the count limit).
  return [...parsePolicies(JSON.stringify(others), now), ...out]
}

/** Re-reads stored policy texts (validated when stored). */
export function storedExpiryPolicies(texts: readonly string[]): ExpiryPolicy[] {
  return texts.map((t) => {
    const doc = JSON.parse(t) as Record<string, unknown>
    return isNoAccess(doc) ? parseNoAccess(doc, 'policy') : storedPolicies([t])[0]!
  })
}

/** The action and recovery window, checked; errors name the field. */
export function checkAction(action: unknown, recoveryDays: unknown, fieldPrefix = ''): { action: ExpiryAction; recoveryDays: number } {
  const a = action ?? 'notify'
  if (typeof a !== 'string' || !(ACTIONS as readonly string[]).includes(a))
    throw new ArcaError('Validation', `${fieldPrefix}action must be one of ${ACTIONS.join(', ')}.`, { field: `${fieldPrefix}action` })
  const d = recoveryDays ?? DEFAULT_RECOVERY_DAYS
  if (typeof d !== 'number' || !Number.isInteger(d) || d < MIN_RECOVERY_DAYS || d > MAX_RECOVERY_DAYS)
    throw new ArcaError('Validation', `${fieldPrefix}recoveryWindowInDays must be a whole number from ${MIN_RECOVERY_DAYS} to ${MAX_RECOVERY_DAYS}.`, { field: `${fieldPrefix}recoveryWindowInDays` })
  return { action: a as ExpiryAction, recoveryDays: d }
}
