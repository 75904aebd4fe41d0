import { parseArgs } from 'node:util'
import { ArcaError } from '../core/index.ts'
import { RestClient, resolveAuth } from '../client/index.ts'
import { print } from './admin.ts'
import { endpointOf } from './connect.ts'

export const WEBHOOKS_USAGE = `  webhooks create --url URL [--source S …] [--detail-type T …] [--resource-prefix P] [--disabled]
                                 (prints the signing secret once)
  webhooks list | get ID | delete ID                                         [--account ID]
  webhooks update ID [--url URL] [--source S …] [--detail-type T …] [--resource-prefix P] [--enable | --disable]
  webhooks deliveries ID [--limit N] [--next-token T]                        (every attempt, newest first)`

const OPTIONS = {
  endpoint: { type: 'string' },
  profile: { type: 'string' },
  output: { type: 'string' },
  account: { type: 'string' },
  url: { type: 'string' },
  source: { type: 'string', multiple: true },
  'detail-type': { type: 'string', multiple: true },
  'resource-prefix': { type: 'string' },
  disabled: { type: 'boolean' },
  enable: { type: 'boolean' },
  disable: { type: 'boolean' },
  limit: { type: 'string' },
  'next-token': { type: 'string' },
} as const

type Values = ReturnType<typeof parse>['values']
const parse = (args: string[]) => parseArgs({ args, allowPositionals: true, options: OPTIONS })

/** The pattern from the flags; undefined when no pattern flag was given. */
function patternOf(values: Values): Record<string, unknown> | undefined {
  const pattern: Record<string, unknown> = {}
  if (values.source) pattern.source = values.source
  if (values['detail-type']) pattern.detailType = values['detail-type']
  if (values['resource-prefix'] !== undefined) pattern.resourcePrefix = values['resource-prefix']
  return Object.keys(pattern).length ? pattern : undefined
}

/** `arca webhooks …`: an account's webhook subscriptions through the REST API (administrators). */
export async function runWebhooks(args: string[]): Promise<number> {
  const { values, positionals } = parse(args)
  const client = new RestClient({ endpoint: endpointOf(values), auth: resolveAuth({ profile: values.profile }) })
  const q = { account: values.account }
  const [action, id] = positionals
  const need = () => {
    if (!id) throw new ArcaError('Validation', `webhooks ${action} needs a webhook ID`)
    return `/v1/webhooks/${encodeURIComponent(id)}`
  }
  let result: unknown
  switch (action) {
    case 'create': {
      if (!values.url) throw new ArcaError('Validation', 'webhooks create needs --url URL')
      const pattern = patternOf(values)
      result = await client.request('POST', '/v1/webhooks', { url: values.url, ...(pattern ? { pattern } : {}), ...(values.disabled ? { enabled: false } : {}) }, q)
      if (values.output !== 'json') process.stderr.write('arca: keep the signing secret below; it is shown only now (receivers verify arca-signature with it)\n')
      break
    }
    case 'list':
      result = await client.request('GET', '/v1/webhooks', undefined, q)
      break
    case 'get':
      result = await client.request('GET', need(), undefined, q)
      break
    case 'delete':
      result = await client.request('DELETE', need(), undefined, q)
      break
    case 'update': {
      if (values.enable && values.disable) throw new ArcaError('Validation', 'give --enable or --disable, not both')
      const body: Record<string, unknown> = {}
      if (values.url !== undefined) body.url = values.url
      const pattern = patternOf(values)
      if (pattern) body.pattern = pattern
      if (values.enable) body.enabled = true
      if (values.disable) body.enabled = false
      if (Object.keys(body).length === 0) throw new ArcaError('Validation', 'webhooks update needs --url, a pattern flag, --enable or --disable')
      result = await client.request('PATCH', need(), body, q)
      break
    }
    case 'deliveries':
      result = await client.request('GET', `${need()}/deliveries`, undefined, { ...q, limit: values.limit, nextToken: values['next-token'] })
      break
    default:
      throw new ArcaError('Validation', `unknown webhooks command '${positionals.join(' ')}'\n${WEBHOOKS_USAGE}`)
  }
  print(result, values.output)
  return 0
}
