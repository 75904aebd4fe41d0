import { ArcaError } from '../../core/index.ts'
import { EVENT_SOURCES, type EventEnvelope, type EventPattern } from './types.ts'

// Arca's bounds (EventBridge allows far larger patterns; these keep a pattern cheap to match).
export const MAX_PATTERN_VALUES = 20
export const MAX_DETAIL_TYPE_LENGTH = 128
// AWS: an ARN is at most 2048 characters, so a longer prefix can match nothing.
export const MAX_RESOURCE_PREFIX_LENGTH = 2048

function stringList(raw: unknown, field: string, check: (v: string) => void): string[] | undefined {
  if (raw === undefined || raw === null) return undefined
  const list = typeof raw === 'string' ? [raw] : raw
  if (!Array.isArray(list) || list.some((v) => typeof v !== 'string')) {
    throw new ArcaError('Validation', `'${field}' must be a list of strings.`, { field })
  }
  if (list.length === 0) return undefined
  if (list.length > MAX_PATTERN_VALUES) throw new ArcaError('Validation', `'${field}' may list at most ${MAX_PATTERN_VALUES} values.`, { field })
  for (const v of list as string[]) check(v)
  return [...new Set(list as string[])]
}

/** Checks a pattern from the wire (a JSON object, or query parameters); names the bad field. */
export function parsePattern(raw: unknown, prefix = 'pattern.'): EventPattern {
  if (raw === undefined || raw === null) return {}
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ArcaError('Validation', `'${prefix.slice(0, -1) || 'pattern'}' must be an object.`, { field: prefix.slice(0, -1) || 'pattern' })
  const obj = raw as Record<string, unknown>
  for (const key of Object.keys(obj)) {
    if (!['source', 'detailType', 'resourcePrefix'].includes(key)) {
      throw new ArcaError('Validation', `Unknown field '${prefix}${key}' (expected source, detailType, resourcePrefix).`, { field: `${prefix}${key}` })
    }
  }
  const pattern: EventPattern = {}
  const source = stringList(obj.source, `${prefix}source`, (v) => {
    if (!(EVENT_SOURCES as readonly string[]).includes(v)) {
      throw new ArcaError('Validation', `'${prefix}source' value '${v}' is not an event source (${EVENT_SOURCES.join(', ')}).`, { field: `${prefix}source` })
    }
  })
  if (source) pattern.source = source
  const detailType = stringList(obj.detailType, `${prefix}detailType`, (v) => {
    if (v.length === 0 || v.length > MAX_DETAIL_TYPE_LENGTH) {
      throw new ArcaError('Validation', `'${prefix}detailType' values must be 1 to ${MAX_DETAIL_TYPE_LENGTH} characters.`, { field: `${prefix}detailType` })
    }
  })
  if (detailType) pattern.detailType = detailType
  const prefixValue = obj.resourcePrefix
  if (prefixValue !== undefined && prefixValue !== null && prefixValue !== '') {
    if (typeof prefixValue !== 'string' || prefixValue.length > MAX_RESOURCE_PREFIX_LENGTH) {
      throw new ArcaError('Validation', `'${prefix}resourcePrefix' must be a string of at most ${MAX_RESOURCE_PREFIX_LENGTH} characters.`, { field: `${prefix}resourcePrefix` })
    }
    pattern.resourcePrefix = prefixValue
  }
  return pattern
}

/** Does the event match? Each part given must match; an empty pattern matches everything. */
export function matchesPattern(pattern: EventPattern, event: Pick<EventEnvelope, 'source' | 'detail-type' | 'resources'>): boolean {
  if (pattern.source && !pattern.source.includes(event.source)) return false
  if (pattern.detailType && !pattern.detailType.includes(event['detail-type'])) return false
  if (pattern.resourcePrefix !== undefined) {
    const p = pattern.resourcePrefix
    if (!event.resources.some((r) => r.startsWith(p))) return false
  }
  return true
}
