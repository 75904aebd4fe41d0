import fs from 'node:fs'
import pg from 'pg'
import { checkRotationStep, finishRotation, generatePendingSecret } from '../../src/services/rotation/contract.ts'
import type { RotationConfig, RotationContext, RotationEvent } from '../../src/services/rotation/contract.ts'

/**
 * postgres-alternating-users: AWS's "PostgreSQL alternating users" rotation. The secret is JSON
 * {engine, host, port, username, password, dbname, masterarn}; `masterarn` names a secret whose
 * user may create roles. Each rotation switches between `user` and `user_clone`: the clone is
 * created WITH LOGIN and made a member of the original role (GRANT user TO user_clone), so it
 * has the same privileges; the user that was current keeps its password until the rotation
 * after next, so connections opened with AWSPREVIOUS keep working meanwhile. Names and passwords
 * are quoted with pg's escapeIdentifier and escapeLiteral.
 */
interface DbSecret {
  engine?: string
  host: string
  port?: number | string
  username: string
  password: string
  dbname?: string
  ssl?: boolean | string
  masterarn?: string
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

const CLONE_SUFFIX = '_clone'

export async function handler(event: RotationEvent, context: RotationContext): Promise<void> {
  if (!(await checkRotationStep(event, context))) return
  const config = context.config
  switch (event.Step) {
    case 'createSecret':
      return generatePendingSecret(event, context, async (current) => {
        const secret = parse(current, 'AWSCURRENT')
        if (!secret.masterarn) throw new Error("createSecret: the secret has no 'masterarn' (the superuser secret that creates the clone user)")
        const username = secret.username.endsWith(CLONE_SUFFIX) ? secret.username.slice(0, -CLONE_SUFFIX.length) : secret.username + CLONE_SUFFIX
        const { RandomPassword } = await context.secrets.getRandomPassword({ PasswordLength: Number(config.passwordLength), ExcludeCharacters: String(config.excludeCharacters) })
        return JSON.stringify({ ...secret, username, password: RandomPassword })
      })
    case 'setSecret': {
      const pending = (await value(context, event, 'AWSPENDING', event.ClientRequestToken))!
      const already = await connect(pending, config)
      if (already) {
        await already.end()
        context.logger.info('setSecret: the pending user already logs in')
        return
      }
      const current = (await value(context, event, 'AWSCURRENT'))!
      if (!current.masterarn) throw new Error("setSecret: the secret has no 'masterarn'")
      const masterValue = await context.secrets.getSecretValue({ SecretId: current.masterarn })
      const master = parse(masterValue.SecretString, 'master')
      if (master.host !== pending.host) throw new Error('setSecret: the master secret is for another host than the pending secret')
      const conn = await connect({ ...master, dbname: master.dbname ?? current.dbname }, config)
      if (!conn) throw new Error(`setSecret: unable to log into the database as the master user ${master.username}`)
      try {
        const user = conn.escapeIdentifier(pending.username)
        const exists = await conn.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [pending.username])
        if (exists.rowCount === 0) {
          await conn.query('BEGIN')
          await conn.query(`CREATE ROLE ${user} WITH LOGIN PASSWORD ${conn.escapeLiteral(pending.password)}`)
          await conn.query(`GRANT ${conn.escapeIdentifier(current.username)} TO ${user}`)
          await conn.query('COMMIT')
          context.logger.info('setSecret: created the user with the grants of the current one', { username: pending.username })
        } else {
          await conn.query(`ALTER USER ${user} WITH PASSWORD ${conn.escapeLiteral(pending.password)}`)
          context.logger.info('setSecret: password changed', { username: pending.username })
        }
      } catch (e) {
        await conn.query('ROLLBACK').catch(() => {})
        throw e
      } finally {
        await conn.end()
      }
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
