import { ArcaError } from '../../core/index.ts'

/**
 * Deepest JSON nesting accepted in a request body. No AWS shape of KMS, SSM or Secrets Manager
 * nests deeper than a handful of levels (a policy document travels as a string); the limit keeps
 * recursive validation and decoding far from the stack's end.
 */
export const MAX_JSON_DEPTH = 64

const OPEN_OBJECT = 0x7b
const OPEN_ARRAY = 0x5b
const CLOSE_OBJECT = 0x7d
const CLOSE_ARRAY = 0x5d
const QUOTE = 0x22
const BACKSLASH = 0x5c

/** One pass over the bytes before parsing: refuses nesting deeper than `max` (strings skipped). */
export function checkJsonDepth(body: Uint8Array, max = MAX_JSON_DEPTH): void {
  let depth = 0
  let inString = false
  for (let i = 0; i < body.length; i++) {
    const b = body[i]
    if (inString) {
      if (b === BACKSLASH) i++
      else if (b === QUOTE) inString = false
    } else if (b === QUOTE) inString = true
    else if (b === OPEN_OBJECT || b === OPEN_ARRAY) {
      if (++depth > max) throw new ArcaError('Serialization', `The request body nests deeper than ${max} levels.`)
    } else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) depth--
  }
}
