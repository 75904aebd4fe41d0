import fs from 'node:fs'
import { parseArgs } from 'node:util'
import { ArcaError } from '../core/index.ts'
import { RestClient, resolveAuth } from '../client/index.ts'
import { print } from './admin.ts'
import { endpointOf } from './connect.ts'

export const EXPIRING_USAGE = `  expiring [--within 30d] [--type secret|parameter|key] [--all]  what expires or goes stale soon
  secrets policies get|delete NAME | set NAME --file POLICIES.json   expiry policies of a secret`

interface ExpiringItem {
  type: string
  name: string
  arn: string
  due: string
  dueAt: string
  action: string
}

/** `arca expiring`: one view of what is about to expire, go stale or be deleted. */
export async function runExpiring(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { endpoint: { type: 'string' }, profile: { type: 'string' }, output: { type: 'string' }, within: { type: 'string' }, type: { type: 'string' }, all: { type: 'boolean' } },
  })
  const client = new RestClient({ endpoint: endpointOf(values), auth: resolveAuth({ profile: values.profile }) })
  const items: ExpiringItem[] = []
  let nextToken: string | undefined
  do {
    const page = await client.request<{ items: ExpiringItem[]; nextToken?: string }>('GET', '/v1/expiring', undefined, { within: values.within ?? '30d', type: values.type, nextToken })
    items.push(...page.items)
    nextToken = values.all || !values.output ? page.nextToken : undefined
  } while (nextToken)
  if (values.output === 'json') {
    print({ items }, 'json')
    return 0
  }
  if (items.length === 0) {
    process.stdout.write(`nothing expires or goes stale within ${values.within ?? '30d'}\n`)
    return 0
  }
  const rows = items.map((i) => [i.dueAt, i.type, i.name, i.due, i.action])
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c].length), ['DUE', 'TYPE', 'NAME', 'POLICY'][c].length))
  const line = (r: string[]) => r.map((v, i) => (i < 4 ? v.padEnd(widths[i]) : v)).join('  ')
  process.stdout.write([line(['DUE', 'TYPE', 'NAME', 'POLICY', 'ACTION']), ...rows.map(line)].join('\n') + '\n')
  return 0
}

/** `arca secrets policies …`: the expiry policies of one secret. */
export async function runSecretPolicies(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { endpoint: { type: 'string' }, profile: { type: 'string' }, output: { type: 'string' }, file: { type: 'string' } },
  })
  const [action, name] = positionals
  if (!name) throw new ArcaError('Validation', `usage:\n${EXPIRING_USAGE}`)
  const client = new RestClient({ endpoint: endpointOf(values), auth: resolveAuth({ profile: values.profile }) })
  const path = `/v1/secrets/${encodeURIComponent(name)}/policies`
  if (action === 'get') print(await client.request('GET', path), values.output)
  else if (action === 'delete') await client.request('DELETE', path)
  else if (action === 'set') {
    if (!values.file) throw new ArcaError('Validation', 'secrets policies set needs --file POLICIES.json')
    print(await client.request('PUT', path, fs.readFileSync(values.file, 'utf8')), values.output)
  } else throw new ArcaError('Validation', `unknown secrets policies command '${action ?? ''}' (get, set, delete)`)
  return 0
}
