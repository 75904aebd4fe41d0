import fs from 'node:fs'
import pg from 'pg'
import { checkRotationStep, finishRotation, generatePendingSecret } from '../../src/services/rotation/contract.ts'
import type { RotationConfig, RotationContext, RotationEvent } from '../../src/services/rotation/contract.ts'

/**
 * postgres-single-user: AWS's "PostgreSQL single user" rotation, ported from the AWS template.
 * The secret is JSON in AWS's shape {engine, host, port, username, password, dbname}; the user
 * changes its own password (ALTER USER … WITH PASSWORD), so no superuser secret is needed. The
 * password is sent as a literal quoted with pg's escapeLiteral and the name with escapeIdentifier,
 * so any character works. Clients see a short window in which the old password is refused and
 * the new one is not yet AWSCURRENT; use postgres-alternating-users where that matters.
 */
interface DbSecret {
  engine?: string
  host: string
  port?: number | string
  username: string
  password: string
  dbname?: string
  ssl?: boolean | string
}

function parse(value: string | undefined, what: string): DbSecret {
  let s: Partial<DbSecret>
  try {
    s = JSON.parse(value ?? '') as Partial<DbSecret>
  } catch {
    throw new Error(`the ${what} secret value is not JSON`)
  }
  for (const k of ['host', 'username', 'password'] as const) if (typeof s[k] !== 'string' || s[k] === '') throw new Error(`the ${what} secret has no '${k}'`)
  return s as DbSecret
}

function tls(secret: DbSecret, config: RotationConfig): pg.ClientConfig['ssl'] {
  const mode = String(secret.ssl === true ? 'require' : typeof secret.ssl === 'string' ? secret.ssl : config.tls)
  if (mode === 'disable' || mode === 'false' || mode === '') return false
  const ca = config.caFile ? fs.readFileSync(String(config.caFile), 'utf8') : undefined
  return mode === 'verify-full' ? { rejectUnauthorized: true, ...(ca ? { ca } : {}) } : { rejectUnauthorized: false }
}

async function connect(secret: DbSecret, config: RotationConfig): Promise<pg.Client | undefined> {
  const client = new pg.Client({
    host: secret.host,
    port: Number(secret.port ?? 5432),
    user: secret.username,
    password: secret.password,
    database: secret.dbname ?? 'postgres',
    ssl: tls(secret, config),
    connectionTimeoutMillis: Number(config.connectTimeoutMs),
  })
  client.on('error', () => {})
  try {
    await client.connect()
    return client
  } catch (e) {
    await client.end().catch(() => {})
    // 28P01 invalid_password, 28000 invalid_authorization_specification: try the next candidate.
    if ((e as { code?: string }).code === '28P01' || (e as { code?: string }).code === '28000') return undefined
    throw e
  }
}

async function value(context: RotationContext, event: RotationEvent, stage: string, versionId?: string): Promise<DbSecret | undefined> {
  try {
    const v = await context.secrets.getSecretValue({ SecretId: event.SecretId, VersionStage: stage, ...(versionId ? { VersionId: versionId } : {}) })
    return parse(v.SecretString, stage)
  } catch (e) {
    if ((e as Error).name === 'ResourceNotFoundException') return undefined
    throw e
  }
}

export async function handler(event: RotationEvent, context: RotationContext): Promise<void> {
  if (!(await checkRotationStep(event, context))) return
  const config = context.config
  switch (event.Step) {
    case 'createSecret':
      return generatePendingSecret(event, context, async (current) => {
        const secret = parse(current, 'AWSCURRENT')
        const { RandomPassword } = await context.secrets.getRandomPassword({ PasswordLength: Number(config.passwordLength), ExcludeCharacters: String(config.excludeCharacters) })
        return JSON.stringify({ ...secret, password: RandomPassword })
      })
    case 'setSecret': {
      const pending = (await value(context, event, 'AWSPENDING', event.ClientRequestToken))!
      const already = await connect(pending, config)
      if (already) {
        await already.end()
        context.logger.info('setSecret: the pending password already works')
        return
      }
      const current = (await value(context, event, 'AWSCURRENT'))!
      if (current.username !== pending.username || current.host !== pending.host)
        throw new Error('setSecret: the pending secret names another user or host than the current one')
      let conn = await connect(current, config)
      if (!conn) {
        const previous = await value(context, event, 'AWSPREVIOUS')
        if (previous) conn = await connect({ ...previous, username: current.username, host: current.host }, config)
      }
      if (!conn) throw new Error(`setSecret: unable to log into the database as ${current.username} with the previous, current or pending password`)
      try {
        await conn.query(`ALTER USER ${conn.escapeIdentifier(pending.username)} WITH PASSWORD ${conn.escapeLiteral(pending.password)}`)
      } finally {
        await conn.end()
      }
      context.logger.info('setSecret: password changed', { username: pending.username })
      return
    }
    case 'testSecret': {
      const pending = (await value(context, event, 'AWSPENDING', event.ClientRequestToken))!
      const conn = await connect(pending, config)
      if (!conn) throw new Error(`testSecret: unable to log into the database as ${pending.username} with the pending password`)
      try {
        await conn.query('SELECT now()')
      } finally {
        await conn.end()
      }
      return
    }
    case 'finishSecret':
      return finishRotation(event, context)
    default:
      throw new Error(`unknown step ${String(event.Step)}`)
  }
}
