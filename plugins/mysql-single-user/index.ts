import fs from 'node:fs'
import mysql from 'mysql2/promise'
import { checkRotationStep, finishRotation, generatePendingSecret } from '../../src/services/rotation/contract.ts'
import type { RotationConfig, RotationContext, RotationEvent } from '../../src/services/rotation/contract.ts'

/**
 * mysql-single-user: AWS's "MySQL single user" rotation for MySQL and MariaDB. The secret is JSON
 * {engine, host, port, username, password, dbname}; the user changes its own password
 * (MariaDB: SET PASSWORD = PASSWORD(?); MySQL: ALTER USER CURRENT_USER() IDENTIFIED BY ?), which
 * needs no privilege. Values are bound as parameters and escaped by mysql2, on a session
 * without NO_BACKSLASH_ESCAPES so that its escaping is exact for any character.
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

function tls(secret: DbSecret, config: RotationConfig): mysql.ConnectionOptions['ssl'] {
  const mode = String(secret.ssl === true ? 'require' : typeof secret.ssl === 'string' ? secret.ssl : config.tls)
  if (mode === 'disable' || mode === 'false' || mode === '') return undefined
  const ca = config.caFile ? fs.readFileSync(String(config.caFile), 'utf8') : undefined
  return mode === 'verify-full' ? { rejectUnauthorized: true, ...(ca ? { ca } : {}) } : { rejectUnauthorized: false }
}

async function connect(secret: DbSecret, config: RotationConfig): Promise<mysql.Connection | undefined> {
  const ssl = tls(secret, config)
  try {
    const conn = await mysql.createConnection({
      host: secret.host,
      port: Number(secret.port ?? 3306),
      user: secret.username,
      password: secret.password,
      ...(secret.dbname ? { database: secret.dbname } : {}),
      ...(ssl ? { ssl } : {}),
      connectTimeout: Number(config.connectTimeoutMs),
    })
    // mysql2 escapes with backslashes; make the session read them that way.
    await conn.query("SET SESSION sql_mode = REPLACE(@@SESSION.sql_mode, 'NO_BACKSLASH_ESCAPES', '')")
    return conn
  } catch (e) {
    if ((e as { code?: string }).code === 'ER_ACCESS_DENIED_ERROR') return undefined
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
        const [rows] = await conn.query('SELECT VERSION() AS v')
        const mariadb = /mariadb/i.test(String((rows as { v: string }[])[0]?.v))
        await conn.query(mariadb ? 'SET PASSWORD = PASSWORD(?)' : 'ALTER USER CURRENT_USER() IDENTIFIED BY ?', [pending.password])
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
        await conn.query('SELECT NOW()')
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
