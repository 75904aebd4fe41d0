import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { ManualClock, createLogger, loadConfig, randomString, silentLogger } from '../../src/core/index.ts'
import { type RunningServer, type Services, startServer } from '../../src/server.ts'
import { testBackend, testPgUrl } from './db.ts'

export interface TestServer {
  server: RunningServer
  services: Services
  url: string
  clock: ManualClock
  dataDir: string
  /** Administrator credentials of the default account. */
  admin: { accessKeyId: string; secretAccessKey: string }
  env: Record<string, string>
  /** Lines the server announced (notices, the listening line). */
  announced: string[]
  /** Stops and starts the server again on the same data. */
  restart(): Promise<void>
  stop(): Promise<void>
}

export const TEST_ACCOUNT = '111111111111'
export const TEST_REGION = 'us-east-1'

/** A real Arca server on an ephemeral port, on the back end under test, with a manual clock. */
export async function startTestServer(extraEnv: Record<string, string> = {}, opts: { logSink?: (line: string) => void } = {}): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arca-srv-'))
  const schema = testBackend === 'postgres' ? `s_${randomString(12, 'abcdefghijklmnopqrstuvwxyz0123456789')}` : undefined
  const admin = { accessKeyId: `AKIA${randomString(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`, secretAccessKey: randomString(40, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789') }
  const env: Record<string, string> = {
    ARCA_PORT: '0',
    ARCA_DATA_DIR: dataDir,
    ARCA_ACCOUNT_ID: TEST_ACCOUNT,
    ARCA_REGION: TEST_REGION,
    ARCA_ROOT_KEY: Buffer.from(randomString(32, 'abcdefghijklmnopqrstuvwxyz')).toString('base64'),
    ARCA_ADMIN_ACCESS_KEY_ID: admin.accessKeyId,
    ARCA_ADMIN_SECRET_ACCESS_KEY: admin.secretAccessKey,
    // The clock stands still unless a test moves it, so request quotas would never refill: off
    // unless a test turns them on (test/blackbox/quotas.test.ts).
    ARCA_QUOTAS: 'off',
    ...(schema ? { ARCA_DATABASE_URL: testPgUrl, ARCA_DATABASE_SCHEMA: schema } : {}),
    ...extraEnv,
  }
  const clock = new ManualClock(Date.now())
  const announced: string[] = []
  const launch = async () => {
    const server = await startServer({ config: loadConfig(env), clock, logger: opts.logSink ? createLogger('debug', opts.logSink) : silentLogger, announce: (l) => announced.push(l) })
    const services = await server.ready
    return { server, services }
  }
  let current = await launch()
  const t: TestServer = {
    get server() {
      return current.server
    },
    get services() {
      return current.services
    },
    get url() {
      return current.server.url
    },
    clock,
    dataDir,
    admin,
    env,
    announced,
    async restart() {
      await current.server.close()
      current = await launch()
    },
    async stop() {
      await current.server.close()
      fs.rmSync(dataDir, { recursive: true, force: true })
      if (schema) {
        const c = new pg.Client({ connectionString: testPgUrl })
        await c.connect()
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
        await c.end()
      }
    },
  }
  return t
}
