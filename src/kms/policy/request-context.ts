import { toDate } from '../../core/index.ts'
import type { AuthzRequest } from '../authorizer.ts'
import type { KeyRecord } from '../keys/record.ts'
import type { Caller, EncryptionContext } from '../types.ts'
import type { ConditionContext, ContextValue } from './variables.ts'

/** The key as policy evaluation needs it: its ARN and account, its policy, and its attributes. */
export type PolicyKey = Pick<KeyRecord, 'arn' | 'account' | 'policy'> & Partial<Pick<KeyRecord, 'id' | 'region' | 'spec' | 'usage' | 'origin' | 'multiRegion'>>

/** The request facts condition keys are read from. */
export interface RequestFacts {
  caller: Caller
  action: string
  key?: PolicyKey
  encryptionContext?: EncryptionContext
  requestAlias?: string
  conditions?: AuthzRequest['conditions']
  /** The injected clock's time, ms since the epoch: `aws:CurrentTime`, `aws:EpochTime`. */
  now: number
  /** The key's tags, when a policy reads `aws:ResourceTag/…`. */
  resourceTags?: Record<string, string>
}

const EC_PREFIX = 'kms:encryptioncontext:'
const PRINCIPAL_TAG = 'aws:principaltag/'
const RESOURCE_TAG = 'aws:resourcetag/'

function asContextValue(v: string | readonly string[] | number | boolean | undefined): ContextValue {
  if (v === undefined || typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  return v
}

/** `aws:PrincipalType` as IAM reports it. */
function principalType(arn: string): string {
  if (arn.endsWith(':root')) return 'Account'
  if (arn.includes(':assumed-role/')) return 'AssumedRole'
  if (arn.includes(':federated-user/')) return 'FederatedUser'
  return 'User'
}

type Resolver = (f: RequestFacts, self: RequestContext) => ContextValue

/** Fixed keys, looked up by the compiled (lowercased) key string: one Map hit. */
const FIXED = new Map<string, Resolver>([
  ['kms:calleraccount', (f) => f.caller.account],
  ['aws:principalaccount', (f) => f.caller.account],
  ['aws:principalarn', (f) => f.caller.principalArn],
  ['aws:principaltype', (f) => principalType(f.caller.principalArn)],
  ['kms:viaservice', (f) => f.caller.viaService],
  ['aws:viaawsservice', (f) => (f.caller.viaService === undefined ? 'false' : 'true')],
  ['aws:sourceip', (f) => f.caller.sourceIp],
  ['aws:securetransport', (f) => (f.caller.secureTransport === undefined ? undefined : f.caller.secureTransport ? 'true' : 'false')],
  ['aws:useragent', (f) => f.caller.userAgent],
  ['aws:requestedregion', (f) => f.caller.region],
  ['aws:currenttime', (_f, self) => self.currentTime()],
  ['aws:epochtime', (f) => String(Math.floor(f.now / 1000))],
  ['kms:keyspec', (f) => f.key?.spec],
  ['kms:keyusage', (f) => f.key?.usage],
  ['kms:keyorigin', (f) => f.key?.origin],
  ['kms:multiregion', (f) => (f.key?.multiRegion === undefined ? undefined : f.key.multiRegion ? 'true' : 'false')],
  ['kms:requestalias', (f) => f.requestAlias],
  ['kms:encryptioncontextkeys', (_f, self) => self.encryptionContextKeys()],
  ['aws:resourceaccount', (f) => f.key?.account],
])

/**
 * Condition keys, resolved on demand from the request (AWS KMS Developer Guide, "AWS KMS
 * condition keys"; IAM User Guide, "AWS global condition context keys"). Names are
 * case-insensitive; `kms:EncryptionContext:<k>` and tag keys match their key part without case,
 * their values with case. Per-request maps are built lazily, once, keyed by the full lowercased
 * key name, so a statement's conditions cost Map lookups and no string building.
 */
export class RequestContext implements ConditionContext {
  private prefixed?: Map<string, string>
  private ecKeys?: string[]
  private extra?: Map<string, ContextValue>
  private iso?: string

  constructor(private readonly f: RequestFacts) {}

  get(key: string): ContextValue {
    if (this.f.conditions !== undefined) {
      const extra = this.extras().get(key)
      if (extra !== undefined) return extra
    }
    const fixed = FIXED.get(key)
    if (fixed !== undefined) return fixed(this.f, this)
    return this.prefixedValues().get(key)
  }

  time(key: string): number | undefined {
    if (key === 'aws:currenttime') return this.f.now
    if (key === 'aws:epochtime') return Math.floor(this.f.now / 1000) * 1000
    return undefined
  }

  currentTime(): string {
    this.iso ??= toDate(this.f.now).toISOString()
    return this.iso
  }

  encryptionContextKeys(): string[] {
    this.ecKeys ??= Object.keys(this.f.encryptionContext ?? {})
    return this.ecKeys
  }

  /** `kms:encryptioncontext:<k>`, `aws:principaltag/<k>`, `aws:resourcetag/<k>` → value. */
  private prefixedValues(): Map<string, string> {
    if (this.prefixed) return this.prefixed
    const m = new Map<string, string>()
    addPrefixed(m, EC_PREFIX, this.f.encryptionContext)
    addPrefixed(m, PRINCIPAL_TAG, this.f.caller.principalTags)
    addPrefixed(m, RESOURCE_TAG, this.f.resourceTags)
    this.prefixed = m
    return m
  }

  /** Operation-supplied keys (`kms:SigningAlgorithm`, `aws:RequestTag/k`, `aws:TagKeys`, …) win. */
  private extras(): Map<string, ContextValue> {
    if (this.extra) return this.extra
    const m = new Map<string, ContextValue>()
    const c = this.f.conditions
    if (c) for (const name in c) m.set(lower(name), asContextValue(c[name]))
    this.extra = m
    return m
  }
}

function addPrefixed(m: Map<string, string>, prefix: string, r: Record<string, string> | undefined): void {
  if (r) for (const k in r) m.set(prefix + k.toLowerCase(), r[k])
}

// Operation condition names are a few literals; remember their lowercase form.
const lowered = new Map<string, string>()
const MAX_LOWERED = 4096
function lower(name: string): string {
  let l = lowered.get(name)
  if (l === undefined) {
    if (lowered.size >= MAX_LOWERED) lowered.clear()
    l = name.toLowerCase()
    lowered.set(name, l)
  }
  return l
}
