import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { serve } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { type Clock, type Config, type Logger, createLogger, systemClock, MS } from './core/index.ts'
import { createApp } from './api/app.ts'
import { createUnsealedApp } from './api/unsealed-app.ts'
import { type Quotas, createQuotas, quotaSettings } from './api/quotas/index.ts'
import { type Kms, type PolicyAuthorizer, createKms, createPolicyAuthorizer } from './kms/index.ts'
import { type AuditLog, createAuditLog } from './kms/audit/index.ts'
import { Seal } from './kms/root/index.ts'
import { type Identity, createIdentity, writeAdminCredentials } from './services/identity/index.ts'
import { type Params, createParams } from './services/params/index.ts'
import { type Secrets, createSecrets } from './services/secrets/index.ts'
import { type Rotation, createRotation, rotationJob } from './services/rotation/index.ts'
import { serviceAuthorizer } from './services/shared/index.ts'
import { type Expiry, createExpiry } from './services/expiry/index.ts'
import { type Notify, createNotify } from './services/notify/index.ts'
import { type Job, type Scheduler, createJobs, createScheduler, nodeId } from './services/scheduler/index.ts'
import { type Database, metaStore, migrateToLatest, openDatabase } from './store/index.ts'

/** Everything that exists once Arca is unsealed. */
export interface Services {
  config: Config
  clock: Clock
  logger: Logger
  db: Database
  seal: Seal
  kms: Kms
  identity: Identity
  audit: AuditLog
  policy: PolicyAuthorizer
  params: Params
  secrets: Secrets
  rotation: Rotation
  expiry: Expiry
  notify: Notify
  scheduler: Scheduler
  /** Per-account request quotas of the AWS faces (in memory, per node). */
  quotas: Quotas
}

export interface ServerOptions {
  config: Config
  clock?: Clock
  logger?: Logger
  /** Where start-up notices for the operator go (generated keys, credentials). Defaults to stdout. */
  announce?: (line: string) => void
  /** 'manual': jobs run only when something calls `services.scheduler.tick()` (tests move their clock). */
  scheduler?: 'auto' | 'manual'
  /** Where rotation plugins live (default: the `plugins/` folder of this installation). */
  pluginsDir?: string
}

export interface RunningServer {
  url: string
  port: number
  seal: Seal
  /** Resolves once unsealed and started (at once when a root key was given). */
  ready: Promise<Services>
  services(): Services | undefined
  close(): Promise<void>
}

export function databaseUrl(config: Config): string {
  return config.databaseUrl ?? path.join(config.dataDir, 'arca.db')
}

/** The composition root: the only place that wires real parts together. */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const { config } = opts
  const clock = opts.clock ?? systemClock
  const logger = opts.logger ?? createLogger(config.logLevel)
  const announce = opts.announce ?? ((line: string) => process.stdout.write(line + '\n'))
  fs.mkdirSync(config.dataDir, { recursive: true })

  const db = await openDatabase({ url: databaseUrl(config), schema: config.databaseSchema })
  try {
    await migrateToLatest(db.db)
  } catch (e) {
    await db.close()
    throw e
  }
  const { seal, notice } = await Seal.open(metaStore(db.db), { rootKey: config.rootKey, rootKeyFile: config.rootKeyFile, dataDir: config.dataDir }).catch(async (e) => {
    await db.close()
    throw e
  })
  if (notice) announce(notice)

  let services: Services | undefined
  let inner: ReturnType<typeof createUnsealedApp> | undefined
  let resolveReady!: (s: Services) => void
  let rejectReady!: (e: unknown) => void
  const ready = new Promise<Services>((res, rej) => {
    resolveReady = res
    rejectReady = rej
  })
  ready.catch(() => {})

  const finishStartup = async () => {
    const notify = createNotify({
      db: db.db,
      caps: db.caps,
      clock,
      barrier: seal,
      logger,
      allowPrivate: config.webhookAllowPrivate,
      retentionMs: config.eventRetentionDays * MS.day,
    })
    let kms: Kms | undefined
    // One policy engine decides for every face; resource tags are read only when a policy asks.
    const policy = createPolicyAuthorizer({ clock, resourceTags: (key) => (kms && key.id ? kms.keyTags(key.region, key.id) : Promise.resolve({})) })
    kms = createKms({ db: db.db, barrier: seal, clock, authorizer: policy, lockoutCheck: policy.lockoutCheck, recordEvent: notify.kmsRecorder })
    const authorize = serviceAuthorizer(policy)
    const events = { record: async (tx: Parameters<Notify['recordEvent']>[0], e: Parameters<Notify['recordEvent']>[1]) => void (await notify.recordEvent(tx, e)) }
    const identity = createIdentity({ db: db.db, barrier: seal, clock })
    const boot = await identity.bootstrap({
      accountId: config.accountId,
      adminAccessKeyId: config.adminAccessKeyId,
      adminSecretAccessKey: config.adminSecretAccessKey,
    })
    if (boot.generated) {
      const file = await writeAdminCredentials(config.dataDir, boot.generated)
      announce(`arca: generated administrator credentials for account ${config.accountId}, saved to ${file} (mode 0600):`)
      announce(`  AWS_ACCESS_KEY_ID=${boot.generated.accessKeyId}`)
      announce(`  AWS_SECRET_ACCESS_KEY=${boot.generated.secretAccessKey}`)
      announce(`  ARCA_TOKEN=${boot.generated.token}`)
    }
    // A new hash chain per process start (random node id): nodes sharing a database, or a restart
    // racing a still-running process, never write into the same chain.
    const audit = await createAuditLog({ db: db.db, barrier: seal, clock, mode: config.auditMode, logger })
    const params = createParams({ db: db.db, kms, clock, authorize, events })
    const expiry = createExpiry({ db: db.db, clock, authorize, events })
    const secrets = createSecrets({ db: db.db, kms, clock, authorize, events, expiry: expiry.secretHooks })
    const pluginsDir = opts.pluginsDir ?? fileURLToPath(new URL('../plugins', import.meta.url))
    const rotation = createRotation({ db: db.db, secrets, clock, authorize, events, logger, pluginsDir, nodeId: nodeId() })
    const jobs: Job[] = [
      ...createJobs({ kms, notify }),
      { name: 'ssm.parameter-policies', every: MS.minute, run: (now) => params.runDueParameterPolicies(now) },
      { name: 'secretsmanager.purge-deleted', every: MS.minute, run: (now) => secrets.purgeDeletedSecrets(now) },
      { name: 'expiry.due-moments', every: MS.minute, run: (now) => expiry.runDue(now) },
      rotationJob(rotation),
    ]
    const scheduler = createScheduler({ db: db.db, clock, nodeId: nodeId(), logger, jobs })
    if (opts.scheduler !== 'manual') scheduler.start()
    const quotas = createQuotas(quotaSettings(config.quotaEnv ?? {}), clock)
    services = { config, clock, logger, db, seal, kms, identity, audit, policy, params, secrets, rotation, expiry, notify, scheduler, quotas }
    inner = createUnsealedApp(services)
    resolveReady(services)
  }
  const startWhenUnsealed = () =>
    finishStartup().catch((e) => {
      logger.error('start-up after unseal failed', { error: e instanceof Error ? e.message : String(e) })
      rejectReady(e)
    })
  if (seal.sealed) {
    announce('arca: sealed; unseal with `arca operator unseal` (threshold shares needed)')
    seal.onUnseal(() => void startWhenUnsealed())
  } else {
    await finishStartup()
  }

  const app = createApp({ seal, ready: () => inner })
  const limits = config.http
  const server = serve({
    fetch: app.fetch,
    hostname: config.host,
    port: config.port,
    serverOptions: { maxHeaderSize: limits.maxHeaderBytes, headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.requestTimeoutMs, keepAliveTimeout: limits.keepAliveTimeoutMs },
  })
  ;(server as import('node:net').Server).maxConnections = limits.maxConnections
  await new Promise<void>((res, rej) => {
    server.once('listening', () => res())
    server.once('error', rej)
  })
  const port = (server.address() as AddressInfo).port
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`
  announce(`arca listening on ${url}`)

  return {
    url,
    port,
    seal,
    ready,
    services: () => services,
    async close() {
      // Stop jobs and end open event streams first: an SSE stream would keep the server open.
      // Rotation first: its running plugins are stopped at once (they resume later), so the
      // scheduler's rotation job ends without waiting out their steps.
      await services?.rotation.stop()
      await services?.scheduler.stop()
      services?.notify.close()
      await new Promise<void>((res) => server.close(() => res()))
      // The last records and a signed checkpoint of this chain's head.
      await services?.audit.close().catch((e: unknown) => logger.error('closing the audit log failed', { error: e instanceof Error ? e.message : String(e) }))
      await db.close()
      seal.seal()
    },
  }
}
