/**
 * Validates a parsed awsJson1_1 request body against the operation's input shape (generated
 * from botocore, see shapes.ts) with AWS's wording:
 *
 * - wrong JSON types → SerializationException (deserialisation fails before validation, so the
 *   first one found is thrown);
 * - constraint failures → ValidationException "N validation error(s) detected: Value 'x' at
 *   'path' failed to satisfy constraint: …; …", every failure listed, paths in AWS's form
 *   (`keyId`, `tags.1.member.tagKey`).
 *
 * Values of sensitive shapes (botocore `sensitive`, and everything inside one), of blobs and of
 * structures are never echoed: "Value at 'plaintext' failed to satisfy constraint: …".
 * Unknown members are ignored, as AWS does; JSON null counts as absent.
 */
import { ArcaError } from '../../core/index.ts'
import { shapeTable, type AwsJsonService, type Shape, type ShapeTable } from './shapes.ts'

/** Standard base64 with padding (AWS-API.md §1). */
export const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/** Decoded byte length of a string that matched BASE64. */
export function base64Length(s: string): number {
  if (s.length === 0) return 0
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0
  return (s.length / 4) * 3 - pad
}

/** Model member name → the path segment AWS prints (first letter lower-cased). */
export function fieldName(member: string): string {
  return member.length === 0 ? member : member[0]!.toLowerCase() + member.slice(1)
}

function jsonKind(v: unknown): string {
  if (v === null) return 'NULL'
  if (Array.isArray(v)) return 'START_ARRAY'
  switch (typeof v) {
    case 'string':
      return 'STRING_VALUE'
    case 'number':
      return 'NUMBER_VALUE'
    case 'boolean':
      return v ? 'VALUE_TRUE' : 'VALUE_FALSE'
    default:
      return 'START_OBJECT'
  }
}

const TYPE_NAMES: Record<Shape['type'], string> = {
  structure: 'a Structure',
  list: 'a List',
  map: 'a Map',
  string: 'a String',
  integer: 'an Integer',
  long: 'a Long',
  float: 'a Float',
  double: 'a Double',
  boolean: 'a Boolean',
  blob: 'a Blob',
  timestamp: 'a Timestamp',
}

function serializationError(v: unknown, shape: Shape): ArcaError {
  if (Array.isArray(v) && shape.type !== 'list') return new ArcaError('Serialization', 'Start of list found where not expected')
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && shape.type !== 'structure' && shape.type !== 'map') {
    return new ArcaError('Serialization', 'Start of structure or map found where not expected.')
  }
  return new ArcaError('Serialization', `${jsonKind(v)} can not be converted to ${TYPE_NAMES[shape.type]}`)
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

// ---------------------------------------------------------------------------------------------

const patternCache = new Map<string, RegExp | null>()

/** botocore patterns are Java regexes matched in full; most compile as JS with the u flag. */
function compilePattern(p: string): RegExp | null {
  let re = patternCache.get(p)
  if (re !== undefined) return re
  re = null
  for (const flags of ['u', '']) {
    try {
      re = new RegExp(`^(?:${p})$`, flags)
      break
    } catch {
      // try the next flavour; a pattern JS cannot express is not enforced
    }
  }
  patternCache.set(p, re)
  return re
}

/** The constraint texts a scalar value fails (AWS's wording), in AWS's order. */
function scalarFailures(shape: Shape, v: unknown): string[] {
  const out: string[] = []
  if (shape.type === 'string') {
    const s = v as string
    if (shape.max !== undefined && s.length > shape.max) out.push(`Member must have length less than or equal to ${shape.max}`)
    if (shape.min !== undefined && s.length < shape.min) out.push(`Member must have length greater than or equal to ${shape.min}`)
    if (shape.pattern !== undefined) {
      const re = compilePattern(shape.pattern)
      if (re !== null && !re.test(s)) out.push(`Member must satisfy regular expression pattern: ${shape.pattern}`)
    }
    if (shape.enum !== undefined && !shape.enum.includes(s)) out.push(`Member must satisfy enum value set: [${shape.enum.join(', ')}]`)
  } else if (shape.type === 'blob') {
    const n = base64Length(v as string)
    if (shape.max !== undefined && n > shape.max) out.push(`Member must have length less than or equal to ${shape.max}`)
    if (shape.min !== undefined && n < shape.min) out.push(`Member must have length greater than or equal to ${shape.min}`)
  } else if (shape.type === 'integer' || shape.type === 'long' || shape.type === 'float' || shape.type === 'double') {
    const n = v as number
    if (shape.max !== undefined && n > shape.max) out.push(`Member must have value less than or equal to ${shape.max}`)
    if (shape.min !== undefined && n < shape.min) out.push(`Member must have value greater than or equal to ${shape.min}`)
  }
  return out
}

/** Throws SerializationException unless `v` has the JSON type the shape needs. */
function checkType(shape: Shape, v: unknown): void {
  switch (shape.type) {
    case 'structure':
    case 'map':
      if (!isObject(v)) throw serializationError(v, shape)
      return
    case 'list':
      if (!Array.isArray(v)) throw serializationError(v, shape)
      return
    case 'string':
      if (typeof v !== 'string') throw serializationError(v, shape)
      return
    case 'blob':
      if (typeof v !== 'string') throw serializationError(v, shape)
      if (!BASE64.test(v)) throw new ArcaError('Serialization', 'Base64 encoded value is not valid.')
      return
    case 'boolean':
      if (typeof v !== 'boolean') throw serializationError(v, shape)
      return
    case 'integer':
    case 'long':
      if (typeof v !== 'number' || !Number.isInteger(v)) throw serializationError(v, shape)
      return
    case 'float':
    case 'double':
    case 'timestamp':
      if (typeof v !== 'number' || !Number.isFinite(v)) throw serializationError(v, shape)
      return
  }
}

function render(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(render).join(', ')}]`
  if (isObject(v)) {
    return `{${Object.entries(v)
      .map(([k, x]) => `${k}=${render(x)}`)
      .join(', ')}}`
  }
  return String(v)
}

/** Whether a value of this shape may appear in a message. */
function showable(table: ShapeTable, shape: Shape, sensitive: boolean): boolean {
  if (sensitive || shape.sensitive || shape.type === 'blob' || shape.type === 'structure') return false
  if (shape.type === 'list') {
    const m = table.shapes[shape.member]!
    return showable(table, m, false)
  }
  if (shape.type === 'map') return showable(table, table.shapes[shape.key]!, false) && showable(table, table.shapes[shape.value]!, false)
  return true
}

function failure(path: string, v: unknown, constraint: string, show: boolean): string {
  return show
    ? `Value '${render(v)}' at '${path}' failed to satisfy constraint: ${constraint}`
    : `Value at '${path}' failed to satisfy constraint: ${constraint}`
}

class Walker {
  readonly errors: string[] = []
  constructor(private readonly table: ShapeTable) {}

  walk(shapeName: string, v: unknown, path: string, sensitive: boolean): void {
    const shape = this.table.shapes[shapeName]!
    checkType(shape, v)
    const secret = sensitive || shape.sensitive === true
    switch (shape.type) {
      case 'structure': {
        const obj = v as Record<string, unknown>
        for (const req of shape.required ?? []) {
          if (obj[req] === undefined || obj[req] === null) {
            this.errors.push(`Value null at '${this.join(path, fieldName(req))}' failed to satisfy constraint: Member must not be null`)
          }
        }
        for (const [member, target] of Object.entries(shape.members)) {
          const x = obj[member]
          if (x === undefined || x === null) continue
          this.walk(target, x, this.join(path, fieldName(member)), secret)
        }
        return
      }
      case 'list': {
        const arr = v as unknown[]
        const show = showable(this.table, shape, secret)
        this.sizeFailures(shape, arr.length, path, arr, show)
        const member = this.table.shapes[shape.member]!
        if (member.type === 'structure' || member.type === 'list' || member.type === 'map') {
          arr.forEach((x, i) => {
            if (x === null) return
            this.walk(shape.member, x, `${path}.${i + 1}.member`, secret)
          })
        } else {
          const failed = new Set<string>()
          for (const x of arr) {
            if (x === null) continue
            checkType(member, x)
            for (const f of scalarFailures(member, x)) failed.add(f)
          }
          if (failed.size > 0) this.errors.push(failure(path, arr, `Member must satisfy constraint: [${[...failed].join(', ')}]`, show))
        }
        return
      }
      case 'map': {
        const obj = v as Record<string, unknown>
        const keys = Object.keys(obj)
        const show = showable(this.table, shape, secret)
        this.sizeFailures(shape, keys.length, path, obj, show)
        const keyShape = this.table.shapes[shape.key]!
        const valueShape = this.table.shapes[shape.value]!
        const keyFailed = new Set<string>()
        const valueFailed = new Set<string>()
        const nested = valueShape.type === 'structure' || valueShape.type === 'list' || valueShape.type === 'map'
        for (const k of keys) {
          for (const f of scalarFailures(keyShape, k)) keyFailed.add(f)
          const x = obj[k]
          if (x === null || x === undefined) continue
          if (nested) this.walk(shape.value, x, `${path}.${k}.member`, secret)
          else {
            checkType(valueShape, x)
            for (const f of scalarFailures(valueShape, x)) valueFailed.add(f)
          }
        }
        if (keyFailed.size > 0) this.errors.push(failure(path, obj, `Map keys must satisfy constraint: [${[...keyFailed].join(', ')}]`, show))
        if (valueFailed.size > 0) this.errors.push(failure(path, obj, `Map value must satisfy constraint: [${[...valueFailed].join(', ')}]`, show))
        return
      }
      default: {
        const show = showable(this.table, shape, secret)
        for (const f of scalarFailures(shape, v)) this.errors.push(failure(path, v, f, show))
      }
    }
  }

  private sizeFailures(shape: Shape, n: number, path: string, v: unknown, show: boolean): void {
    if (shape.max !== undefined && n > shape.max) this.errors.push(failure(path, v, `Member must have length less than or equal to ${shape.max}`, show))
    if (shape.min !== undefined && n < shape.min) this.errors.push(failure(path, v, `Member must have length greater than or equal to ${shape.min}`, show))
  }

  private join(path: string, field: string): string {
    return path === '' ? field : `${path}.${field}`
  }
}

/** The message AWS sends for a list of failures. */
export function validationMessage(errors: readonly string[]): string {
  return `${errors.length} validation error${errors.length === 1 ? '' : 's'} detected: ${errors.join('; ')}`
}

/**
 * Checks a parsed request body against the operation's input shape. Throws ArcaError
 * 'Serialization' or 'Validation'; returns the body as an object (`{}` for a missing body).
 * The operation must exist (the router answers UnknownOperation before calling this).
 */
export function validateInput(service: AwsJsonService, operation: string, body: unknown): Record<string, unknown> {
  const table = shapeTable(service)
  const op = table.operations[operation]
  if (op === undefined) throw new ArcaError('UnknownOperation', `Unknown operation ${operation}`)
  const input = body === undefined || body === null ? {} : body
  if (op.input === undefined) {
    if (!isObject(input)) throw serializationError(input, { type: 'structure', members: {} })
    return input
  }
  const w = new Walker(table)
  w.walk(op.input, input, '', false)
  if (w.errors.length > 0) {
    const first = /at '([^']*)'/.exec(w.errors[0]!)?.[1]
    throw new ArcaError('Validation', validationMessage(w.errors), first === undefined ? {} : { field: first })
  }
  return input as Record<string, unknown>
}
