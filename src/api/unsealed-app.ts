import { Hono } from 'hono'
import { ArcaError, type Clock, type Config, type Logger, uuid } from '../core/index.ts'
import type { Kms } from '../kms/index.ts'
import type { AuditLog } from '../kms/audit/index.ts'
import type { Identity } from '../services/identity/index.ts'
import type { Params } from '../services/params/index.ts'
import type { Secrets } from '../services/secrets/index.ts'
import type { Rotation } from '../services/rotation/index.ts'
import { type AuthDeps, authenticateBearer, authenticateSigV4 } from './auth.ts'
import { kmsHandler } from './aws/kms.ts'
import { ssmHandler } from './aws/ssm.ts'
import { secretsManagerHandler } from './aws/secretsmanager.ts'
import { createAwsHandler } from './aws/router.ts'
import { rawRequest } from './raw-request.ts'
import { SigningKeyCache } from './aws/sigv4.ts'
import type { AppEnv } from './rest/env.ts'
import { problem } from './rest/problem.ts'
import { auditSink, restAudit } from './rest/audit-middleware.ts'
import { createAuditRoutes } from './rest/routes/audit.ts'
import { createAdminRoutes } from './rest/routes/admin.ts'
import { createBackupRoutes } from './rest/routes/backup.ts'
import { rejectNul } from './rest/reject-control.ts'
import type { Database } from '../store/index.ts'
import { createWhoamiRoute } from './rest/routes/whoami.ts'
import { createExplainRoute } from './rest/routes/explain.ts'
import { createEventRoutes } from './rest/routes/events.ts'
import { createWebhookRoutes } from './rest/routes/webhooks.ts'
import type { Notify } from '../services/notify/index.ts'
import { createParameterRoutes } from './rest/routes/parameters.ts'
import { createSecretRoutes } from './rest/routes/secrets.ts'
import { createExpiringRoutes, createSecretPolicyRoutes } from './rest/routes/expiring.ts'
import type { Expiry } from '../services/expiry/index.ts'
import { createRotationRoutes } from './rest/routes/rotation.ts'
import type { Quotas } from './quotas/index.ts'
import { createQuotaRoutes } from './rest/routes/quotas.ts'

/** What the HTTP faces need once Arca is unsealed. */
export interface ApiDeps {
  config: Config
  clock: Clock
  logger: Logger
  kms: Kms
  identity: Identity
  /** Every request on both faces appends one record here before it is answered. */
  audit: AuditLog
  params: Params
  secrets: Secrets
  /** Expiry (issue 11); its routes are mounted when present. */
  expiry?: Expiry
  /** Secret rotation (RotateSecret, CancelRotateSecret, /v1/secrets/{name}/rotation…); absent: AWS's rotation calls are refused. */
  rotation?: Rotation
  notify: Notify
  /** The database itself, for `POST /v1/admin/backup` (a storage-level export). */
  db: Database
  /** Per-account request quotas of the AWS faces (issue 12); absent: no throttling. */
  quotas?: Quotas
}

/** The REST API (`/v1`, bearer token or SigV4 service `arca`) and the AWS faces (`POST /`). */
export function createUnsealedApp(deps: ApiDeps): Hono {
  const auth: AuthDeps = { identity: deps.identity, clock: deps.clock, signingKeys: new SigningKeyCache(4096) }
  const app = new Hono()

  const audit = auditSink(deps.audit, deps.clock, deps.config.accountId)
  const rest = new Hono<AppEnv>()
  rest.use('*', restAudit(audit))
  rest.use('*', rejectNul())
  rest.use('*', async (c, next) => {
    try {
      const header = c.req.header('authorization') ?? ''
      let region = deps.config.region
      if (header.startsWith('Bearer ')) {
        c.set('principal', await authenticateBearer(auth, header))
      } else {
        // SigV4 over REST: the body is read once here for the signature and kept for the route.
        const req = rawRequest(c)
        const body = await req.body(deps.config.maxBodyBytes)
        const signed = await authenticateSigV4(auth, { method: req.method, path: req.path, query: req.query, headers: req.headers, body }, ['arca'])
        c.set('principal', { ...signed.principal, accessKeyId: signed.accessKeyId })
        region = signed.region
        c.req.raw = new Request(c.req.raw.url, { method: c.req.method, headers: c.req.raw.headers, body: body.length ? body : undefined })
      }
      c.set('request', { requestId: uuid(), region, userAgent: c.req.header('user-agent') })
    } catch (e) {
      return problem(c, e)
    }
    await next()
  })
  rest.route('/webhooks', createWebhookRoutes(deps.notify.webhooks, { defaultAccount: deps.config.accountId, log: deps.logger }))
  rest.route('/events', createEventRoutes(deps.notify, { defaultAccount: deps.config.accountId, log: deps.logger }))
  rest.route('/admin/explain', createExplainRoute({ kms: deps.kms, identity: deps.identity, defaultAccount: deps.config.accountId, defaultRegion: deps.config.region }))
  rest.route('/admin/backup', createBackupRoutes(deps.db, { defaultAccount: deps.config.accountId, clock: deps.clock, log: deps.logger }))
  if (deps.quotas) rest.route('/admin/quotas', createQuotaRoutes(deps.quotas, { defaultAccount: deps.config.accountId }))
  rest.route('/admin', createAdminRoutes(deps.identity, { defaultAccount: deps.config.accountId, log: deps.logger }))
  rest.route('/whoami', createWhoamiRoute())
  rest.route('/parameters', createParameterRoutes(deps.params, { policiesOf: (p) => deps.identity.policiesOf(p), log: deps.logger }))
  if (deps.rotation) rest.route('/secrets', createRotationRoutes(deps.rotation, { policiesOf: (p) => deps.identity.policiesOf(p), log: deps.logger }))
  if (deps.expiry) {
    rest.route('/', createSecretPolicyRoutes(deps.expiry, { policiesOf: (p) => deps.identity.policiesOf(p), log: deps.logger }))
    rest.route('/expiring', createExpiringRoutes(deps.expiry, { policiesOf: (p) => deps.identity.policiesOf(p), log: deps.logger }))
  }
  rest.route('/secrets', createSecretRoutes(deps.secrets, { policiesOf: (p) => deps.identity.policiesOf(p), log: deps.logger }))
  rest.route('/audit', createAuditRoutes(deps.audit, { defaultAccount: deps.config.accountId, log: deps.logger }))
  app.route('/v1', rest)

  app.post(
    '*',
    createAwsHandler({
      auth,
      logger: deps.logger,
      maxBodyBytes: deps.config.maxBodyBytes,
      audit,
      ...(deps.quotas ? { quotas: deps.quotas } : {}),
      handlers: { kms: kmsHandler(deps.kms), ssm: ssmHandler(deps.params), secretsmanager: secretsManagerHandler(deps.secrets, deps.rotation) },
    }),
  )
  app.notFound((c) => problem(c, new ArcaError('NotFound', `No route for ${c.req.method} ${new URL(c.req.url).pathname}`)))
  return app
}
