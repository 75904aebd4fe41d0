import { ArcaError } from '../core/index.ts'

export type EncryptionContext = Record<string, string>

// AWS: the encryption context of one request may hold at most 8192 bytes.
export const MAX_CONTEXT_BYTES = 8192

const encoder = new TextEncoder()
const EMPTY = new Uint8Array([0, 0, 0, 0])

/**
 * Canonical bytes of an encryption context for the AAD: a u32 count, then each pair sorted by
 * key as (u32 length, UTF-8 key, u32 length, UTF-8 value). Length prefixes keep {"ab":"c"} and
 * {"a":"bc"} apart, which AWS emulators that concatenate pairs do not.
 */
export function encodeContext(context: EncryptionContext | undefined): Uint8Array {
  if (!context) return EMPTY
  const keys = Object.keys(context)
  if (keys.length === 0) return EMPTY
  keys.sort()
  const parts: Uint8Array[] = []
  let size = 4
  for (const k of keys) {
    const kb = encoder.encode(k)
    const vb = encoder.encode(context[k])
    parts.push(kb, vb)
    size += 8 + kb.length + vb.length
  }
  if (size - 4 - 8 * keys.length > MAX_CONTEXT_BYTES)
    throw new ArcaError('Validation', `Encryption context must not exceed ${MAX_CONTEXT_BYTES} bytes.`, { field: 'encryptionContext' })
  const out = new Uint8Array(size)
  const view = new DataView(out.buffer)
  view.setUint32(0, keys.length)
  let at = 4
  for (const p of parts) {
    view.setUint32(at, p.length)
    out.set(p, at + 4)
    at += 4 + p.length
  }
  return out
}

/** Checks the shape of a context from the wire: a flat map of strings. */
export function checkContext(context: unknown, field = 'encryptionContext'): EncryptionContext | undefined {
  if (context === undefined || context === null) return undefined
  if (typeof context !== 'object' || Array.isArray(context))
    throw new ArcaError('Validation', `${field} must be a map of strings.`, { field })
  for (const v of Object.values(context)) {
    if (typeof v !== 'string') throw new ArcaError('Validation', `${field} must be a map of strings.`, { field })
  }
  return context as EncryptionContext
}
