import { ArcaError, validationError } from '../../core/index.ts'

/** Checks `Limit` against AWS's range and applies its default. */
export function pageLimit(limit: number | undefined, def: number, max: number): number {
  if (limit === undefined || limit === null) return def
  if (!Number.isInteger(limit) || limit < 1) throw validationError('limit', limit, 'Member must have value greater than or equal to 1')
  if (limit > max) throw validationError('limit', limit, `Member must have value less than or equal to ${max}`)
  return limit
}

/** Markers are opaque to callers: base64url of the last item's sort key. */
export function encodeMarker(lastKey: string): string {
  return Buffer.from(`arca1:${lastKey}`, 'utf8').toString('base64url')
}

export function decodeMarker(marker: string | undefined): string | undefined {
  if (marker === undefined || marker === null) return undefined
  const text = typeof marker === 'string' ? Buffer.from(marker, 'base64url').toString('utf8') : ''
  if (!text.startsWith('arca1:')) throw new ArcaError('InvalidMarker', 'The marker that specifies where pagination should next begin is not valid.')
  return text.slice(6)
}
