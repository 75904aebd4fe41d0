/**
 * A throwaway PostgreSQL cluster with `scram-sha-256` authentication, for the rotation tests
 * (the machine's own 5432 trusts every login and would prove nothing about passwords). initdb
 * runs as the `postgres` OS user when the tests run as root; the cluster listens on 127.0.0.1
 * at a free port with its socket in its own directory, and is stopped and removed afterwards.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { randomString } from '../../src/core/index.ts'

export interface PgCluster {
  host: string
  port: number
  superuser: string
  superPassword: string
  /** A client as `user` (the superuser by default); connect() is the caller's. */
  client(user?: string, password?: string, database?: string): pg.Client
  /** Does `user`/`password` log in? (false on a refused password; throws on anything else) */
  canLogin(user: string, password: string, database?: string): Promise<boolean>
  /** pg_ctl stop -m fast / start: the database goes down and comes back on the same port. */
  stop(): Promise<void>
  start(): Promise<void>
  dispose(): Promise<void>
}

/** The directory holding initdb and pg_ctl, or undefined (newest of /usr/lib/postgresql/*, then PATH). */
export function postgresBinaries(): string | undefined {
  const base = '/usr/lib/postgresql'
  if (fs.existsSync(base)) {
    const versions = fs
      .readdirSync(base)
      .filter((v) => fs.existsSync(path.join(base, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a))
    if (versions[0]) return path.join(base, versions[0], 'bin')
  }
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'pg_ctl'))) return dir
  return undefined
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port
      srv.close(() => resolve(port))
    })
  })
}

export async function startPgCluster(): Promise<PgCluster> {
  const bin = postgresBinaries()
  if (!bin) throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found')
  const asRoot = process.getuid?.() === 0
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arca-pg-'))
  const data = path.join(dir, 'data')
  const superPassword = randomString(24, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')
  const pwfile = path.join(dir, 'pw')
  fs.writeFileSync(pwfile, superPassword + '\n', { mode: 0o600 })
  if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', dir])
  const run = (cmd: string, args: string[]) =>
    asRoot ? execFileSync('runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args], { stdio: 'pipe', cwd: dir }) : execFileSync(path.join(bin, cmd), args, { stdio: 'pipe', cwd: dir })
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '--no-sync', '-E', 'UTF8', '--locale=C'])
  fs.rmSync(pwfile)
  const port = await freePort()
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`
  const start = async () => {
    run('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'log'), '-w', '-t', '60', 'start'])
  }
  const stop = async () => {
    run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop'])
  }
  await start()
  const client = (user = 'postgres', password = superPassword, database = 'postgres') => {
    const c = new pg.Client({ host: '127.0.0.1', port, user, password, database, connectionTimeoutMillis: 5000 })
    c.on('error', () => {})
    return c
  }
  let stopped = false
  return {
    host: '127.0.0.1',
    port,
    superuser: 'postgres',
    superPassword,
    client,
    async canLogin(user, password, database = 'postgres') {
      const c = client(user, password, database)
      try {
        await c.connect()
        await c.query('SELECT 1')
        return true
      } catch (e) {
        if ((e as { code?: string }).code === '28P01') return false
        throw e
      } finally {
        await c.end().catch(() => {})
      }
    },
    async stop() {
      await stop()
      stopped = true
    },
    async start() {
      await start()
      stopped = false
    },
    async dispose() {
      if (!stopped) await stop().catch(() => {})
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}
