import { ArcaError, isArcaError } from '../core/index.ts'
import { type ArcaClient, type ArcaEvent, envNameOf, isValidEnvName, relativeName, secretEnv } from '../client/index.ts'
import { isReference, type Reference, resolveEnv, resolveValue } from './resolve-env.ts'

export interface ExecSources {
  paths: string[]
  secrets: string[]
  prefix?: string
  /** NAME → a parameter name or a reference. */
  map: Record<string, string>
  allowMissing: boolean
}

export interface BuiltEnv {
  env: Record<string, string>
  /** What the environment depends on, for --watch. */
  watch: { paths: string[]; parameters: Set<string>; secrets: Set<string> }
}

export function parseMaps(list: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const m of list ?? []) {
    const eq = m.indexOf('=')
    const name = m.slice(0, eq)
    if (eq < 1 || !isValidEnvName(name) || eq === m.length - 1) throw new ArcaError('Validation', `--map must be NAME=/parameter/path or NAME=<reference>, got '${m}'`)
    out[name] = m.slice(eq + 1)
  }
  return out
}

/**
 * The child's environment: the starting environment with its references resolved, then the
 * parameters under each --path (in order, later paths winning), the --secret values, then
 * each --map. Every read is made as the caller.
 */
export async function buildEnv(client: ArcaClient, base: Record<string, string | undefined>, s: ExecSources, warn: (m: string) => void): Promise<BuiltEnv> {
  const watch = { paths: s.paths, parameters: new Set<string>(), secrets: new Set<string>() }
  const skip = (what: string) => (e: unknown) => {
    if (!s.allowMissing) throw isArcaError(e) ? new ArcaError(e.code, `cannot load ${what}: ${e.message}`) : e
    warn(`cannot load ${what}: ${e instanceof Error ? e.message : String(e)}; skipped (--allow-missing)`)
    return undefined
  }
  const resolved = await resolveEnv(client, base, { allowMissing: s.allowMissing, warn })
  resolved.references.forEach((r) => note(watch, r))
  const env = resolved.env

  for (const path of s.paths) {
    const values = await client.getParametersByPath(path).catch(skip(`parameters under ${path}`))
    const from: Record<string, string> = {}
    for (const [name, value] of Object.entries(values ?? {})) {
      const v = envNameOf(relativeName(name, path), s.prefix)
      if (from[v]) throw new ArcaError('Validation', `${from[v]} and ${name} both become ${v}; rename one, or set it with --map NAME=parameter`)
      if (!isValidEnvName(v)) throw new ArcaError('Validation', `${name} does not make a valid variable name (${v}); use --map NAME=${name}`)
      from[v] = name
      env[v] = value
    }
  }
  for (const id of s.secrets) {
    watch.secrets.add(id)
    const value = await client.getSecret(id).catch(skip(`secret ${id}`))
    if (value !== undefined) Object.assign(env, secretEnv(id, value, s.prefix))
  }
  for (const [name, target] of Object.entries(s.map)) {
    const ref = isReference(target) ? target : `arca:ssm:${target}`
    const value = await resolveValue(client, ref).catch(skip(`${name} (${target})`))
    if (ref.startsWith('arca:ssm:')) watch.parameters.add(stripSelector(ref.slice('arca:ssm:'.length)))
    else if (ref.startsWith('arca:secret:')) watch.secrets.add(ref.slice('arca:secret:'.length).split(/[#@]/)[0])
    if (value !== undefined) env[name] = value
  }
  return { env, watch }
}

function note(watch: BuiltEnv['watch'], r: Reference): void {
  if (r.kind === 'ssm') watch.parameters.add(stripSelector(r.name))
  else if (r.kind === 'secret') watch.secrets.add(r.id)
}

function stripSelector(name: string): string {
  return name.replace(/:[^:/]+$/, '')
}

/** True when the event is about something the environment was built from. */
export function concerns(watch: BuiltEnv['watch'], e: ArcaEvent): boolean {
  const name = typeof e.detail.name === 'string' ? e.detail.name : undefined
  if (!name) return false
  if (e.source === 'aws.ssm') {
    const n = name.startsWith('/') ? name : `/${name}`
    return watch.parameters.has(name) || watch.parameters.has(n) || watch.paths.some((p) => p === '/' || n.startsWith(p.endsWith('/') ? p : `${p}/`))
  }
  if (e.source === 'aws.secretsmanager') return watch.secrets.has(name) || (typeof e.detail.secretArn === 'string' && watch.secrets.has(e.detail.secretArn))
  return false
}

export function sameEnv(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a)
  return ka.length === Object.keys(b).length && ka.every((k) => b[k] === a[k])
}
