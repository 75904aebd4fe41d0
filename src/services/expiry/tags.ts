import { ArcaError, MS } from '../../core/index.ts'
import { type ExpiryConfig, checkAction, parseExpiryPolicies } from './grammar.ts'

/**
 * Expiry through the AWS API, where no field exists for it: tags on the secret.
 *   arca:expires-at       ISO 8601 instant (Expiration)
 *   arca:notify-before    14d | 12h (ExpirationNotification; needs arca:expires-at)
 *   arca:no-change-after  90d (NoChangeNotification)
 *   arca:no-access-after  90d (NoAccessNotification)
 *   arca:expiry-action    notify | deny-reads | delete   (Arca addition; default notify)
 *   arca:expiry-recovery-days  7–30 (for delete; default 30)
 */
export const EXPIRY_TAGS = ['arca:expires-at', 'arca:notify-before', 'arca:no-change-after', 'arca:no-access-after', 'arca:expiry-action', 'arca:expiry-recovery-days'] as const
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/
const DURATION = /^([1-9]\d{0,5})([dh])$/

const refuse = (tag: string, value: string, want: string) =>
  new ArcaError('Validation', `The tag ${tag} has the value '${value}', which is not ${want}.`, { field: `tags.${tag}` })

function duration(tag: string, value: string, type: string, key: 'Before' | 'After') {
  const m = DURATION.exec(value)
  if (!m) throw refuse(tag, value, 'a duration such as 14d or 12h')
  return { Type: type, Version: '1.0', Attributes: { [key]: m[1], Unit: m[2] === 'd' ? 'Days' : 'Hours' } }
}

/**
 * The expiry configuration the tags describe, or null when none of them is set. With `now`, an
 * expiry time must be in the future (a write); without, stored tags are re-read as they are.
 */
export function configFromTags(tags: readonly { Key: string; Value: string }[], now?: number): ExpiryConfig | null {
  const get = (k: string) => tags.find((t) => t.Key === k)?.Value
  if (!EXPIRY_TAGS.some((k) => get(k) !== undefined)) return null
  const list: unknown[] = []
  const at = get('arca:expires-at')
  if (at !== undefined) {
    const ms = ISO_INSTANT.test(at) ? Date.parse(at) : Number.NaN
    if (!Number.isFinite(ms)) throw refuse('arca:expires-at', at, 'an ISO 8601 time such as 2030-05-13T00:00:00Z')
    if (now !== undefined && ms <= now) throw refuse('arca:expires-at', at, 'in the future')
    list.push({ Type: 'Expiration', Version: '1.0', Attributes: { Timestamp: new Date(ms).toISOString() } })
  }
  const before = get('arca:notify-before')
  if (before !== undefined) {
    if (at === undefined) throw new ArcaError('Validation', 'The tag arca:notify-before needs the tag arca:expires-at on the same secret.', { field: 'tags.arca:notify-before' })
    list.push(duration('arca:notify-before', before, 'ExpirationNotification', 'Before'))
  }
  const change = get('arca:no-change-after')
  if (change !== undefined) list.push(duration('arca:no-change-after', change, 'NoChangeNotification', 'After'))
  const access = get('arca:no-access-after')
  if (access !== undefined) list.push(duration('arca:no-access-after', access, 'NoAccessNotification', 'After'))
  const actionTag = get('arca:expiry-action')
  const daysTag = get('arca:expiry-recovery-days')
  let days: number | undefined
  if (daysTag !== undefined) {
    if (!/^\d{1,2}$/.test(daysTag)) throw refuse('arca:expiry-recovery-days', daysTag, 'a whole number of days from 7 to 30')
    days = Number(daysTag)
  }
  let action
  try {
    action = checkAction(actionTag, days)
  } catch {
    throw actionTag !== undefined && !['notify', 'deny-reads', 'delete'].includes(actionTag)
      ? refuse('arca:expiry-action', actionTag, 'one of notify, deny-reads, delete')
      : refuse('arca:expiry-recovery-days', daysTag ?? '', 'a whole number of days from 7 to 30')
  }
  const policies = parseExpiryPolicies(list, Number.NEGATIVE_INFINITY).map((p) => p.text)
  return { policies, ...action }
}
