import { type Context, Hono } from 'hono'
import { ArcaError, isArcaError, type Logger } from '../../../core/index.ts'
import type { Caller } from '../../../kms/index.ts'
import type { Secrets } from '../../../services/secrets/index.ts'
import type { AppEnv, AuthenticatedPrincipal } from '../env.ts'
import { problem } from '../problem.ts'
import { principalOf } from './account-scope.ts'

/**
 * `/v1/secrets`: Secrets Manager through the native REST API — the same service, rules,
 * authorization and events as the AWS face. Values are `value` (text) or `valueBase64` (bytes);
 * times are ISO 8601.
 *
 *   GET    /v1/secrets[?prefix=&limit=&cursor=&includeDeleted=true]       list (metadata only)
 *   POST   /v1/secrets {name, value|valueBase64?, description?, kmsKeyId?, tags?: {k: v}, clientRequestToken?}
 *   GET    /v1/secrets/{name}[?version=<id>][&stage=<label>]              the value (AWSCURRENT by default)
 *   PUT    /v1/secrets/{name} {value|valueBase64, stages?, clientRequestToken?}  a new version;
 *          `If-Match: <version id>` writes only while that version is AWSCURRENT (412 otherwise)
 *   PATCH  /v1/secrets/{name} {description?, kmsKeyId?}
 *   DELETE /v1/secrets/{name}[?recoveryDays=7..30 | ?force=true]
 *   POST   /v1/secrets/{name}/restore
 *   GET    /v1/secrets/{name}/metadata                                     DescribeSecret
 *   GET    /v1/secrets/{name}/versions[?includeDeprecated=true&limit=&cursor=]
 *   POST   /v1/secrets/{name}/stages {stage, moveToVersionId?, removeFromVersionId?}
 *   GET|PUT|DELETE /v1/secrets/{name}/policy   (PUT {policy, blockPublicPolicy?})
 *   PUT    /v1/secrets/{name}/tags {tags: {k: v}};  DELETE /v1/secrets/{name}/tags?key=a&key=b
 *
 * `{name}` may contain `/`; `%2F` works too. A secret whose last segment is literally one of the
 * sub-resource words is addressed as itself with `?secret=true`.
 */
export interface SecretRouteOptions {
  /** The caller's identity policies (for the policy engine), as the AWS face loads them. */
  policiesOf?: (p: AuthenticatedPrincipal) => Promise<readonly string[]>
  log?: Pick<Logger, 'error'>
}

type Ctx = Context<AppEnv>
type Body = Record<string, unknown>
const SUBS = ['restore', 'metadata', 'versions', 'stages', 'policy', 'tags'] as const
type Sub = (typeof SUBS)[number]

async function callerOf(c: Ctx, opts: SecretRouteOptions): Promise<Caller> {
  const p = principalOf(c)
  const r = c.get('request')
  const caller: Caller = { account: p.account, principalArn: p.arn, region: r.region, admin: p.admin, principalTags: p.tags, secureTransport: false }
  if (p.accessKeyId) caller.accessKeyId = p.accessKeyId
  if (r.userAgent) caller.userAgent = r.userAgent
  if (r.sourceIp) caller.sourceIp = r.sourceIp
  if (opts.policiesOf) caller.policies = await opts.policiesOf(p)
  return caller
}

/** What follows `/secrets/` in the path, percent-decoded, split into the name and a sub-resource. */
function target(c: Ctx): { name: string; sub?: Sub } {
  const path = new URL(c.req.url).pathname
  const i = path.indexOf('/secrets/')
  let rest: string
  try {
    rest = decodeURIComponent(i < 0 ? '' : path.slice(i + '/secrets/'.length))
  } catch {
    throw new ArcaError('Validation', 'The secret name in the URL is not valid percent-encoding.')
  }
  if (c.req.query('secret') !== 'true') {
    for (const s of SUBS) if (rest.endsWith(`/${s}`) && rest.length > s.length + 1) return { name: rest.slice(0, -(s.length + 1)), sub: s }
  }
  return { name: rest }
}

async function readBody(c: Ctx, allowed: readonly string[]): Promise<Body> {
  const text = await c.req.text()
  if (text.trim() === '') return {}
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new ArcaError('Serialization', 'The request body is not valid JSON.')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ArcaError('Serialization', 'The request body must be a JSON object.')
  for (const k of Object.keys(value)) if (!allowed.includes(k)) throw new ArcaError('Validation', `Unknown field '${k}' in the request body (expected ${allowed.join(', ')}).`, { field: k })
  return value as Body
}

function valueFields(b: Body): { secretString?: string; secretBinary?: Uint8Array } {
  if (b.value !== undefined && b.valueBase64 !== undefined) throw new ArcaError('InvalidParameter', "Give either 'value' or 'valueBase64', not both.", { field: 'valueBase64' })
  if (b.value !== undefined) {
    if (typeof b.value !== 'string') throw new ArcaError('Validation', "'value' must be a string.", { field: 'value' })
    return { secretString: b.value }
  }
  if (b.valueBase64 !== undefined) {
    if (typeof b.valueBase64 !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(b.valueBase64)) throw new ArcaError('Validation', "'valueBase64' must be standard base64.", { field: 'valueBase64' })
    return { secretBinary: new Uint8Array(Buffer.from(b.valueBase64, 'base64')) }
  }
  return {}
}

function str(b: Body, k: string): string | undefined {
  if (b[k] === undefined) return undefined
  if (typeof b[k] !== 'string') throw new ArcaError('Validation', `'${k}' must be a string.`, { field: k })
  return b[k] as string
}

function tagList(v: unknown): { key: string; value: string }[] | undefined {
  if (v === undefined) return undefined
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ArcaError('Validation', "'tags' must be an object of key → value.", { field: 'tags' })
  return Object.entries(v as Record<string, unknown>).map(([key, value]) => {
    if (typeof value !== 'string') throw new ArcaError('Validation', `Tag '${key}' must have a string value.`, { field: 'tags' })
    return { key, value }
  })
}

function int(c: Ctx, key: string): number | undefined {
  const v = c.req.query(key)
  if (v === undefined) return undefined
  if (!/^\d{1,9}$/.test(v)) throw new ArcaError('Validation', `'${key}' must be a whole number.`, { field: key })
  return Number(v)
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString())

/** Timestamps (epoch ms under names ending in Date) → ISO strings; bytes → base64. */
function json(v: unknown): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64')
  if (Array.isArray(v)) return v.map(json)
  if (typeof v !== 'object' || v === null) return v
  const out: Record<string, unknown> = {}
  for (const [k, x] of Object.entries(v)) {
    if (k === 'secretString') out.value = x
    else if (k === 'secretBinary') out.valueBase64 = json(x)
    else if (typeof x === 'number' && (k.endsWith('Date') || k === 'deletionDate')) out[k] = iso(x)
    else out[k] = json(x)
  }
  return out
}

export function createSecretRoutes(secrets: Secrets, opts: SecretRouteOptions = {}): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.onError((err, c) => {
    if (!isArcaError(err) || err.code === 'Internal') opts.log?.error('secrets request failed', { error: String(err) })
    return problem(c, err)
  })

  app.get('/', async (c) => {
    const caller = await callerOf(c, opts)
    const prefix = c.req.query('prefix')
    const out = await secrets.listSecrets(caller, {
      ...(prefix ? { filters: [{ key: 'name', values: [prefix] }] } : {}),
      maxResults: int(c, 'limit'),
      nextToken: c.req.query('cursor'),
      includePlannedDeletion: c.req.query('includeDeleted') === 'true',
      sortBy: c.req.query('sortBy'),
      sortOrder: c.req.query('sortOrder'),
    })
    return c.json({ secrets: json(out.secretList), ...(out.nextToken ? { cursor: out.nextToken } : {}) })
  })

  app.post('/', async (c) => {
    const caller = await callerOf(c, opts)
    const b = await readBody(c, ['name', 'value', 'valueBase64', 'description', 'kmsKeyId', 'tags', 'clientRequestToken'])
    const out = await secrets.createSecret(caller, {
      name: str(b, 'name') as string,
      ...valueFields(b),
      description: str(b, 'description'),
      kmsKeyId: str(b, 'kmsKeyId'),
      tags: tagList(b.tags),
      clientRequestToken: str(b, 'clientRequestToken'),
    })
    return c.json(out, 201)
  })

  app.get('/*', async (c) => {
    const caller = await callerOf(c, opts)
    const { name, sub } = target(c)
    if (sub === 'metadata') return c.json(json(await secrets.describeSecret(caller, { secretId: name })) as object)
    if (sub === 'policy') return c.json(await secrets.getResourcePolicy(caller, { secretId: name }))
    if (sub === 'versions') {
      const out = await secrets.listSecretVersionIds(caller, {
        secretId: name,
        includeDeprecated: c.req.query('includeDeprecated') === 'true',
        maxResults: int(c, 'limit'),
        nextToken: c.req.query('cursor'),
      })
      return c.json({ arn: out.arn, name: out.name, versions: json(out.versions), ...(out.nextToken ? { cursor: out.nextToken } : {}) })
    }
    if (sub) throw new ArcaError('NotFound', `No route for GET …/${sub}`)
    const out = await secrets.getSecretValue(caller, { secretId: name, versionId: c.req.query('version'), versionStage: c.req.query('stage') })
    return c.json(json(out) as object)
  })

  app.put('/*', async (c) => {
    const caller = await callerOf(c, opts)
    const { name, sub } = target(c)
    if (sub === 'policy') {
      const b = await readBody(c, ['policy', 'blockPublicPolicy'])
      return c.json(await secrets.putResourcePolicy(caller, { secretId: name, resourcePolicy: str(b, 'policy') as string, blockPublicPolicy: b.blockPublicPolicy === true }))
    }
    if (sub === 'tags') {
      const b = await readBody(c, ['tags'])
      await secrets.tagResource(caller, { secretId: name, tags: tagList(b.tags) ?? [] })
      return c.body(null, 204)
    }
    if (sub) throw new ArcaError('NotFound', `No route for PUT …/${sub}`)
    const b = await readBody(c, ['value', 'valueBase64', 'stages', 'clientRequestToken'])
    const ifMatch = c.req.header('if-match')?.replace(/^W\//, '').replace(/^"|"$/g, '')
    const out = await secrets.putSecretValue(caller, {
      secretId: name,
      ...valueFields(b),
      versionStages: b.stages as string[] | undefined,
      clientRequestToken: str(b, 'clientRequestToken'),
      ...(ifMatch ? { expectCurrentVersionId: ifMatch } : {}),
    })
    return c.json(out)
  })

  app.patch('/*', async (c) => {
    const caller = await callerOf(c, opts)
    const { name, sub } = target(c)
    if (sub) throw new ArcaError('NotFound', `No route for PATCH …/${sub}`)
    const b = await readBody(c, ['description', 'kmsKeyId'])
    return c.json(await secrets.updateSecret(caller, { secretId: name, description: str(b, 'description'), kmsKeyId: str(b, 'kmsKeyId') }))
  })

  app.post('/*', async (c) => {
    const caller = await callerOf(c, opts)
    const { name, sub } = target(c)
    if (sub === 'restore') return c.json(await secrets.restoreSecret(caller, { secretId: name }))
    if (sub === 'stages') {
      const b = await readBody(c, ['stage', 'moveToVersionId', 'removeFromVersionId'])
      return c.json(
        await secrets.updateSecretVersionStage(caller, {
          secretId: name,
          versionStage: str(b, 'stage') as string,
          moveToVersionId: str(b, 'moveToVersionId'),
          removeFromVersionId: str(b, 'removeFromVersionId'),
        }),
      )
    }
    throw new ArcaError('NotFound', `No route for POST ${new URL(c.req.url).pathname}`)
  })

  app.delete('/*', async (c) => {
    const caller = await callerOf(c, opts)
    const { name, sub } = target(c)
    if (sub === 'policy') return c.json(await secrets.deleteResourcePolicy(caller, { secretId: name }))
    if (sub === 'tags') {
      await secrets.untagResource(caller, { secretId: name, tagKeys: c.req.queries('key') ?? [] })
      return c.body(null, 204)
    }
    if (sub) throw new ArcaError('NotFound', `No route for DELETE …/${sub}`)
    const force = c.req.query('force') === 'true'
    const out = await secrets.deleteSecret(caller, { secretId: name, recoveryWindowInDays: int(c, 'recoveryDays'), ...(force ? { forceDeleteWithoutRecovery: true } : {}) })
    return c.json(json(out) as object)
  })
  return app
}
