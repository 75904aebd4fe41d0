import fs from 'node:fs'
import path from 'node:path'
import { serve } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { ArcaError, type Clock, type Config, type Logger, createLogger, parseArn, systemClock } from './core/index.ts'
import { createApp } from './api/app.ts'
import { createUnsealedApp } from './api/unsealed-app.ts'
import { type Kms, type PolicyAuthorizer, createKms, createPolicyAuthorizer } from './kms/index.ts'
import { type AuditLog, createAuditLog } from './kms/audit/index.ts'
import { Seal } from './kms/root/index.ts'
import { type Identity, createIdentity, writeAdminCredentials } from './services/identity/index.ts'
import { type Params, createParams } from './services/params/index.ts'
import { type Secrets, createSecrets } from './services/secrets/index.ts'
import { type Authorize, noEvents } from './services/shared/index.ts'
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
}

export interface ServerOptions {
  config: Config
  clock?: Clock
  logger?: Logger
  /** Where start-up notices for the operator go (generated keys, credentials). Defaults to stdout. */
  announce?: (line: string) => void
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

/** Until services use the policy engine: an account's administrator may do everything in its own account. */
const adminOnlyAuthorize: Authorize = async (caller, action, resourceArn) => {
  const owner = resourceArn === '*' ? caller.account : parseArn(resourceArn)?.account
  if (!caller.admin || owner !== caller.account)
    throw new ArcaError('AccessDenied', `User: ${caller.principalArn} is not authorized to perform: ${action} on resource: ${resourceArn} because no identity-based policy allows the ${action} action`)
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
    let kms: Kms | undefined
    // One policy engine decides for every face; resource tags are read only when a policy asks.
    const policy = createPolicyAuthorizer({ clock, resourceTags: (key) => (kms && key.id ? kms.keyTags(key.region, key.id) : Promise.resolve({})) })
    kms = createKms({ db: db.db, barrier: seal, clock, authorizer: policy, lockoutCheck: policy.lockoutCheck })
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
    // Parameter Store: admin-only authorization and no events until the policy engine and outbox are wired to it.
    const params = createParams({ db: db.db, kms, clock, authorize: adminOnlyAuthorize, events: noEvents })
    // Secrets Manager: likewise admin-only and without events until the policy engine and outbox are wired.
    const secrets = createSecrets({ db: db.db, kms, clock, authorize: adminOnlyAuthorize, events: noEvents })
    services = { config, clock, logger, db, seal, kms, identity, audit, policy, params, secrets }
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
  const server = serve({ fetch: app.fetch, hostname: config.host, port: config.port })
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
      await new Promise<void>((res) => server.close(() => res()))
      // The last records and a signed checkpoint of this chain's head.
      await services?.audit.close().catch((e: unknown) => logger.error('closing the audit log failed', { error: e instanceof Error ? e.message : String(e) }))
      await db.close()
      seal.seal()
    },
  }
}
