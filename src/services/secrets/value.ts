import { timingSafeEqual } from 'node:crypto'
import { ArcaError } from '../../core/index.ts'
import { MAX_VALUE_BYTES } from './limits.ts'

/** A secret value as the service handles it: the bytes and whether it was a string or a blob. */
export interface SecretValue {
  kind: 'string' | 'binary'
  bytes: Uint8Array
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

function tooLong(field: string): ArcaError {
  // The value is sensitive: AWS's wording without echoing it.
  return new ArcaError('Validation', `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${MAX_VALUE_BYTES}`, { field })
}

function tooShort(field: string): ArcaError {
  return new ArcaError('Validation', `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length greater than or equal to 1`, { field })
}

/** SecretString xor SecretBinary (AWS-API.md §5.1); undefined when neither was given. */
export function valueOf(input: { secretString?: unknown; secretBinary?: unknown }): SecretValue | undefined {
  const s = input.secretString
  const b = input.secretBinary
  const hasString = s !== undefined && s !== null
  const hasBinary = b !== undefined && b !== null
  if (hasString && hasBinary)
    throw new ArcaError('InvalidParameter', "You can't specify both a binary secret value and a string secret value in the same secret.", { field: 'secretBinary' })
  if (hasString) {
    if (typeof s !== 'string') throw new ArcaError('Validation', "'secretString' must be a string.", { field: 'secretString' })
    if (s.length === 0) throw tooShort('secretString')
    // Each UTF-16 unit encodes to at most 3 bytes: only long strings need measuring.
    if (s.length * 3 > MAX_VALUE_BYTES) {
      if (s.length > MAX_VALUE_BYTES) throw tooLong('secretString')
      const bytes = encoder.encode(s)
      if (bytes.length > MAX_VALUE_BYTES) {
        bytes.fill(0)
        throw tooLong('secretString')
      }
      return { kind: 'string', bytes }
    }
    return { kind: 'string', bytes: encoder.encode(s) }
  }
  if (hasBinary) {
    if (!(b instanceof Uint8Array)) throw new ArcaError('Validation', "'secretBinary' must be bytes.", { field: 'secretBinary' })
    if (b.length === 0) throw tooShort('secretBinary')
    if (b.length > MAX_VALUE_BYTES) throw tooLong('secretBinary')
    return { kind: 'binary', bytes: b.slice() }
  }
  return undefined
}

/** Constant-time comparison of two values (idempotent retries compare the stored value). */
export function sameValue(a: SecretValue, b: SecretValue): boolean {
  return a.kind === b.kind && a.bytes.length === b.bytes.length && timingSafeEqual(a.bytes, b.bytes)
}

/** The output members of a read: SecretString or SecretBinary. */
export function valueMembers(v: SecretValue): { secretString: string } | { secretBinary: Uint8Array } {
  return v.kind === 'string' ? { secretString: decoder.decode(v.bytes) } : { secretBinary: v.bytes }
}

export function wipe(v: SecretValue | undefined): void {
  v?.bytes.fill(0)
}
