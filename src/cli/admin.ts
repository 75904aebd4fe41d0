import fs from 'node:fs'
import { parseArgs } from 'node:util'
import { ArcaError } from '../core/index.ts'
import { RestClient, resolveAuth } from '../client/index.ts'
import { endpointOf } from './connect.ts'

export const ADMIN_USAGE = `  admin accounts create [--id ID] | accounts list
  admin users|roles create NAME [--account ID] [--tag k=v …]
  admin users|roles list | get NAME | delete NAME            [--account ID]
  admin access-keys create USER | delete USER KEY_ID         [--account ID]
  admin policies put USER NAME (--file F | --document JSON) | get USER NAME | delete USER NAME | list USER
  admin tokens create USER [--ttl SECONDS]
  admin explain --file REQUEST.json                          (which statement allows or denies)`

const OPTIONS = {
  endpoint: { type: 'string' },
  profile: { type: 'string' },
  output: { type: 'string' },
  account: { type: 'string' },
  id: { type: 'string' },
  tag: { type: 'string', multiple: true },
  file: { type: 'string' },
  document: { type: 'string' },
  ttl: { type: 'string' },
  role: { type: 'boolean' },
} as const

/** `arca admin …`: accounts, principals, access keys, policies and tokens through the REST API. */
export async function runAdmin(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: OPTIONS })
  const client = new RestClient({ endpoint: endpointOf(values), auth: resolveAuth({ profile: values.profile }) })
  const q = { account: values.account }
  const [group, action, a, b] = positionals
  const kind = values.role ? 'roles' : 'users'
  const need = (v: string | undefined, what: string) => {
    if (!v) throw new ArcaError('Validation', `missing ${what} (arca help)`)
    return encodeURIComponent(v)
  }
  let result: unknown
  // `explain` takes no sub-command: the switch key is then the group alone.
  switch (action === undefined ? group : `${group} ${action}`) {
    case 'accounts create':
      result = await client.request('POST', '/v1/admin/accounts', values.id ? { id: values.id } : {})
      break
    case 'accounts list':
      result = await client.request('GET', '/v1/admin/accounts')
      break
    case 'users create':
    case 'roles create':
      result = await client.request('POST', `/v1/admin/${group}`, { name: a, ...(values.account ? { account: values.account } : {}), ...(values.tag ? { tags: tags(values.tag) } : {}) })
      break
    case 'users list':
    case 'roles list':
      result = await client.request('GET', `/v1/admin/${group}`, undefined, q)
      break
    case 'users get':
    case 'roles get':
      result = await client.request('GET', `/v1/admin/${group}/${need(a, 'name')}`, undefined, q)
      break
    case 'users delete':
    case 'roles delete':
      result = await client.request('DELETE', `/v1/admin/${group}/${need(a, 'name')}`, undefined, q)
      break
    case 'access-keys create':
      result = await client.request('POST', `/v1/admin/${kind}/${need(a, 'user name')}/access-keys`, {}, q)
      break
    case 'access-keys delete':
      result = await client.request('DELETE', `/v1/admin/${kind}/${need(a, 'user name')}/access-keys/${need(b, 'access key id')}`, undefined, q)
      break
    case 'policies put': {
      const doc = values.file ? fs.readFileSync(values.file, 'utf8') : values.document
      if (!doc) throw new ArcaError('Validation', 'policies put needs --file F or --document JSON')
      result = await client.request('PUT', `/v1/admin/${kind}/${need(a, 'user name')}/policies/${need(b, 'policy name')}`, doc, q)
      break
    }
    case 'policies get':
      result = await client.request('GET', `/v1/admin/${kind}/${need(a, 'user name')}/policies/${need(b, 'policy name')}`, undefined, q)
      break
    case 'policies delete':
      result = await client.request('DELETE', `/v1/admin/${kind}/${need(a, 'user name')}/policies/${need(b, 'policy name')}`, undefined, q)
      break
    case 'policies list':
      result = await client.request('GET', `/v1/admin/${kind}/${need(a, 'user name')}/policies`, undefined, q)
      break
    case 'tokens create':
      result = await client.request('POST', `/v1/admin/${kind}/${need(a, 'user name')}/tokens`, values.ttl ? { ttlSeconds: Number(values.ttl) } : {}, q)
      break
    case 'explain': {
      if (!values.file) throw new ArcaError('Validation', 'explain needs --file REQUEST.json')
      result = await client.request('POST', '/v1/admin/explain', fs.readFileSync(values.file, 'utf8'), q)
      break
    }
    default:
      throw new ArcaError('Validation', `unknown admin command '${positionals.join(' ')}'\n${ADMIN_USAGE}`)
  }
  print(result, values.output)
  return 0
}

function tags(list: string[]): Record<string, string> {
  return Object.fromEntries(
    list.map((t) => {
      const eq = t.indexOf('=')
      if (eq < 1) throw new ArcaError('Validation', `--tag must be key=value, got '${t}'`)
      return [t.slice(0, eq), t.slice(eq + 1)]
    }),
  )
}

/** Human output by default (indented JSON reads well for these shapes); `--output json` is compact for scripts. */
export function print(result: unknown, output: string | undefined): void {
  if (result === undefined || result === null || result === '') return
  process.stdout.write((output === 'json' ? JSON.stringify(result) : JSON.stringify(result, null, 2)) + '\n')
}
