import fs from 'node:fs'
import mysql from 'mysql2/promise'
import { checkRotationStep, finishRotation, generatePendingSecret } from '../../src/services/rotation/contract.ts'
import type { RotationConfig, RotationContext, RotationEvent } from '../../src/services/rotation/contract.ts'

/**
 * mysql-alternating-users: AWS's "MySQL alternating users" rotation for MySQL and MariaDB. The
 * secret is JSON {engine, host, port, username, password, dbname, masterarn}; `masterarn` names a
 * secret whose user may create users and grant. Each rotation switches between `user` and
 * `user_clone`: the clone is created on the same hosts as the current user and given the same
 * grants (SHOW GRANTS, re-issued to the clone); the user that was current keeps its password
 * until the rotation after next. Values and account names are bound as parameters (mysql2
 * escaping on a session without NO_BACKSLASH_ESCAPES).
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

const CLONE_SUFFIX = '_clone'
// `GRANT … TO 'user'@'host' [IDENTIFIED BY PASSWORD '…'] [WITH GRANT OPTION]` as SHOW GRANTS prints it.
const GRANT = /^(GRANT .+? TO )(?:`[^`]*`|'[^']*')@(?:`[^`]*`|'[^']*')(?: IDENTIFIED BY PASSWORD '[^']*')?(.*)$/s

async function copyGrants(conn: mysql.Connection, from: string, to: string, host: string): Promise<void> {
  const [rows] = await conn.query('SHOW GRANTS FOR ?@?', [from, host])
  for (const row of rows as Record<string, string>[]) {
    const line = Object.values(row)[0]!
    const m = GRANT.exec(line)
    if (!m || /^GRANT USAGE ON \*\.\* TO /.test(line)) continue
    // The grant text comes from the server itself; only the grantee changes (bound as values).
    await conn.query(`${m[1]}?@?${m[2]}`, [to, host])
  }
}

export async function handler(event: RotationEvent, context: RotationContext): Promise<void> {
  if (!(await checkRotationStep(event, context))) return
  const config = context.config
  switch (event.Step) {
    case 'createSecret':
      return generatePendingSecret(event, context, async (current) => {
        const secret = parse(current, 'AWSCURRENT')
        if (!secret.masterarn) throw new Error("createSecret: the secret has no 'masterarn' (the admin secret that creates the clone user)")
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
      const conn = await connect({ ...master, dbname: undefined }, config)
      if (!conn) throw new Error(`setSecret: unable to log into the database as the master user ${master.username}`)
      try {
        const [hostRows] = await conn.query('SELECT Host AS host FROM mysql.user WHERE User = ?', [current.username])
        const hosts = (hostRows as { host: string }[]).map((r) => r.host)
        if (hosts.length === 0) throw new Error(`setSecret: the current user ${current.username} does not exist`)
        for (const host of hosts) {
          const [exists] = await conn.query('SELECT 1 AS x FROM mysql.user WHERE User = ? AND Host = ?', [pending.username, host])
          if ((exists as unknown[]).length === 0) {
            await conn.query('CREATE USER ?@? IDENTIFIED BY ?', [pending.username, host, pending.password])
            await copyGrants(conn, current.username, pending.username, host)
            context.logger.info('setSecret: created the user with the grants of the current one', { username: pending.username, host })
          } else {
            await conn.query('ALTER USER ?@? IDENTIFIED BY ?', [pending.username, host, pending.password])
            context.logger.info('setSecret: password changed', { username: pending.username, host })
          }
        }
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
