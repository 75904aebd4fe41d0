import { type Context, Hono } from 'hono'
import { ArcaError, isArcaError, type Logger, toDate } from '../../../core/index.ts'
import type { Caller } from '../../../kms/index.ts'
import type { Params, ParameterOut, PutParameterInput, Tag } from '../../../services/params/index.ts'
import type { AppEnv, AuthenticatedPrincipal } from '../env.ts'
import { problem } from '../problem.ts'
import { principalOf } from './account-scope.ts'

/**
 * `/v1/parameters/{name…}`: the Parameter Store through the native REST API — the same service,
 * rules, authorization and events as the AWS face.
 *
 *   GET    /v1/parameters/app/db/url[?version=3|?label=prod][&decrypt=true]  one parameter
 *   GET    /v1/parameters/app/[?recursive=true][&decrypt=true][&limit=10][&cursor=…]  a subtree
 *          (a trailing '/' or `recursive` means a subtree; `/v1/parameters/` is the root)
 *   PUT    /v1/parameters/app/db/url  {value, type?, description?, keyId?, allowedPattern?, tier?,
 *          policies?, dataType?, tags?}  — creates or overwrites; `If-Match: <version>` writes only
 *          if the newest version is that one (412 otherwise), `If-None-Match: *` only creates;
 *          a body with tags only creates (AWS: tags and overwrite don't mix)
 *   DELETE /v1/parameters/app/db/url  (If-Match honoured)
 *   GET    /v1/parameters/app/db/url/history[?decrypt=true&limit=&cursor=]
 *   GET    /v1/parameters/app/db/url/labels;  POST …/labels {version?, labels};
 *   DELETE …/labels?version=3&label=a&label=b
 *
 * A parameter whose last segment is literally `history` or `labels` is addressed as itself with
 * `?parameter=true`.
 */
export interface ParameterRouteOptions {
  /** The caller's identity policies (for the policy engine), as the AWS face loads them. */
  policiesOf?: (p: AuthenticatedPrincipal) => Promise<readonly string[]>
  log?: Pick<Logger, 'error'>
}

type Ctx = Context<AppEnv>
type ParamsApi = Pick<Params, 'getParameter' | 'getParametersByPath' | 'putParameter' | 'deleteParameter' | 'getParameterHistory' | 'labelParameterVersion' | 'unlabelParameterVersion' | 'listLabels'>

const PUT_FIELDS = ['value', 'type', 'description', 'keyId', 'allowedPattern', 'tier', 'policies', 'dataType', 'tags']

async function callerOf(c: Ctx, opts: ParameterRouteOptions): Promise<Caller> {
  const p = principalOf(c)
  const r = c.get('request')
  const caller: Caller = { account: p.account, principalArn: p.arn, region: r.region, admin: p.admin, principalTags: p.tags, secureTransport: false }
  if (p.accessKeyId) caller.accessKeyId = p.accessKeyId
  if (r.userAgent) caller.userAgent = r.userAgent
  if (r.sourceIp) caller.sourceIp = r.sourceIp
  if (opts.policiesOf) caller.policies = await opts.policiesOf(p)
  return caller
}

/** What follows `/parameters` in the URL path, percent-decoded. */
function restOf(c: Ctx): string {
  const path = new URL(c.req.url).pathname
  const i = path.indexOf('/parameters')
  const rest = i < 0 ? '/' : path.slice(i + '/parameters'.length) || '/'
  try {
    return decodeURIComponent(rest)
  } catch {
    throw new ArcaError('Validation', 'The parameter name in the URL is not valid percent-encoding.')
  }
}

function sub(c: Ctx, rest: string): { name: string; sub?: 'history' | 'labels' } {
  if (c.req.query('parameter') !== 'true') {
    for (const s of ['history', 'labels'] as const) if (rest.endsWith(`/${s}`) && rest.length > s.length + 1) return { name: rest.slice(0, -(s.length + 1)), sub: s }
  }
  return { name: rest }
}

const bool = (v: string | undefined) => v === 'true' || v === '1'
function int(c: Ctx, key: string): number | undefined {
  const v = c.req.query(key)
  if (v === undefined) return undefined
  if (!/^\d{1,9}$/.test(v)) throw new ArcaError('Validation', `'${key}' must be a whole number.`, { field: key })
  return Number(v)
}

/** `If-Match: 3`, `"3"` or `W/"3"` → 3; `If-None-Match: *` → 0 (must not exist). */
function condition(c: Ctx): { expectedVersion?: number } {
  const match = c.req.header('if-match')
  if (match !== undefined) {
    const m = /^(?:W\/)?"?(\d{1,9})"?$/.exec(match.trim())
    if (!m) throw new ArcaError('Validation', "'If-Match' must be a parameter version (a whole number).", { field: 'If-Match' })
    return { expectedVersion: Number(m[1]) }
  }
  if (c.req.header('if-none-match')?.trim() === '*') return { expectedVersion: 0 }
  return {}
}

function show(p: ParameterOut) {
  return { ...p, lastModifiedDate: toDate(p.lastModifiedDate).toISOString() }
}

async function readBody(c: Ctx): Promise<Record<string, unknown>> {
  const text = await c.req.text()
  let v: unknown
  try {
    v = text.trim() === '' ? {} : JSON.parse(text)
  } catch {
    throw new ArcaError('Serialization', 'The request body is not valid JSON.')
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ArcaError('Serialization', 'The request body must be a JSON object.')
  return v as Record<string, unknown>
}

function putInput(name: string, body: Record<string, unknown>): PutParameterInput {
  for (const k of Object.keys(body)) if (!PUT_FIELDS.includes(k)) throw new ArcaError('Validation', `Unknown field '${k}' (expected ${PUT_FIELDS.join(', ')}).`, { field: k })
  const str = (k: string) => {
    const v = body[k]
    if (v !== undefined && typeof v !== 'string') throw new ArcaError('Validation', `'${k}' must be a string.`, { field: k })
    return v as string | undefined
  }
  const input: PutParameterInput = { name, value: str('value') ?? '' }
  for (const k of ['type', 'description', 'keyId', 'allowedPattern', 'tier', 'dataType'] as const) {
    const v = str(k)
    if (v !== undefined) input[k] = v
  }
  if (body.policies !== undefined) input.policies = typeof body.policies === 'string' ? body.policies : JSON.stringify(body.policies)
  if (body.tags !== undefined) {
    const t = body.tags
    if (typeof t !== 'object' || t === null || Array.isArray(t) || Object.values(t).some((v) => typeof v !== 'string'))
      throw new ArcaError('Validation', "'tags' must be an object of string values.", { field: 'tags' })
    input.tags = Object.entries(t as Record<string, string>).map(([key, value]): Tag => ({ key, value }))
  }
  return input
}

export function createParameterRoutes(params: ParamsApi, opts: ParameterRouteOptions = {}): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.onError((err, c) => {
    if (!isArcaError(err) || err.code === 'Internal') opts.log?.error('parameters request failed', { error: String(err) })
    return problem(c, err)
  })

  app.get('/*', async (c) => {
    const caller = await callerOf(c, opts)
    const rest = restOf(c)
    const { name, sub: s } = sub(c, rest)
    const decrypt = bool(c.req.query('decrypt'))
    if (s === 'history') {
      const limit = int(c, 'limit')
      const out = await params.getParameterHistory(caller, { name, withDecryption: decrypt, ...(limit ? { maxResults: limit } : {}), ...(c.req.query('cursor') ? { nextToken: c.req.query('cursor')! } : {}) })
      return c.json({ versions: out.parameters.map((h) => ({ ...h, lastModifiedDate: toDate(h.lastModifiedDate).toISOString() })), ...(out.nextToken ? { nextCursor: out.nextToken } : {}) })
    }
    if (s === 'labels') return c.json(await params.listLabels(caller, { name }))
    if (rest.endsWith('/') || c.req.query('recursive') !== undefined) {
      const limit = int(c, 'limit')
      const out = await params.getParametersByPath(caller, {
        path: rest,
        recursive: bool(c.req.query('recursive')),
        withDecryption: decrypt,
        ...(limit ? { maxResults: limit } : {}),
        ...(c.req.query('cursor') ? { nextToken: c.req.query('cursor')! } : {}),
      })
      return c.json({ parameters: out.parameters.map(show), ...(out.nextToken ? { nextCursor: out.nextToken } : {}) })
    }
    const version = c.req.query('version')
    const label = c.req.query('label')
    if (version !== undefined && label !== undefined) throw new ArcaError('Validation', "Give 'version' or 'label', not both.")
    if (version !== undefined && !/^\d{1,9}$/.test(version)) throw new ArcaError('Validation', "'version' must be a whole number.", { field: 'version' })
    const selector = version ?? label
    const { parameter } = await params.getParameter(caller, { name: selector === undefined ? name : `${name}:${selector}`, withDecryption: decrypt })
    c.header('etag', `"${parameter.version}"`)
    return c.json(show(parameter))
  })

  app.put('/*', async (c) => {
    const caller = await callerOf(c, opts)
    const name = restOf(c)
    const input = putInput(name, await readBody(c))
    const cond = condition(c)
    if (!input.tags?.length && cond.expectedVersion === undefined) input.overwrite = true
    const out = await params.putParameter(caller, input, cond)
    c.header('etag', `"${out.version}"`)
    return c.json({ name, version: out.version, tier: out.tier }, out.version === 1 ? 201 : 200)
  })

  app.post('/*', async (c) => {
    const caller = await callerOf(c, opts)
    const { name, sub: s } = sub(c, restOf(c))
    if (s !== 'labels') throw new ArcaError('NotFound', 'POST is only for …/labels (attach labels to a version).')
    const body = await readBody(c)
    const labels = body.labels
    if (!Array.isArray(labels) || labels.length === 0 || labels.length > 10 || labels.some((l) => typeof l !== 'string'))
      throw new ArcaError('Validation', "'labels' must be an array of 1 to 10 strings.", { field: 'labels' })
    if (body.version !== undefined && (typeof body.version !== 'number' || !Number.isInteger(body.version) || body.version < 1))
      throw new ArcaError('Validation', "'version' must be a positive whole number.", { field: 'version' })
    const out = await params.labelParameterVersion(caller, { name, labels: labels as string[], ...(body.version !== undefined ? { parameterVersion: body.version as number } : {}) })
    return c.json({ version: out.parameterVersion, invalidLabels: out.invalidLabels })
  })

  app.delete('/*', async (c) => {
    const caller = await callerOf(c, opts)
    const { name, sub: s } = sub(c, restOf(c))
    if (s === 'labels') {
      const version = int(c, 'version')
      if (version === undefined) throw new ArcaError('Validation', "'version' is required to remove labels.", { field: 'version' })
      const labels = c.req.queries('label') ?? []
      if (labels.length === 0) throw new ArcaError('Validation', "Name at least one 'label' to remove.", { field: 'label' })
      return c.json(await params.unlabelParameterVersion(caller, { name, parameterVersion: version, labels }))
    }
    if (s === 'history') throw new ArcaError('Validation', 'History cannot be deleted on its own; delete the parameter.')
    await params.deleteParameter(caller, { name }, condition(c))
    return c.body(null, 204)
  })
  return app
}
