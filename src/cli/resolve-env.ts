import { ArcaError, isArcaError } from '../core/index.ts'
import { type ArcaClient, jsonObject } from '../client/index.ts'

/** What a value in the environment can point at. */
export type Reference =
  | { kind: 'ssm'; name: string }
  | { kind: 'secret'; id: string; jsonKey?: string; stage?: string; versionId?: string }
  | { kind: 'kms'; ciphertext: string }

const ARCA_PREFIX = /^arca:(ssm|secret|kms):/
// CloudFormation dynamic references; several may sit inside one value ("postgres://u:{{resolve:…}}@h").
const DYNAMIC = /\{\{resolve:([^}]+)\}\}/g

/** True for `arca:ssm:…`, `arca:secret:…`, `arca:kms:…`, or a value holding `{{resolve:…}}`. */
export function isReference(value: string): boolean {
  return ARCA_PREFIX.test(value) || /\{\{resolve:[^}]+\}\}/.test(value)
}

/**
 * `arca:ssm:/path[:version|:label]`, `arca:secret:name[#jsonKey][@stage]` (the stage follows
 * the last '@'; a name that itself holds '@' needs one: `a@b@AWSCURRENT`), `arca:kms:<base64>`.
 */
export function parseArcaReference(value: string): Reference | undefined {
  const m = ARCA_PREFIX.exec(value)
  if (!m) return undefined
  const body = value.slice(m[0].length)
  if (m[1] === 'ssm') return { kind: 'ssm', name: need(body, value) }
  if (m[1] === 'kms') {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw new ArcaError('Validation', 'arca:kms: must be followed by base64 ciphertext (from arca encrypt or aws kms encrypt)')
    return { kind: 'kms', ciphertext: body }
  }
  const hash = body.indexOf('#')
  let id = hash < 0 ? body : body.slice(0, hash)
  let key = hash < 0 ? undefined : body.slice(hash + 1)
  let stage: string | undefined
  const tail = key ?? id
  const at = tail.lastIndexOf('@')
  if (at >= 0) {
    stage = tail.slice(at + 1)
    if (key !== undefined) key = key.slice(0, at)
    else id = id.slice(0, at)
  }
  return { kind: 'secret', id: need(id, value), ...(key ? { jsonKey: key } : {}), ...(stage ? { stage } : {}) }
}

/**
 * The inside of `{{resolve:…}}`: `ssm:name[:version]`, `ssm-secure:name[:version]`,
 * `secretsmanager:secret-id[:SecretString[:json-key[:version-stage[:version-id]]]]` where
 * secret-id may be a full ARN (CloudFormation's forms).
 */
export function parseDynamicReference(inner: string): Reference {
  const [service, ...parts] = inner.split(':')
  if (service === 'ssm' || service === 'ssm-secure') {
    const [name, version] = parts
    return { kind: 'ssm', name: need(name, `{{resolve:${inner}}}`) + (version ? `:${version}` : '') }
  }
  if (service === 'secretsmanager') {
    const arn = parts[0] === 'arn'
    const id = arn ? parts.slice(0, 7).join(':') : parts[0]
    const [field, jsonKey, stage, versionId] = parts.slice(arn ? 7 : 1)
    if (field && field !== 'SecretString') throw new ArcaError('Validation', `{{resolve:${inner}}}: the second part must be SecretString`)
    return { kind: 'secret', id: need(id, `{{resolve:${inner}}}`), ...(jsonKey ? { jsonKey } : {}), ...(stage ? { stage } : {}), ...(versionId ? { versionId } : {}) }
  }
  throw new ArcaError('Validation', `{{resolve:${inner}}}: only ssm, ssm-secure and secretsmanager references are supported`)
}

function need(v: string | undefined, ref: string): string {
  if (!v) throw new ArcaError('Validation', `'${ref}' names nothing`)
  return v
}

export function describeReference(r: Reference): string {
  if (r.kind === 'ssm') return `parameter ${r.name}`
  if (r.kind === 'kms') return 'an arca:kms ciphertext'
  return `secret ${r.id}${r.jsonKey ? `#${r.jsonKey}` : ''}${r.stage ? `@${r.stage}` : ''}`
}

/** Reads one reference as the caller (their permissions apply; the server audits each read). */
export async function resolveReference(client: ArcaClient, r: Reference): Promise<string> {
  if (r.kind === 'ssm') return client.getParameter(r.name)
  if (r.kind === 'kms') return Buffer.from((await client.decrypt(r.ciphertext)).plaintext).toString('utf8')
  const value = await client.getSecret(r.id, { stage: r.stage, versionId: r.versionId })
  if (r.jsonKey === undefined) return value
  const obj = jsonObject(value)
  if (!obj || !(r.jsonKey in obj)) throw new ArcaError('NotFound', `secret ${r.id} has no JSON key '${r.jsonKey}'`)
  const x = obj[r.jsonKey]
  return typeof x === 'string' ? x : JSON.stringify(x)
}

/** The references in one value (a whole `arca:` value, or each `{{resolve:…}}` inside it). */
export function referencesIn(value: string): Reference[] {
  const arca = parseArcaReference(value)
  if (arca) return [arca]
  return [...value.matchAll(DYNAMIC)].map((m) => parseDynamicReference(m[1]))
}

/** The value with its references replaced by what they point at. */
export async function resolveValue(client: ArcaClient, value: string): Promise<string> {
  const arca = parseArcaReference(value)
  if (arca) return resolveReference(client, arca)
  const found = [...value.matchAll(DYNAMIC)]
  const resolved = await Promise.all(found.map((m) => resolveReference(client, parseDynamicReference(m[1]))))
  let i = 0
  return value.replace(DYNAMIC, () => resolved[i++])
}

export interface ResolvedEnv {
  env: Record<string, string>
  /** Every reference that was read (for --watch). */
  references: Reference[]
  /** Variables left out because their reference failed (--allow-missing). */
  missing: string[]
}

/**
 * Resolves every reference in `env`. A failure stops with one line naming the variable, the
 * reference and the reason (the error keeps the server's code: not found, access denied…),
 * unless `allowMissing`, which drops that variable and tells `warn`.
 */
export async function resolveEnv(client: ArcaClient, env: Record<string, string | undefined>, opts: { allowMissing?: boolean; warn?: (m: string) => void } = {}): Promise<ResolvedEnv> {
  const out: Record<string, string> = {}
  const references: Reference[] = []
  const missing: string[] = []
  await Promise.all(
    Object.entries(env).map(async ([name, value]) => {
      if (value === undefined) return
      if (!isReference(value)) {
        out[name] = value
        return
      }
      let refs: Reference[] = []
      try {
        refs = referencesIn(value)
        references.push(...refs)
        out[name] = await resolveValue(client, value)
      } catch (e) {
        const what = refs.length ? refs.map(describeReference).join(', ') : 'a reference'
        const message = `cannot resolve ${name} (${what}): ${e instanceof Error ? e.message : String(e)}`
        if (!opts.allowMissing) throw new ArcaError(isArcaError(e) ? e.code : 'Internal', message)
        missing.push(name)
        opts.warn?.(`${message}; left unset (--allow-missing)`)
      }
    }),
  )
  return { env: out, references, missing }
}
