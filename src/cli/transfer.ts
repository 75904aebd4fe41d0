import fs from 'node:fs'
import { parseArgs } from 'node:util'
import { ArcaError } from '../core/index.ts'
import { envNameOf, parameterUrl, type ParameterValue, readParametersByPath, relativeName, type RestClient } from '../client/index.ts'
import { CONNECT_OPTIONS, connect } from './connect.ts'
import { dotenvLine, parseDotenv, shellLine } from './dotenv.ts'
import { formatOf, json, out } from './output.ts'
import { progress } from './progress.ts'

export const TRANSFER_USAGE = `  import FILE.env|FILE.json --path P [--type SecureString|String] [--key KEY] [--dry-run]
                                 write each entry as a parameter under P (nested JSON keys become
                                 path segments); unchanged values are not rewritten
  export --path P [--format dotenv|json|shell] [--out FILE]
                                 every parameter under P, decrypted (FILE is written mode 0600)
  diff PATH_A PATH_B             names only in A, only in B, and changed (values are never shown)`

const OPTIONS = {
  ...CONNECT_OPTIONS,
  path: { type: 'string' },
  type: { type: 'string' },
  key: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
  'dry-run': { type: 'boolean' },
} as const

// Arca: parallel writes of an import; enough to hide latency without queueing at the server.
const IMPORT_CONCURRENCY = 4

function needPath(p: string | undefined, command: string): string {
  if (!p || !p.startsWith('/')) throw new ArcaError('Validation', `arca ${command} needs --path /a/b (a parameter path starting with '/')`)
  return p === '/' ? p : p.replace(/\/+$/, '')
}

/** A JSON object flattened to path → text (nested keys joined with '/'). */
function flatten(obj: Record<string, unknown>, prefix = '', into: Record<string, string> = {}): Record<string, string> {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}/${k}` : k
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatten(v as Record<string, unknown>, key, into)
    else into[key] = typeof v === 'string' ? v : JSON.stringify(v)
  }
  return into
}

function readEntries(file: string): Record<string, string> {
  if (!fs.existsSync(file)) throw new ArcaError('NotFound', `not found: file ${file}`)
  const text = fs.readFileSync(file, 'utf8')
  if (file.endsWith('.json')) {
    let v: unknown
    try {
      v = JSON.parse(text)
    } catch {
      throw new ArcaError('Validation', `${file} is not valid JSON`)
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ArcaError('Validation', `${file} must hold a JSON object`)
    return flatten(v as Record<string, unknown>)
  }
  try {
    return parseDotenv(text)
  } catch (e) {
    throw new ArcaError('Validation', `${file}: ${(e as Error).message}`)
  }
}

async function subtree(rest: RestClient, path: string, label: string): Promise<ParameterValue[]> {
  const bar = progress(label, undefined)
  const list = await readParametersByPath(rest, path, true, (n) => bar.tick(n))
  bar.done()
  return list
}

export async function runImport(args: string[]): Promise<number> {
  const { values: v, positionals } = parseArgs({ args, allowPositionals: true, options: OPTIONS })
  const format = formatOf(v.output)
  const file = positionals[0]
  if (!file) throw new ArcaError('Validation', 'arca import needs a file: arca import .env --path /app/prod')
  const path = needPath(v.path, 'import')
  const entries = readEntries(file)
  const { rest } = connect(v)
  const existing = new Map((await subtree(rest, path, 'reading')).map((p) => [p.name, p.value]))
  const result = { created: [] as string[], updated: [] as string[], unchanged: [] as string[] }
  const todo: [string, string][] = []
  for (const [key, value] of Object.entries(entries)) {
    const name = `${path === '/' ? '' : path}/${key}`
    const before = existing.get(name)
    if (before === value) result.unchanged.push(name)
    else {
      ;(before === undefined ? result.created : result.updated).push(name)
      todo.push([name, value])
    }
  }
  if (!v['dry-run']) {
    const bar = progress('importing', todo.length)
    let next = 0
    let written = 0
    const worker = async () => {
      while (next < todo.length) {
        const [name, value] = todo[next++]
        try {
          await rest.request('PUT', parameterUrl(name), { value, type: v.type ?? 'SecureString', ...(v.key ? { keyId: v.key } : {}) })
        } catch (e) {
          bar.done()
          const err = e as ArcaError
          throw new ArcaError(err.code ?? 'Internal', `import stopped at ${name} after ${written} of ${todo.length} writes: ${err.message}`)
        }
        written++
        bar.tick()
      }
    }
    await Promise.all(Array.from({ length: Math.min(IMPORT_CONCURRENCY, todo.length) }, worker))
    bar.done()
  }
  if (format === 'json') json({ path, dryRun: v['dry-run'] === true, ...result })
  else
    out(
      `${v['dry-run'] ? 'would import' : 'imported'} ${Object.keys(entries).length} entries into ${path}: ${result.created.length} created, ${result.updated.length} updated, ${result.unchanged.length} unchanged`,
    )
  return 0
}

export async function runExport(args: string[]): Promise<number> {
  const { values: v, positionals } = parseArgs({ args, allowPositionals: true, options: OPTIONS })
  const path = needPath(v.path ?? positionals[0], 'export')
  const kind = v.format ?? (v.output === 'json' ? 'json' : 'dotenv')
  if (!['dotenv', 'json', 'shell'].includes(kind)) throw new ArcaError('Validation', `--format must be dotenv, json or shell, not '${kind}'`)
  const { rest } = connect(v)
  const list = await subtree(rest, path, 'exporting')
  let text: string
  if (kind === 'json') {
    text = JSON.stringify(Object.fromEntries(list.map((p) => [relativeName(p.name, path), p.value])), null, 2) + '\n'
  } else {
    const from: Record<string, string> = {}
    const lines: string[] = []
    for (const p of list) {
      const name = envNameOf(relativeName(p.name, path))
      if (from[name]) throw new ArcaError('Validation', `${from[name]} and ${p.name} both become ${name}; use --format json`)
      from[name] = p.name
      lines.push(kind === 'shell' ? shellLine(name, p.value) : dotenvLine(name, p.value))
    }
    text = lines.length ? lines.join('\n') + '\n' : ''
  }
  if (v.out) {
    fs.writeFileSync(v.out, text, { mode: 0o600 })
    fs.chmodSync(v.out, 0o600)
    process.stderr.write(`arca: exported ${list.length} parameters from ${path} to ${v.out}\n`)
  } else {
    process.stdout.write(text)
    if (process.stdout.isTTY !== true) process.stderr.write(`arca: exported ${list.length} parameters from ${path}\n`)
  }
  return 0
}

export async function runDiff(args: string[]): Promise<number> {
  const { values: v, positionals } = parseArgs({ args, allowPositionals: true, options: OPTIONS })
  const format = formatOf(v.output)
  const [a, b] = positionals.map((p) => needPath(p, 'diff'))
  if (!a || !b) throw new ArcaError('Validation', 'arca diff needs two paths: arca diff /app/staging /app/prod')
  const { rest } = connect(v)
  const [la, lb] = await Promise.all([readParametersByPath(rest, a, true), readParametersByPath(rest, b, true)])
  const ma = new Map(la.map((p) => [relativeName(p.name, a), p.value]))
  const mb = new Map(lb.map((p) => [relativeName(p.name, b), p.value]))
  const onlyA = [...ma.keys()].filter((k) => !mb.has(k)).sort()
  const onlyB = [...mb.keys()].filter((k) => !ma.has(k)).sort()
  const changed = [...ma.keys()].filter((k) => mb.has(k) && mb.get(k) !== ma.get(k)).sort()
  const same = ma.size - onlyA.length - changed.length
  if (format === 'json') {
    json({ a, b, onlyInA: onlyA, onlyInB: onlyB, changed, same })
    return 0
  }
  for (const k of onlyA) out(`- ${k}  (only in ${a})`)
  for (const k of onlyB) out(`+ ${k}  (only in ${b})`)
  for (const k of changed) out(`~ ${k}  (changed)`)
  out(`${onlyA.length + onlyB.length + changed.length} differences: ${onlyA.length} only in ${a}, ${onlyB.length} only in ${b}, ${changed.length} changed; ${same} the same`)
  return 0
}
