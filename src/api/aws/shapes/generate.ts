/**
 * Regenerates the committed shape tables `{kms,ssm,secretsmanager}.json` from the botocore
 * service models that ship with the machine's Python (`pip install botocore`):
 *
 *   npx tsx src/api/aws/shapes/generate.ts
 *
 * The output keeps only what the wire layer needs (types, required members, min/max, enum,
 * pattern, sensitive, union) for the operations Arca answers; documentation is dropped and
 * shapes are shared by name. CI never runs this: the JSON is committed.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync, existsSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ShapeTable, Shape } from '../shapes.ts'

interface BotoMember { shape: string }
interface BotoShape {
  type: string
  members?: Record<string, BotoMember>
  required?: string[]
  member?: BotoMember
  key?: BotoMember
  value?: BotoMember
  min?: number
  max?: number
  enum?: string[]
  pattern?: string
  sensitive?: boolean
  union?: boolean
  exception?: boolean
}
interface BotoModel {
  metadata: { apiVersion: string; targetPrefix: string; protocol: string; jsonVersion?: string }
  operations: Record<string, { input?: BotoMember; output?: BotoMember; errors?: BotoMember[] }>
  shapes: Record<string, BotoShape>
}

/** Which operations each service answers. SSM: Parameter Store and its tagging only. */
const SERVICES: Record<string, { model: string; include: (op: string) => boolean }> = {
  kms: { model: 'kms/2014-11-01', include: () => true },
  ssm: {
    model: 'ssm/2014-11-06',
    include: (op) => /Parameter/.test(op) || ['AddTagsToResource', 'RemoveTagsFromResource', 'ListTagsForResource'].includes(op),
  },
  secretsmanager: { model: 'secretsmanager/2017-10-17', include: () => true },
}

export function botocoreDataDir(): string {
  const out = execFileSync('python3', ['-c', 'import botocore,os;print(os.path.dirname(botocore.__file__))'], {
    encoding: 'utf8',
  })
  return join(out.trim(), 'data')
}

export function botocoreVersion(): string {
  return execFileSync('python3', ['-c', 'import botocore;print(botocore.__version__)'], { encoding: 'utf8' }).trim()
}

export function loadBotocoreModel(dataDir: string, model: string): BotoModel {
  const base = join(dataDir, model, 'service-2.json')
  if (existsSync(base)) return JSON.parse(readFileSync(base, 'utf8')) as BotoModel
  return JSON.parse(gunzipSync(readFileSync(`${base}.gz`)).toString('utf8')) as BotoModel
}

function compactShape(s: BotoShape): Shape {
  const out: Record<string, unknown> = { type: s.type }
  if (s.type === 'structure') {
    const members: Record<string, string> = {}
    for (const [name, m] of Object.entries(s.members ?? {})) members[name] = m.shape
    out.members = members
    if (s.required && s.required.length > 0) out.required = s.required
    if (s.union) out.union = true
  }
  if (s.member) out.member = s.member.shape
  if (s.key) out.key = s.key.shape
  if (s.value) out.value = s.value.shape
  if (s.min !== undefined) out.min = s.min
  if (s.max !== undefined) out.max = s.max
  if (s.enum) out.enum = s.enum
  if (s.pattern !== undefined) out.pattern = s.pattern
  if (s.sensitive) out.sensitive = true
  return out as unknown as Shape
}

export function buildTable(service: string, model: BotoModel, include: (op: string) => boolean, source: string): ShapeTable {
  const shapes: Record<string, Shape> = {}
  const visit = (name: string): void => {
    if (shapes[name]) return
    const s = model.shapes[name]
    if (!s) throw new Error(`${service}: shape ${name} missing from model`)
    shapes[name] = compactShape(s)
    for (const m of Object.values(s.members ?? {})) visit(m.shape)
    if (s.member) visit(s.member.shape)
    if (s.key) visit(s.key.shape)
    if (s.value) visit(s.value.shape)
  }
  const operations: ShapeTable['operations'] = {}
  for (const [op, def] of Object.entries(model.operations).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!include(op)) continue
    const entry: ShapeTable['operations'][string] = { errors: (def.errors ?? []).map((e) => e.shape) }
    if (def.input) {
      entry.input = def.input.shape
      visit(def.input.shape)
    }
    if (def.output) {
      entry.output = def.output.shape
      visit(def.output.shape)
    }
    operations[op] = entry
  }
  const errors = Object.entries(model.shapes)
    .filter(([, s]) => s.exception)
    .map(([n]) => n)
    .sort()
  const sortedShapes: Record<string, Shape> = {}
  for (const k of Object.keys(shapes).sort()) sortedShapes[k] = shapes[k]!
  return {
    service,
    apiVersion: model.metadata.apiVersion,
    targetPrefix: model.metadata.targetPrefix,
    source,
    operations,
    errors,
    shapes: sortedShapes,
  }
}

function main(): void {
  const dataDir = botocoreDataDir()
  const version = botocoreVersion()
  const here = dirname(fileURLToPath(import.meta.url))
  for (const [service, cfg] of Object.entries(SERVICES)) {
    const model = loadBotocoreModel(dataDir, cfg.model)
    const table = buildTable(service, model, cfg.include, `botocore ${version} data/${cfg.model}/service-2.json`)
    // One shape per line: small diffs when the model changes, still compact.
    const lines = Object.entries(table.shapes).map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`)
    const ops = Object.entries(table.operations).map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`)
    const text =
      '{\n' +
      `  "service": ${JSON.stringify(table.service)},\n` +
      `  "apiVersion": ${JSON.stringify(table.apiVersion)},\n` +
      `  "targetPrefix": ${JSON.stringify(table.targetPrefix)},\n` +
      `  "source": ${JSON.stringify(table.source)},\n` +
      `  "errors": ${JSON.stringify(table.errors)},\n` +
      `  "operations": {\n${ops.join(',\n')}\n  },\n` +
      `  "shapes": {\n${lines.join(',\n')}\n  }\n}\n`
    writeFileSync(join(here, `${service}.json`), text)
    process.stdout.write(`${service}: ${ops.length} operations, ${lines.length} shapes, ${text.length} bytes\n`)
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main()
