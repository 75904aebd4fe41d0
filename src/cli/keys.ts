import { parseArgs } from 'node:util'
import { ArcaError } from '../core/index.ts'
import { awsJson } from '../client/index.ts'
import { CONNECT_OPTIONS, type Connection, connect } from './connect.ts'
import { formatOf, json, out, table, when } from './output.ts'

export const KEYS_USAGE = `  keys list                      KMS keys and their aliases
  keys create [--description D] [--alias alias/NAME] [--spec SYMMETRIC_DEFAULT|RSA_2048|…] [--usage ENCRYPT_DECRYPT|SIGN_VERIFY|…]
  keys describe KEY              a key's metadata (KEY: id, ARN or alias/name)
  keys rotate KEY                rotate a key's material now (RotateKeyOnDemand)
  keys enable-rotation KEY [--period-days N]  |  keys schedule-deletion KEY [--days 7..30]`

const OPTIONS = {
  ...CONNECT_OPTIONS,
  description: { type: 'string' },
  alias: { type: 'string' },
  spec: { type: 'string' },
  usage: { type: 'string' },
  'period-days': { type: 'string' },
  days: { type: 'string' },
} as const

type Kms = <T = Record<string, unknown>>(op: string, input: Record<string, unknown>) => Promise<T>

function kmsOf(c: Connection): Kms {
  return (op, input) => awsJson(c, 'kms', op, input)
}

async function all<T>(kms: Kms, op: string, field: string, input: Record<string, unknown> = {}): Promise<T[]> {
  const items: T[] = []
  let marker: string | undefined
  do {
    const page = await kms<Record<string, unknown>>(op, { ...input, ...(marker ? { Marker: marker } : {}) })
    items.push(...((page[field] as T[]) ?? []))
    marker = page.Truncated ? (page.NextMarker as string) : undefined
  } while (marker)
  return items
}

const epoch = (s: unknown) => (typeof s === 'number' ? new Date(s * 1000).toISOString() : undefined)

/** `arca keys …`: KMS keys through the AWS face (SigV4 credentials needed). */
export async function runKeys(args: string[]): Promise<number> {
  const { values: v, positionals } = parseArgs({ args, allowPositionals: true, options: OPTIONS })
  const format = formatOf(v.output)
  const [action, key] = positionals
  const needKey = () => {
    if (!key) throw new ArcaError('Validation', `keys ${action} needs a KEY (id, ARN or alias/name)`)
    return key
  }
  if (!['list', 'create', 'describe', 'rotate', 'enable-rotation', 'schedule-deletion'].includes(action ?? ''))
    throw new ArcaError('Validation', `unknown keys command '${positionals.join(' ')}'\n${KEYS_USAGE}`)
  const kms = kmsOf(connect(v))
  switch (action) {
    case 'list': {
      const [keys, aliases] = await Promise.all([all<{ KeyId: string; KeyArn: string }>(kms, 'ListKeys', 'Keys'), all<{ AliasName: string; TargetKeyId?: string }>(kms, 'ListAliases', 'Aliases')])
      const names = (id: string) => aliases.filter((a) => a.TargetKeyId === id).map((a) => a.AliasName)
      if (format === 'json') json({ keys: keys.map((k) => ({ keyId: k.KeyId, arn: k.KeyArn, aliases: names(k.KeyId) })) })
      else table(keys.map((k) => [k.KeyId, names(k.KeyId).join(', ')]), keys.length ? ['KEY', 'ALIASES'] : undefined)
      return 0
    }
    case 'create': {
      const input: Record<string, unknown> = {}
      if (v.description) input.Description = v.description
      if (v.spec) input.KeySpec = v.spec
      if (v.usage) input.KeyUsage = v.usage
      const { KeyMetadata: m } = await kms<{ KeyMetadata: Record<string, unknown> }>('CreateKey', input)
      if (v.alias) await kms('CreateAlias', { AliasName: v.alias.startsWith('alias/') ? v.alias : `alias/${v.alias}`, TargetKeyId: m.KeyId })
      if (format === 'json') json({ ...m, ...(v.alias ? { Alias: v.alias } : {}) })
      else out(`created ${m.KeyId}${v.alias ? ` (${v.alias})` : ''}: ${m.KeySpec}, ${m.KeyUsage}`)
      return 0
    }
    case 'describe': {
      const { KeyMetadata: m } = await kms<{ KeyMetadata: Record<string, unknown> }>('DescribeKey', { KeyId: needKey() })
      if (format === 'json') json(m)
      else
        table([
          ['KeyId', String(m.KeyId)],
          ['Arn', String(m.Arn)],
          ['State', String(m.KeyState)],
          ['Spec', String(m.KeySpec)],
          ['Usage', String(m.KeyUsage)],
          ['Created', when(epoch(m.CreationDate))],
          ['Description', String(m.Description ?? '')],
        ])
      return 0
    }
    case 'rotate': {
      const r = await kms('RotateKeyOnDemand', { KeyId: needKey() })
      if (format === 'json') json(r)
      else out(`rotation of ${r.KeyId ?? key} started; new data is encrypted under the new material, old ciphertexts still decrypt`)
      return 0
    }
    case 'enable-rotation': {
      await kms('EnableKeyRotation', { KeyId: needKey(), ...(v['period-days'] ? { RotationPeriodInDays: Number(v['period-days']) } : {}) })
      if (format === 'json') json({ keyId: key, rotationEnabled: true })
      else out(`automatic rotation enabled for ${key}`)
      return 0
    }
    default: {
      const r = await kms('ScheduleKeyDeletion', { KeyId: needKey(), ...(v.days ? { PendingWindowInDays: Number(v.days) } : {}) })
      if (format === 'json') json(r)
      else out(`${key} will be deleted at ${when(epoch(r.DeletionDate))} (cancel with aws kms cancel-key-deletion)`)
      return 0
    }
  }
}
