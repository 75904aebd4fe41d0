import { ArcaError, formatArn, parseArn } from '../../core/index.ts'
import { MAX_LEVELS, MAX_NAME_WITH_ARN } from './limits.ts'

/** Where a parameter lives: the caller's account and region. */
export interface Scope {
  account: string
  region: string
}

const NAME_CHARS = /^[a-zA-Z0-9_.\-/]+$/
const RESERVED = /^\/?(aws|ssm)/i
/** AWS's cross-service reference: GetParameter on it returns a Secrets Manager secret. */
export const SECRETS_REFERENCE_PREFIX = '/aws/reference/secretsmanager/'

/** `arn:aws:ssm:{region}:{account}:parameter/…` — a leading '/' of the name is not doubled. */
export function parameterArn(scope: Scope, name: string): string {
  return formatArn({ service: 'ssm', region: scope.region, account: scope.account, resource: `parameter${name.startsWith('/') ? '' : '/'}${name}` })
}

/** The name up to and including its last '/'; '/' for a name outside any hierarchy. */
export function parentOf(name: string): string {
  const i = name.lastIndexOf('/')
  return i <= 0 ? '/' : name.slice(0, i + 1)
}

export function levelsOf(name: string): number {
  return name.split('/').filter((s) => s !== '').length
}

function invalidName(): ArcaError {
  return new ArcaError(
    'Validation',
    'Parameter name must be a fully qualified name: letters, numbers and the symbols . - _ / only; a name with a "/" must begin with one, and sub-paths are separated by a single "/".',
    { field: 'name' },
  )
}

/** Trims outer spaces and checks characters, hierarchy shape, depth and length (not the reserved prefixes). */
export function checkName(scope: Scope, raw: string): string {
  const name = raw.trim()
  if (name === '' || !NAME_CHARS.test(name)) throw invalidName()
  if (name.includes('/') && (!name.startsWith('/') || name.includes('//') || name.endsWith('/'))) throw invalidName()
  if (levelsOf(name) > MAX_LEVELS)
    throw new ArcaError('HierarchyLevelLimitExceeded', `A hierarchy can have a maximum of ${MAX_LEVELS} levels. Parameter name ${name} has ${levelsOf(name)}.`, { field: 'name' })
  if (parameterArn(scope, name).length > MAX_NAME_WITH_ARN)
    throw new ArcaError('Validation', `Parameter name: can't be longer than ${MAX_NAME_WITH_ARN} characters including the ARN prefix.`, { field: 'name' })
  return name
}

/** A name the caller may create or change: also not under the reserved `aws`/`ssm` prefixes. */
export function checkWritableName(scope: Scope, raw: string): string {
  const name = checkName(scope, raw)
  if (RESERVED.test(name)) throw new ArcaError('Validation', `Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive).`, { field: 'name' })
  return name
}

export interface ParsedReference {
  /** The name without selector. For an ARN: the name candidates (`foo` and `/foo` share an ARN). */
  names: string[]
  /** `3`, `label` or undefined. */
  selector?: string
}

/**
 * A read's Name: a name or the parameter's ARN, optionally with `:version` or `:label`. An ARN of
 * another account or region answers AccessDenied (cross-account sharing is not offered).
 */
export function parseReference(scope: Scope, raw: string): ParsedReference {
  let text = raw.trim()
  let fromArn = false
  if (text.startsWith('arn:')) {
    const arn = parseArn(text)
    if (!arn || arn.service !== 'ssm' || !arn.resource.startsWith('parameter/')) throw invalidName()
    if (arn.account !== scope.account || arn.region !== scope.region)
      throw new ArcaError('AccessDenied', `Parameter ${text} belongs to another account or region; Arca does not share parameters across accounts or regions.`)
    text = arn.resource.slice('parameter'.length)
    fromArn = true
  }
  const colon = text.indexOf(':')
  const selector = colon >= 0 ? text.slice(colon + 1) : undefined
  if (colon >= 0) text = text.slice(0, colon)
  if (selector !== undefined && selector === '') throw invalidName()
  if (!fromArn) return { names: [checkName(scope, text)], ...(selector !== undefined ? { selector } : {}) }
  // `…:parameter/foo` is `/foo` or `foo`; `…:parameter/a/b` is `/a/b`.
  const slashed = checkName(scope, text)
  const names = slashed.indexOf('/', 1) < 0 ? [slashed.slice(1), slashed] : [slashed]
  return { names, ...(selector !== undefined ? { selector } : {}) }
}

/** GetParametersByPath's Path (trailing '/' optional) → the subtree prefix ending in '/'. */
export function checkPath(scope: Scope, raw: string): string {
  const path = raw.trim()
  if (path === '/') return '/'
  if (!path.startsWith('/')) throw invalidPath()
  const bare = path.endsWith('/') ? path.slice(0, -1) : path
  try {
    checkName(scope, bare)
  } catch (e) {
    if (e instanceof ArcaError && e.code === 'HierarchyLevelLimitExceeded') throw e
    throw invalidPath()
  }
  return `${bare}/`
}

function invalidPath(): ArcaError {
  return new ArcaError(
    'Validation',
    `The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward slash "/". It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). All sub-paths, if specified, must use the forward slash symbol "/".`,
    { field: 'path' },
  )
}

/** The exclusive upper bound of the names under `prefix` (which ends in '/'): '/' + 1 is '0'. */
export function subtreeEnd(prefix: string): string {
  return `${prefix.slice(0, -1)}0`
}
