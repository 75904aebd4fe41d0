import fs from 'node:fs'
import path from 'node:path'
import { createInterface } from 'node:readline/promises'
import { parseArgs } from 'node:util'
import { ArcaError } from '../core/index.ts'
import { credentialsFile } from './connect.ts'
import { formatOf, json, out } from './output.ts'

export const CONFIGURE_USAGE = `  configure [--profile NAME] [--access-key-id ID] [--secret-access-key KEY] [--region R] [--endpoint URL]
                                 save a profile in ~/.aws/credentials (or AWS_SHARED_CREDENTIALS_FILE),
                                 mode 0600; asks for what is not given (one line each on stdin)`

const FIELDS = [
  ['access-key-id', 'aws_access_key_id', 'Access key id'],
  ['secret-access-key', 'aws_secret_access_key', 'Secret access key'],
  ['region', 'region', 'Region [us-east-1]'],
  ['endpoint', 'arca_endpoint', 'Arca endpoint [http://127.0.0.1:8321]'],
] as const

/** Sets `values` in the `[profile]` section of INI text, keeping every other line as it was. */
export function setProfile(text: string, profile: string, values: Record<string, string>): string {
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n')
  const header = (l: string) => /^\s*\[([^\]]+)\]\s*$/.exec(l)?.[1].trim().replace(/^profile\s+/, '')
  const start = lines.findIndex((l) => header(l) === profile)
  if (start < 0) {
    if (lines.length && lines[lines.length - 1].trim() !== '') lines.push('')
    lines.push(`[${profile}]`, ...Object.entries(values).map(([k, v]) => `${k} = ${v}`))
    return lines.join('\n') + '\n'
  }
  let end = lines.findIndex((l, i) => i > start && header(l) !== undefined)
  if (end < 0) end = lines.length
  const todo = new Map(Object.entries(values))
  for (let i = start + 1; i < end; i++) {
    const key = /^\s*([^=#;\s]+)\s*=/.exec(lines[i])?.[1]
    if (key && todo.has(key)) {
      lines[i] = `${key} = ${todo.get(key)}`
      todo.delete(key)
    }
  }
  let at = end
  while (at > start + 1 && lines[at - 1].trim() === '') at--
  lines.splice(at, 0, ...[...todo].map(([k, v]) => `${k} = ${v}`))
  return lines.join('\n') + '\n'
}

async function ask(missing: (typeof FIELDS)[number][]): Promise<string[]> {
  if (missing.length === 0) return []
  if (!process.stdin.isTTY) {
    const lines = fs.readFileSync(0, 'utf8').split(/\r?\n/)
    return missing.map((_, i) => (lines[i] ?? '').trim())
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr })
  try {
    const answers: string[] = []
    for (const [, , prompt] of missing) answers.push((await rl.question(`${prompt}: `)).trim())
    return answers
  } finally {
    rl.close()
  }
}

/** `arca configure`: writes a profile the CLI, the client library and the AWS tools read. */
export async function runConfigure(args: string[]): Promise<number> {
  const { values: v } = parseArgs({
    args,
    options: { profile: { type: 'string' }, 'access-key-id': { type: 'string' }, 'secret-access-key': { type: 'string' }, region: { type: 'string' }, endpoint: { type: 'string' }, output: { type: 'string', short: 'o' } },
  })
  const format = formatOf(v.output)
  const profile = v.profile ?? process.env.AWS_PROFILE ?? 'default'
  if (!/^[A-Za-z0-9_.@-]+$/.test(profile)) throw new ArcaError('Validation', `profile names are letters, digits and _ . @ - (got '${profile}')`)
  const missing = FIELDS.filter(([flag]) => v[flag] === undefined)
  const answers = await ask(missing)
  const given: Record<string, string> = {}
  for (const [flag, key] of FIELDS) {
    const i = missing.findIndex(([f]) => f === flag)
    const value = i < 0 ? v[flag]! : answers[i]
    if (value) given[key] = value
  }
  for (const k of ['aws_access_key_id', 'aws_secret_access_key']) if (!given[k]) throw new ArcaError('Validation', `${k} is required (--${k === 'aws_access_key_id' ? 'access-key-id' : 'secret-access-key'})`)
  if (given.arca_endpoint && !/^https?:\/\/[^\s]+$/.test(given.arca_endpoint)) throw new ArcaError('Validation', `the endpoint must be an http:// or https:// URL (got '${given.arca_endpoint}')`)
  const file = credentialsFile()
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
  const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : ''
  const tmp = `${file}.${process.pid}.tmp`
  fs.writeFileSync(tmp, setProfile(before, profile, given), { mode: 0o600 })
  fs.chmodSync(tmp, 0o600)
  fs.renameSync(tmp, file)
  if (format === 'json') json({ profile, file, accessKeyId: given.aws_access_key_id, region: given.region, endpoint: given.arca_endpoint })
  else out(`saved profile '${profile}' in ${file} (mode 0600); use it with --profile ${profile}${profile === 'default' ? ' or nothing' : ` or AWS_PROFILE=${profile}`}`)
  return 0
}
