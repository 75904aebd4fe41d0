/**
 * MariaDB/MySQL for the rotation tests: the server at ARCA_TEST_MYSQL_URL (default
 * mysql://root@127.0.0.1:3306, empty password). Each test gets its own database and users with
 * real passwords, dropped afterwards.
 */
import mysql from 'mysql2/promise'
import { randomString } from '../../src/core/index.ts'

export const testMysqlUrl = process.env.ARCA_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306'

export interface MysqlServer {
  host: string
  port: number
  /** The admin connection (root by default). */
  admin: mysql.Connection
  /** Does `user`/`password` log in? (false when access is denied; throws on anything else) */
  canLogin(user: string, password: string, database?: string): Promise<boolean>
  /** A fresh name with the given prefix (databases and users of one test). */
  name(prefix: string): string
  close(): Promise<void>
}

/** Undefined (with why) when no server answers. */
export async function connectMysql(): Promise<MysqlServer | { unavailable: string }> {
  const url = new URL(testMysqlUrl)
  const host = url.hostname
  const port = Number(url.port || 3306)
  let admin: mysql.Connection
  try {
    admin = await mysql.createConnection({ host, port, user: decodeURIComponent(url.username || 'root'), password: decodeURIComponent(url.password), connectTimeout: 3000 })
  } catch (e) {
    return { unavailable: `no MySQL/MariaDB at ${host}:${port} (${(e as Error).message})` }
  }
  return {
    host,
    port,
    admin,
    async canLogin(user, password, database) {
      try {
        const c = await mysql.createConnection({ host, port, user, password, ...(database ? { database } : {}), connectTimeout: 3000 })
        await c.query('SELECT 1')
        await c.end()
        return true
      } catch (e) {
        if ((e as { code?: string }).code === 'ER_ACCESS_DENIED_ERROR') return false
        throw e
      }
    },
    name: (prefix) => `${prefix}_${randomString(8, 'abcdefghijklmnopqrstuvwxyz0123456789')}`,
    close: () => admin.end(),
  }
}
