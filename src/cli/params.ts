import fs from 'node:fs'
import { parseArgs } from 'node:util'
import { ArcaError, isArcaError } from '../core/index.ts'
import { jsonObject, parameterUrl, type ParameterValue, readParameter, readSecret, type SecretValue, secretUrl } from '../client/index.ts'
import { CONNECT_OPTIONS, connect } from './connect.ts'
import { formatOf, json, out, table, when } from './output.ts'
import { isReference, resolveValue } from './resolve-env.ts'

export const PARAMS_USAGE = `  get NAME|SECRET|REFERENCE      print a value: /a/b is a parameter (decrypted), other names a
                                 secret (then a parameter); arca:… and {{resolve:…}} references too
        [--version N | --label L] [--stage S | --version-id ID] [--json-key K] [--parameter | --secret]
  put NAME [VALUE|-] [--type SecureString|String|StringList] [--key KEY] [--description D] [--file F]
                                 write a parameter (/a/b; default SecureString) or a secret (other
                                 names; created when new); the value from stdin when '-' or omitted
  ls [PATH] [-r] [--secrets]     list parameters under PATH (names, types, versions; never values),
                                 or secrets whose names start with PATH
  history NAME                   versions of a parameter or a secret (who, when, labels; no values)
  rm NAME [--force] [--recovery-days N]
                                 delete a parameter, or schedule a secret's deletion (--force: now)`

const OPTIONS = {
  ...CONNECT_OPTIONS,
  version: { type: 'string' },
  label: { type: 'string' },
  stage: { type: 'string' },
  'version-id': { type: 'string' },
  'json-key': { type: 'string' },
  parameter: { type: 'boolean' },
  secret: { type: 'boolean' },
  type: { type: 'string' },
  key: { type: 'string' },
  description: { type: 'string' },
  file: { type: 'string' },
  recursive: { type: 'boolean', short: 'r' },
  secrets: { type: 'boolean' },
  force: { type: 'boolean' },
  'recovery-days': { type: 'string' },
} as const

type Values = ReturnType<typeof parse>['values']
const parse = (args: string[]) => parseArgs({ args, allowPositionals: true, options: OPTIONS })

/** A name is a parameter when it starts with '/' or --parameter says so; otherwise a secret. */
function isParameter(name: string, v: Values): boolean {
  if (v.parameter && v.secret) throw new ArcaError('Validation', 'give --parameter or --secret, not both')
  return v.parameter === true || (!v.secret && name.startsWith('/'))
}

function needName(positionals: string[], command: string): string {
  const name = positionals[0]
  if (!name) throw new ArcaError('Validation', `arca ${command} needs a name (arca help)`)
  return name
}

const notFound = (what: string) => (e: unknown) => {
  if (isArcaError(e) && e.code === 'NotFound') throw new ArcaError('NotFound', `not found: ${what}`)
  throw e
}

function readStdin(): string {
  if (process.stdin.isTTY) throw new ArcaError('Validation', "no value: give it as an argument, with --file F, or on stdin ('-')")
  return fs.readFileSync(0, 'utf8').replace(/\r?\n$/, '')
}

export async function runGet(args: string[]): Promise<number> {
  const { values: v, positionals } = parse(args)
  const format = formatOf(v.output)
  const name = needName(positionals, 'get')
  const { rest, client } = connect(v)
  let record: ParameterValue | SecretValue
  let value: string
  if (isReference(name)) {
    value = await resolveValue(client, name)
    if (format === 'json') json({ reference: name, value })
    else out(value)
    return 0
  }
  if (isParameter(name, v)) {
    const selector = v.version ?? v.label
    record = await readParameter(rest, selector ? `${name}:${selector}` : name).catch(notFound(`parameter ${name}`))
    value = record.value
  } else {
    const opts = { stage: v.stage, versionId: v['version-id'] }
    try {
      record = await readSecret(rest, name, opts)
    } catch (e) {
      // Not a secret: a parameter named without a leading '/' is the other thing it can be.
      if (!(isArcaError(e) && e.code === 'NotFound') || v.secret) return notFound(`secret ${name}`)(e)
      record = await readParameter(rest, name).catch(notFound(`no secret or parameter named ${name}`))
    }
    value = 'valueBase64' in record && record.valueBase64 !== undefined ? record.valueBase64 : (record as { value: string }).value
  }
  if (v['json-key'] !== undefined) {
    const obj = jsonObject(value)
    if (!obj || !(v['json-key'] in obj)) throw new ArcaError('NotFound', `not found: key '${v['json-key']}' in ${name} (the value is not a JSON object with that key)`)
    const x = obj[v['json-key']]
    value = typeof x === 'string' ? x : JSON.stringify(x)
    record = { ...record, value } as typeof record
  }
  if (format === 'json') json(record)
  else out(value)
  return 0
}

export async function runPut(args: string[]): Promise<number> {
  const { values: v, positionals } = parse(args)
  const format = formatOf(v.output)
  const name = needName(positionals, 'put')
  const given = positionals[1]
  const value = v.file !== undefined ? fs.readFileSync(v.file, 'utf8') : given === undefined || given === '-' ? readStdin() : given
  const { rest } = connect(v)
  let result: Record<string, unknown>
  if (isParameter(name, v)) {
    const body: Record<string, unknown> = { value, type: v.type ?? 'SecureString' }
    if (v.key) body.keyId = v.key
    if (v.description) body.description = v.description
    result = await rest.request('PUT', parameterUrl(name), body)
    if (format === 'human') out(`${name}: version ${result.version}`)
  } else {
    try {
      result = await rest.request('PUT', secretUrl(name), { value })
    } catch (e) {
      if (!(isArcaError(e) && e.code === 'NotFound')) throw e
      result = await rest.request('POST', '/v1/secrets', { name, value, ...(v.key ? { kmsKeyId: v.key } : {}), ...(v.description ? { description: v.description } : {}) })
    }
    if (format === 'human') out(`${name}: version ${result.versionId}`)
  }
  if (format === 'json') json(result)
  return 0
}

export async function runLs(args: string[]): Promise<number> {
  const { values: v, positionals } = parse(args)
  const format = formatOf(v.output)
  const path = positionals[0] ?? '/'
  const { rest } = connect(v)
  if (v.secrets || !path.startsWith('/')) {
    const list: Record<string, unknown>[] = []
    let cursor: string | undefined
    do {
      const page = await rest.request<{ secrets: Record<string, unknown>[]; cursor?: string }>('GET', '/v1/secrets', undefined, { prefix: path === '/' ? undefined : path, cursor })
      list.push(...page.secrets)
      cursor = page.cursor
    } while (cursor)
    if (format === 'json') json({ secrets: list })
    else table(list.map((s) => [String(s.name), when(s.lastChangedDate as string | undefined), String(s.description ?? '')]), list.length ? ['NAME', 'CHANGED', 'DESCRIPTION'] : undefined)
    return 0
  }
  const url = path === '/' ? '/v1/parameters/' : parameterUrl(path.replace(/\/+$/, '')) + '/'
  const list: Omit<ParameterValue, 'value'>[] = []
  let cursor: string | undefined
  do {
    const page = await rest.request<{ parameters: ParameterValue[]; nextCursor?: string }>('GET', url, undefined, { recursive: String(v.recursive === true), cursor })
    // Values are never listed, encrypted or not.
    for (const { value: _value, ...meta } of page.parameters) list.push(meta)
    cursor = page.nextCursor
  } while (cursor)
  if (format === 'json') json({ parameters: list })
  else table(list.map((p) => [p.name, p.type, String(p.version), when(p.lastModifiedDate)]), list.length ? ['NAME', 'TYPE', 'VERSION', 'MODIFIED'] : undefined)
  return 0
}

export async function runHistory(args: string[]): Promise<number> {
  const { values: v, positionals } = parse(args)
  const format = formatOf(v.output)
  const name = needName(positionals, 'history')
  const { rest } = connect(v)
  if (isParameter(name, v)) {
    const versions: Record<string, unknown>[] = []
    let cursor: string | undefined
    do {
      const page = await rest.request<{ versions: Record<string, unknown>[]; nextCursor?: string }>('GET', `${parameterUrl(name)}/history`, undefined, { cursor }).catch(notFound(`parameter ${name}`))
      for (const { value: _value, ...meta } of page.versions) versions.push(meta)
      cursor = page.nextCursor
    } while (cursor)
    if (format === 'json') json({ name, versions })
    else table(versions.map((h) => [String(h.version), when(h.lastModifiedDate as string), String(h.lastModifiedUser ?? '-'), ((h.labels as string[]) ?? []).join(',')]), ['VERSION', 'MODIFIED', 'BY', 'LABELS'])
    return 0
  }
  const page = await rest.request<{ versions: Record<string, unknown>[] }>('GET', `${secretUrl(name)}/versions`, undefined, { includeDeprecated: 'true' }).catch(notFound(`secret ${name}`))
  if (format === 'json') json({ name, versions: page.versions })
  else table(page.versions.map((h) => [String(h.versionId), when(h.createdDate as string), ((h.versionStages as string[]) ?? []).join(',')]), ['VERSION', 'CREATED', 'STAGES'])
  return 0
}

export async function runRm(args: string[]): Promise<number> {
  const { values: v, positionals } = parse(args)
  const format = formatOf(v.output)
  const name = needName(positionals, 'rm')
  const { rest } = connect(v)
  if (isParameter(name, v)) {
    await rest.request('DELETE', parameterUrl(name)).catch(notFound(`parameter ${name}`))
    if (format === 'json') json({ name, deleted: true })
    else out(`deleted ${name}`)
    return 0
  }
  const r = await rest
    .request<{ deletionDate?: string }>('DELETE', secretUrl(name), undefined, { force: v.force ? 'true' : undefined, recoveryDays: v['recovery-days'] })
    .catch(notFound(`secret ${name}`))
  if (format === 'json') json(r)
  else out(v.force ? `deleted ${name}` : `${name} will be deleted at ${when(r.deletionDate)} (until then it can be restored)`)
  return 0
}
