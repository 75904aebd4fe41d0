import { Hono } from 'hono'
import { ArcaError, parseArn } from '../../../core/index.ts'
import type { Caller, Kms } from '../../../kms/index.ts'
import type { Identity } from '../../../services/identity/index.ts'
import type { AppEnv } from '../env.ts'
import { problem } from '../problem.ts'
import { accountScope, deniedTo, principalOf } from './account-scope.ts'

interface ExplainBody {
  /** Who would ask: a user or role ARN, or a user name in the account. */
  principal?: string
  action?: string
  keyId?: string
  region?: string
  encryptionContext?: Record<string, string>
  sourceIp?: string
  viaService?: string
}

/**
 * `POST /v1/admin/explain`: would this principal be allowed this KMS action on this key, and
 * which statement, grant or missing allow decides? Evaluated by the same engine as real requests.
 */
export function createExplainRoute(deps: { kms: Pick<Kms, 'explain'>; identity: Pick<Identity, 'getPrincipal' | 'policiesOf'>; defaultAccount: string; defaultRegion: string }): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.post('/', async (c) => {
    try {
      const me = principalOf(c)
      if (!me.admin) throw deniedTo(me, 'arca:Explain')
      const account = accountScope(c, deps.defaultAccount)
      let body: ExplainBody
      try {
        body = (await c.req.json()) as ExplainBody
      } catch {
        throw new ArcaError('Serialization', 'The body must be a JSON object: {"principal", "action", "keyId", "encryptionContext"?}')
      }
      if (typeof body?.principal !== 'string') throw new ArcaError('Validation', 'principal is required (a user/role ARN or a user name).', { field: 'principal' })
      const arn = parseArn(body.principal)
      const [kind, name] = arn ? (arn.resource.split('/') as [string, string]) : ['user', body.principal]
      if (kind !== 'user' && kind !== 'role') throw new ArcaError('Validation', 'principal must be a user or role.', { field: 'principal' })
      // A principal ARN names its account: the same scoping as `?account=` (only the default
      // account's administrator may look into another account).
      const target = arn?.account || account
      if (target !== me.account && !(me.account === deps.defaultAccount)) throw deniedTo(me, `access to account ${target} (only the default account's administrator may act in other accounts)`)
      const who = await deps.identity.getPrincipal(kind, target, name)
      if (!who) throw new ArcaError('NotFound', `No ${kind} ${body.principal} in account ${target}.`)
      const caller: Caller = {
        account: who.account,
        principalArn: who.arn,
        region: body.region ?? deps.defaultRegion,
        admin: who.admin,
        principalTags: who.tags,
        policies: await deps.identity.policiesOf(who),
        // As every face reports it (api/aws/router.ts): Arca serves plain HTTP, so aws:SecureTransport is false.
        secureTransport: false,
        ...(body.sourceIp ? { sourceIp: body.sourceIp } : {}),
        ...(body.viaService ? { viaService: body.viaService } : {}),
      }
      const explanation = await deps.kms.explain(caller, {
        action: body.action ?? '',
        ...(body.keyId ? { keyId: body.keyId } : {}),
        ...(body.encryptionContext ? { encryptionContext: body.encryptionContext } : {}),
      })
      return c.json(explanation)
    } catch (e) {
      return problem(c, e)
    }
  })
  return app
}
