/**
 * Wire ⇄ core conversion for awsJson1_1, driven by the generated shape tables:
 * PascalCase members ⇄ camelCase, base64 blobs ⇄ Uint8Array, epoch-seconds timestamps ⇄ epoch
 * ms. Map keys (EncryptionContext, tag maps) are user data and are never re-cased. Members a
 * shape does not declare are dropped both ways, so nothing internal leaks onto the wire.
 * Name maps are computed once per shape on first use.
 */
import { ArcaError } from '../../core/index.ts'
import { shapeTable, type AwsJsonService, type Shape, type ShapeTable } from './shapes.ts'
import { BASE64 } from './validate.ts'

/**
 * `KeyId` → `keyId`, `AWSAccountId` → `awsAccountId`, `ARN` → `arn`, `KMSKeyId` → `kmsKeyId`:
 * a leading run of capitals is lower-cased except the one that starts the next word.
 */
export function camelCase(name: string): string {
  let i = 0
  while (i < name.length && name.charCodeAt(i) >= 65 && name.charCodeAt(i) <= 90) i++
  if (i === 0) return name
  if (i === 1 || i === name.length) return name.slice(0, i).toLowerCase() + name.slice(i)
  // "AWSAccount": the last capital of the run begins "Account" (unless a digit or end follows)
  const next = name.charCodeAt(i)
  const startsWord = next >= 97 && next <= 122
  const cut = startsWord ? i - 1 : i
  return name.slice(0, cut).toLowerCase() + name.slice(cut)
}

interface MemberPlan {
  wire: string
  camel: string
  shape: string
}

class Plans {
  private readonly members = new Map<string, MemberPlan[]>()
  constructor(readonly table: ShapeTable) {}

  shape(name: string): Shape {
    return this.table.shapes[name]!
  }

  of(structure: string): MemberPlan[] {
    let plan = this.members.get(structure)
    if (plan === undefined) {
      const s = this.table.shapes[structure]!
      plan = s.type === 'structure' ? Object.entries(s.members).map(([wire, shape]) => ({ wire, camel: camelCase(wire), shape })) : []
      this.members.set(structure, plan)
    }
    return plan
  }
}

const plans = new Map<AwsJsonService, Plans>()
function plansFor(service: AwsJsonService): Plans {
  let p = plans.get(service)
  if (p === undefined) {
    p = new Plans(shapeTable(service))
    plans.set(service, p)
  }
  return p
}

function operation(service: AwsJsonService, op: string): { input?: string; output?: string } {
  const o = shapeTable(service).operations[op]
  if (o === undefined) throw new ArcaError('UnknownOperation', `Unknown operation ${op}`)
  return o
}

/** Sets a user-chosen key as an own property, even "__proto__" (no prototype change). */
function setKey(out: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true })
  else out[k] = v
}

// ---------------------------------------------------------------------------------------------
// decode: wire → camelCase

/** Standard base64 → a fresh Uint8Array (not a view into Buffer's shared pool, which is wiped). */
export function decodeBase64(s: string): Uint8Array {
  if (!BASE64.test(s)) throw new ArcaError('Serialization', 'Base64 encoded value is not valid.')
  const buf = Buffer.from(s, 'base64')
  const out = new Uint8Array(buf.length)
  out.set(buf)
  buf.fill(0)
  return out
}

export function encodeBase64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64')
}

function decodeValue(p: Plans, shapeName: string, v: unknown): unknown {
  if (v === null || v === undefined) return undefined
  const shape = p.shape(shapeName)
  switch (shape.type) {
    case 'structure': {
      if (typeof v !== 'object' || Array.isArray(v)) throw new ArcaError('Serialization', 'Start of structure or map found where not expected.')
      const obj = v as Record<string, unknown>
      const out: Record<string, unknown> = {}
      for (const m of p.of(shapeName)) {
        const x = decodeValue(p, m.shape, obj[m.wire])
        if (x !== undefined) out[m.camel] = x
      }
      return out
    }
    case 'list':
      if (!Array.isArray(v)) throw new ArcaError('Serialization', 'Expected a list')
      return v.map((x) => decodeValue(p, shape.member, x))
    case 'map': {
      if (typeof v !== 'object' || Array.isArray(v)) throw new ArcaError('Serialization', 'Expected a map')
      const out: Record<string, unknown> = {}
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        const d = decodeValue(p, shape.value, x)
        if (d !== undefined) setKey(out, k, d)
      }
      return out
    }
    case 'blob':
      if (typeof v !== 'string') throw new ArcaError('Serialization', `${typeof v} can not be converted to a Blob`)
      return decodeBase64(v)
    case 'timestamp':
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new ArcaError('Serialization', `${typeof v} can not be converted to a Timestamp`)
      return Math.round(v * 1000)
    default:
      return v
  }
}

/**
 * A validated wire body → the camelCase object the handlers use: blobs as Uint8Array,
 * timestamps as epoch ms, map keys untouched, undeclared members dropped.
 */
export function decodeInput(service: AwsJsonService, op: string, json: unknown): Record<string, unknown> {
  const { input } = operation(service, op)
  if (input === undefined) return {}
  return (decodeValue(plansFor(service), input, json ?? {}) as Record<string, unknown> | undefined) ?? {}
}

// ---------------------------------------------------------------------------------------------
// encode: camelCase → wire

function encodeValue(p: Plans, shapeName: string, v: unknown): unknown {
  if (v === null || v === undefined) return undefined
  const shape = p.shape(shapeName)
  switch (shape.type) {
    case 'structure': {
      const obj = v as Record<string, unknown>
      const out: Record<string, unknown> = {}
      for (const m of p.of(shapeName)) {
        const x = encodeValue(p, m.shape, obj[m.camel])
        if (x !== undefined) out[m.wire] = x
      }
      return out
    }
    case 'list':
      return (v as unknown[]).map((x) => encodeValue(p, shape.member, x))
    case 'map': {
      const out: Record<string, unknown> = {}
      const entries = v instanceof Map ? [...(v as Map<string, unknown>)] : Object.entries(v as Record<string, unknown>)
      for (const [k, x] of entries) {
        const e = encodeValue(p, shape.value, x)
        if (e !== undefined) setKey(out, k, e)
      }
      return out
    }
    case 'blob':
      return v instanceof Uint8Array ? encodeBase64(v) : v
    case 'timestamp':
      // epoch seconds, fractions allowed (AWS-API.md §1); JS v3 throws on ISO strings
      if (v instanceof Date) return v.getTime() / 1000
      return (v as number) / 1000
    default:
      return v
  }
}

/**
 * A handler's camelCase result → the wire body: exact member names from the output shape,
 * Uint8Array → base64, Date or epoch ms → epoch seconds, undefined/null omitted.
 */
export function encodeOutput(service: AwsJsonService, op: string, value: unknown): Record<string, unknown> {
  const { output } = operation(service, op)
  if (output === undefined || value === undefined || value === null) return {}
  return encodeValue(plansFor(service), output, value) as Record<string, unknown>
}
