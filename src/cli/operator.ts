import { parseArgs } from 'node:util'
import { createInterface } from 'node:readline/promises'
import { ArcaError, loadConfig } from '../core/index.ts'
import { initShamir } from '../kms/root/index.ts'
import { databaseUrl } from '../server.ts'
import { backupCommand, restoreCommand } from './backup.ts'
import { endpointOf } from './connect.ts'
import { metaStore, migrateToLatest, openDatabase } from '../store/index.ts'

/** `arca operator …`: the root of trust. */
export async function runOperator(args: string[]): Promise<number> {
  const [sub, ...rest] = args
  switch (sub) {
    case 'init':
      return init(rest)
    case 'unseal':
      return unseal(rest)
    case 'status':
      return status(rest)
    case 'backup':
      return backupCommand(rest)
    case 'restore':
      return restoreCommand(rest)
    default:
      throw new ArcaError('Validation', `unknown operator command '${sub ?? ''}' (init, unseal, status, backup, restore)`)
  }
}

async function init(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { shares: { type: 'string' }, threshold: { type: 'string' } } })
  const shares = Number(values.shares)
  const threshold = Number(values.threshold)
  if (!values.shares || !values.threshold || !Number.isInteger(shares) || !Number.isInteger(threshold))
    throw new ArcaError('Validation', 'operator init needs --shares N --threshold T (whole numbers)')
  const config = loadConfig()
  const db = await openDatabase({ url: databaseUrl(config), schema: config.databaseSchema })
  try {
    await migrateToLatest(db.db)
    const result = await initShamir(metaStore(db.db), { rootKey: config.rootKey, rootKeyFile: config.rootKeyFile, dataDir: config.dataDir, shares, threshold })
    if (result.notice) process.stderr.write(`arca: ${result.notice}\n`)
    process.stdout.write(`Arca now unseals with ${threshold} of these ${shares} shares. They are shown once and stored nowhere: give each to a different person.\n\n`)
    result.shares.forEach((s, i) => process.stdout.write(`share ${i + 1}: ${s}\n`))
    process.stdout.write(`\nThe server now starts sealed; unseal it with \`arca operator unseal\` ${threshold} times.\n`)
    return 0
  } finally {
    await db.close()
  }
}

async function unseal(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { endpoint: { type: 'string' } } })
  let share = positionals[0]
  if (!share) {
    const rl = createInterface({ input: process.stdin, output: process.stderr })
    share = (await rl.question('unseal share: ')).trim()
    rl.close()
  }
  const res = await fetch(`${endpointOf(values)}/v1/operator/unseal`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ share }),
  })
  const body = (await res.json()) as { sealed?: boolean; progress?: number; threshold?: number; detail?: string }
  if (!res.ok) throw new ArcaError('Validation', body.detail ?? `unseal failed with HTTP ${res.status}`)
  process.stdout.write(body.sealed ? `sealed: ${body.progress} of ${body.threshold} shares given\n` : 'unsealed\n')
  return 0
}

async function status(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { endpoint: { type: 'string' } } })
  const res = await fetch(`${endpointOf(values)}/v1/operator/seal-status`)
  process.stdout.write(JSON.stringify(await res.json()) + '\n')
  return 0
}
