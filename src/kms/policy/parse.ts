import { ArcaError } from '../../core/index.ts'
import { type CompiledCondition, ConditionSyntaxError, compileCondition } from './conditions.ts'
import { type Matcher, compileMatcher } from './match.ts'

/**
 * The IAM policy grammar (IAM User Guide, "IAM JSON policy element reference" and "Grammar of the
 * IAM JSON policy language"), compiled once: wildcard regexes built, actions lowercased, account
 * ids turned into root ARNs. A key policy is a resource policy (every statement names a
 * principal); an identity policy names none.
 */
export type PolicyKind = 'key' | 'identity'

export const POLICY_VERSIONS = ['2012-10-17', '2008-10-17'] as const

export interface PrincipalSet {
  /** `"*"` or `{"AWS": "*"}`: everyone. */
  readonly any: boolean
  /** IAM ARNs; a bare account id is stored as its root ARN. */
  readonly aws: ReadonlySet<string>
  readonly services: ReadonlySet<string>
}

export interface CompiledStatement {
  /** Position in the Statement list, 0-based. */
  readonly index: number
  readonly sid?: string
  readonly effect: 'Allow' | 'Deny'
  /** Principal or NotPrincipal (`notPrincipal` tells which); absent in identity policies. */
  readonly principal?: PrincipalSet
  readonly notPrincipal: boolean
  /** Lowercased action globs. */
  readonly actions: Matcher
  readonly notAction: boolean
  readonly resources: Matcher
  readonly notResource: boolean
  readonly conditions: readonly CompiledCondition[]
}

export interface CompiledPolicy {
  readonly kind: PolicyKind
  readonly version: string
  readonly id?: string
  readonly statements: readonly CompiledStatement[]
  /** Some condition reads `aws:ResourceTag/…`: the authorizer must load the key's tags. */
  readonly readsResourceTags: boolean
}

const TOP_LEVEL = new Set(['Version', 'Id', 'Statement'])
const STATEMENT_ELEMENTS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition'])
const PRINCIPAL_TYPES = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser'])
const ACCOUNT_ID = /^\d{12}$/
const IAM_PRINCIPAL = /^arn:aws[a-z-]*:iam::\d{12}:(root|user\/.+|role\/.+|federated-user\/.+)$/
const STS_PRINCIPAL = /^arn:aws[a-z-]*:sts::\d{12}:(assumed-role\/[^/]+\/.+|federated-user\/.+)$/
const ACTION = /^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$/

function malformed(message: string): ArcaError {
  return new ArcaError('MalformedPolicyDocument', message)
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function stringList(v: unknown, where: string): string[] {
  const list = Array.isArray(v) ? v : [v]
  if (list.length === 0) throw malformed(`${where} must not be empty`)
  for (const s of list) if (typeof s !== 'string' || s.length === 0) throw malformed(`${where} must be a string or a list of non-empty strings`)
  return list as string[]
}

function principalSet(v: unknown, where: string): PrincipalSet {
  if (v === '*') return { any: true, aws: new Set(), services: new Set() }
  if (!isObject(v)) throw malformed(`${where} must be "*" or an object such as {"AWS": "arn:aws:iam::111122223333:root"}`)
  let any = false
  const aws = new Set<string>()
  const services = new Set<string>()
  const types = Object.keys(v)
  if (types.length === 0) throw malformed(`${where} must name at least one principal`)
  for (const type of types) {
    if (!PRINCIPAL_TYPES.has(type)) throw malformed(`${where} has an unknown principal type "${type}" (use AWS or Service)`)
    for (const p of stringList(v[type], `${where}.${type}`)) {
      if (type === 'AWS') {
        if (p === '*') any = true
        else if (ACCOUNT_ID.test(p)) aws.add(`arn:aws:iam::${p}:root`)
        else if (IAM_PRINCIPAL.test(p) || STS_PRINCIPAL.test(p)) aws.add(p)
        // AWS: MalformedPolicyDocumentException "Policy contains a statement with one or more invalid principals."
        else throw malformed(`Policy contains a statement with one or more invalid principals: ${where}.AWS "${p}" is not an account id, an IAM principal ARN or "*"`)
      } else if (type === 'Service') services.add(p)
    }
  }
  return { any, aws, services }
}

function conditions(v: unknown, where: string, variablesAllowed: boolean): CompiledCondition[] {
  if (!isObject(v)) throw malformed(`${where} must be an object of {Operator: {Key: value}}`)
  const out: CompiledCondition[] = []
  for (const [operator, block] of Object.entries(v)) {
    if (!isObject(block)) throw malformed(`${where}.${operator} must be an object of {Key: value}`)
    for (const [key, values] of Object.entries(block)) {
      if (key.length === 0) throw malformed(`${where}.${operator} has an empty condition key`)
      try {
        out.push(compileCondition(operator, key, values, variablesAllowed))
      } catch (e) {
        if (e instanceof ConditionSyntaxError) throw malformed(`${where}.${operator}: ${e.message}`)
        throw e
      }
    }
  }
  return out
}

function pick(s: Record<string, unknown>, a: string, b: string, where: string, required: boolean): { value: unknown; not: boolean } | undefined {
  const hasA = a in s
  const hasB = b in s
  if (hasA && hasB) throw malformed(`${where} cannot have both ${a} and ${b}`)
  if (!hasA && !hasB) {
    if (required) throw malformed(`${where} must have ${a} or ${b}`)
    return undefined
  }
  return hasA ? { value: s[a], not: false } : { value: s[b], not: true }
}

function statement(s: unknown, index: number, kind: PolicyKind, variablesAllowed: boolean): CompiledStatement {
  const where = `Statement[${index}]`
  if (!isObject(s)) throw malformed(`${where} must be an object`)
  for (const k of Object.keys(s)) if (!STATEMENT_ELEMENTS.has(k)) throw malformed(`${where} has an unknown element "${k}"`)
  if (s.Sid !== undefined && typeof s.Sid !== 'string') throw malformed(`${where}.Sid must be a string`)
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw malformed(`${where}.Effect must be Allow or Deny`)
  const principal = pick(s, 'Principal', 'NotPrincipal', where, kind === 'key')
  if (principal && kind === 'identity') throw malformed(`${where}: an identity policy cannot name a Principal or NotPrincipal`)
  const action = pick(s, 'Action', 'NotAction', where, true)!
  const actionField = `${where}.${action.not ? 'NotAction' : 'Action'}`
  const actions = stringList(action.value, actionField)
  for (const a of actions) if (a !== '*' && !ACTION.test(a)) throw malformed(`${actionField} "${a}" is not an action such as kms:Decrypt`)
  const resource = pick(s, 'Resource', 'NotResource', where, true)!
  const resourceField = `${where}.${resource.not ? 'NotResource' : 'Resource'}`
  const resources = stringList(resource.value, resourceField)
  for (const r of resources) if (r !== '*' && !r.startsWith('arn:')) throw malformed(`${resourceField} "${r}" must be "*" or an ARN`)
  return {
    index,
    ...(s.Sid === undefined ? {} : { sid: s.Sid }),
    effect: s.Effect,
    ...(principal ? { principal: principalSet(principal.value, `${where}.${principal.not ? 'NotPrincipal' : 'Principal'}`) } : {}),
    notPrincipal: principal?.not === true,
    actions: compileMatcher(actions, true),
    notAction: action.not,
    resources: compileMatcher(resources),
    notResource: resource.not,
    conditions: s.Condition === undefined ? [] : conditions(s.Condition, `${where}.Condition`, variablesAllowed),
  }
}

/** Parses and compiles a policy document. Throws ArcaError('MalformedPolicyDocument') naming the fault. */
export function parsePolicy(text: string, kind: PolicyKind): CompiledPolicy {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    throw malformed('The policy document is not valid JSON.')
  }
  if (!isObject(doc)) throw malformed('The policy document must be a JSON object.')
  for (const k of Object.keys(doc)) if (!TOP_LEVEL.has(k)) throw malformed(`The policy document has an unknown element "${k}"`)
  // IAM: without Version the 2008-10-17 rules apply (no policy variables).
  const version = doc.Version === undefined ? '2008-10-17' : doc.Version
  if (typeof version !== 'string' || !(POLICY_VERSIONS as readonly string[]).includes(version))
    throw malformed(`Version must be ${POLICY_VERSIONS.map((v) => `"${v}"`).join(' or ')}`)
  if (doc.Id !== undefined && typeof doc.Id !== 'string') throw malformed('Id must be a string')
  if (doc.Statement === undefined) throw malformed('The policy document must have a Statement')
  const list = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]
  if (list.length === 0) throw malformed('Statement must not be empty')
  const statements = list.map((s, i) => statement(s, i, kind, version === '2012-10-17'))
  const readsResourceTags = statements.some((st) =>
    st.conditions.some((c) => c.lkey.startsWith('aws:resourcetag/') || c.variables.some((v) => v.startsWith('aws:resourcetag/'))),
  )
  return { kind, version, ...(typeof doc.Id === 'string' ? { id: doc.Id } : {}), statements, readsResourceTags }
}
