/**
 * Allow/deny cases for the policy engine, written as setups a black-box runner can replay through
 * the real AWS SDK: which accounts and principals exist (tags, identity policies), which key with
 * which key policy and tags, which grants, which operation with which parameters, and the expected
 * decision with the statement (Sid), grant or administrator that decides it.
 *
 * Placeholders: `{{keyArn}}` in a policy is the case's key ARN; use `materialize` before use.
 */
import type { Decision } from '../../src/kms/policy/index.ts'

export const ACCOUNTS = { A: '111122223333', B: '444455556666' } as const
export type AccountRef = keyof typeof ACCOUNTS
export const REGION = 'us-east-1'
export const OTHER_KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNTS.A}:key/00000000-0000-0000-0000-000000000000`

type Doc = Record<string, unknown>

export interface CasePrincipal {
  account: AccountRef
  /** `root` is the account root user; `role` calls through an assumed-role session. */
  kind: 'user' | 'role' | 'root'
  name?: string
  tags?: Record<string, string>
  /** Identity policies attached to the principal. */
  policies?: Doc[]
  /** An account administrator (an identity policy allowing `*` on `*`). */
  admin?: boolean
}

export interface CaseGrant {
  /** Also the grant id the unit runner uses; a black-box runner maps it to the real GrantId. */
  name: string
  grantee: CasePrincipal
  operations: string[]
  constraints?: { encryptionContextSubset?: Record<string, string>; encryptionContextEquals?: Record<string, string> }
}

export interface PolicyCase {
  name: string
  /** The key the operation addresses; absent for account-level operations (CreateKey, GenerateRandom). */
  key?: {
    account?: AccountRef
    /** Omitted: AWS's default key policy (the account root may do everything). */
    policy?: Doc
    tags?: Record<string, string>
    spec?: string
    usage?: string
  }
  caller: CasePrincipal
  /** The AWS KMS operation the caller makes. */
  operation: string
  request?: {
    encryptionContext?: Record<string, string>
    /** The call names the key by this alias (`kms:RequestAlias`). */
    alias?: string
    signingAlgorithm?: string
    keySpec?: string
    multiRegion?: boolean
    tags?: Record<string, string>
    tagKeys?: string[]
    pendingWindowInDays?: number
    rotationPeriodInDays?: number
    grantOperations?: string[]
    granteePrincipal?: string
  }
  /** Facts the server sees; a black-box client over loopback HTTP has 127.0.0.1 and no TLS. */
  environment?: { sourceIp?: string; viaService?: string; secureTransport?: boolean }
  grants?: CaseGrant[]
  expect: { decision: Decision; by?: { source: 'key-policy' | 'identity-policy' | 'grant' | 'admin'; sid?: string; grant?: string } }
  /** Why the case cannot be replayed as is against a server over loopback HTTP. */
  blackbox?: string
}

export function principalArn(p: CasePrincipal): string {
  const acct = ACCOUNTS[p.account]
  if (p.kind === 'root') return `arn:aws:iam::${acct}:root`
  if (p.kind === 'role') return `arn:aws:sts::${acct}:assumed-role/${p.name}/session-1`
  return `arn:aws:iam::${acct}:user/${p.name}`
}

/** Replaces `{{keyArn}}` throughout a policy document. */
export function materialize<T>(doc: T, keyArn: string): T {
  return JSON.parse(JSON.stringify(doc).replaceAll('{{keyArn}}', keyArn)) as T
}

// --- building blocks -------------------------------------------------------------------------
const A = ACCOUNTS.A
const B = ACCOUNTS.B
const rootA = `arn:aws:iam::${A}:root`
const rootB = `arn:aws:iam::${B}:root`
const arnOf = (acct: string, user: string) => `arn:aws:iam::${acct}:user/${user}`
const policy = (...Statement: Doc[]): Doc => ({ Version: '2012-10-17', Statement })
const keyStmt = (Sid: string, Effect: 'Allow' | 'Deny', AWS: string | string[], Action: string | string[], Condition?: Doc): Doc => ({
  Sid,
  Effect,
  Principal: AWS === '*' ? '*' : { AWS },
  Action,
  Resource: '*',
  ...(Condition ? { Condition } : {}),
})
const idStmt = (Sid: string, Effect: 'Allow' | 'Deny', Action: string | string[], Resource: string | string[] = '{{keyArn}}', Condition?: Doc): Doc => ({
  Sid,
  Effect,
  Action,
  Resource,
  ...(Condition ? { Condition } : {}),
})
const delegateA = keyStmt('EnableIAM', 'Allow', rootA, 'kms:*')
const rootOnly = policy(delegateA)
const idAllow = (Action: string | string[], Condition?: Doc, Resource?: string | string[]) => policy(idStmt('IdAllow', 'Allow', Action, Resource, Condition))

const alice: CasePrincipal = { account: 'A', kind: 'user', name: 'alice' }
const bob: CasePrincipal = { account: 'A', kind: 'user', name: 'bob' }
const aliceWith = (...policies: Doc[]): CasePrincipal => ({ ...alice, policies })
const rootUserA: CasePrincipal = { account: 'A', kind: 'root' }
const adminA: CasePrincipal = { account: 'A', kind: 'user', name: 'admin', admin: true }
const bobB: CasePrincipal = { account: 'B', kind: 'user', name: 'bob' }
const bobBWith = (...policies: Doc[]): CasePrincipal => ({ ...bobB, policies })
const directAlice = (Condition?: Doc, Action: string | string[] = 'kms:Decrypt') => policy(delegateA, keyStmt('Alice', 'Allow', arnOf(A, 'alice'), Action, Condition))

const allow = (source: 'key-policy' | 'identity-policy' | 'admin', sid?: string) => ({ decision: 'Allow' as const, by: { source, ...(sid ? { sid } : {}) } })
const byGrant = (grant: string) => ({ decision: 'Allow' as const, by: { source: 'grant' as const, grant } })
const explicit = (source: 'key-policy' | 'identity-policy', sid: string) => ({ decision: 'ExplicitDeny' as const, by: { source, sid } })
const implicit = { decision: 'ImplicitDeny' as const }
const needsService = 'needs a call through SSM or Secrets Manager to set kms:ViaService'
const needsRole = 'needs an assumed-role session (STS AssumeRole)'

// --- the cases ---------------------------------------------------------------------------------
export const POLICY_CASES: PolicyCase[] = [
  // Principals: direct, delegation, `*`, account ids, roles, NotPrincipal
  { name: 'default key policy: the account root user may Decrypt', caller: rootUserA, operation: 'Decrypt', key: {}, expect: { decision: 'Allow', by: { source: 'key-policy', sid: 'Enable IAM User Permissions' } } },
  { name: 'default key policy: a user without identity policies is refused', caller: alice, operation: 'Decrypt', key: {}, expect: implicit },
  { name: 'default key policy delegates: identity policy allows Decrypt on the key', caller: aliceWith(idAllow('kms:Decrypt')), operation: 'Decrypt', key: {}, expect: allow('identity-policy', 'IdAllow') },
  { name: 'identity policy for another key does not reach this one', caller: aliceWith(idAllow('kms:Decrypt', undefined, OTHER_KEY_ARN)), operation: 'Decrypt', key: {}, expect: implicit },
  { name: 'key policy naming the user allows without an identity policy', caller: alice, operation: 'Decrypt', key: { policy: directAlice() }, expect: allow('key-policy', 'Alice') },
  {
    name: 'without delegation, an identity policy alone does not allow',
    caller: { ...bob, policies: [idAllow('kms:Decrypt')] },
    operation: 'Decrypt',
    key: { policy: policy(keyStmt('Alice', 'Allow', arnOf(A, 'alice'), 'kms:*')) },
    expect: implicit,
  },
  { name: 'Principal "*" allows a same-account user', caller: alice, operation: 'Encrypt', key: { policy: policy(keyStmt('Everyone', 'Allow', '*', 'kms:Encrypt')) }, expect: allow('key-policy', 'Everyone') },
  { name: 'Principal {"AWS": "*"} in a list allows', caller: alice, operation: 'Encrypt', key: { policy: policy(keyStmt('Everyone', 'Allow', ['*'], 'kms:Encrypt')) }, expect: allow('key-policy', 'Everyone') },
  { name: 'a bare account id delegates like the root ARN', caller: aliceWith(idAllow('kms:Decrypt')), operation: 'Decrypt', key: { policy: policy(keyStmt('Acct', 'Allow', A, 'kms:*')) }, expect: allow('identity-policy', 'IdAllow') },
  { name: 'a bare account id does not allow a user by itself', caller: alice, operation: 'Decrypt', key: { policy: policy(keyStmt('Acct', 'Allow', A, 'kms:*')) }, expect: implicit },
  {
    name: 'key policy naming a role allows its assumed-role sessions',
    caller: { account: 'A', kind: 'role', name: 'app' },
    operation: 'Decrypt',
    key: { policy: policy(keyStmt('AppRole', 'Allow', `arn:aws:iam::${A}:role/app`, 'kms:Decrypt')) },
    expect: allow('key-policy', 'AppRole'),
    blackbox: needsRole,
  },
  {
    name: 'a session of another role is not the named role',
    caller: { account: 'A', kind: 'role', name: 'other' },
    operation: 'Decrypt',
    key: { policy: policy(keyStmt('AppRole', 'Allow', `arn:aws:iam::${A}:role/app`, 'kms:Decrypt')) },
    expect: implicit,
    blackbox: needsRole,
  },
  {
    name: 'Deny with NotPrincipal spares a principal listed with its account',
    caller: alice,
    operation: 'Decrypt',
    key: { policy: policy(keyStmt('All', 'Allow', '*', 'kms:*'), { Sid: 'OnlyAlice', Effect: 'Deny', NotPrincipal: { AWS: [arnOf(A, 'alice'), rootA] }, Action: 'kms:*', Resource: '*' }) },
    expect: allow('key-policy', 'All'),
  },
  {
    name: 'Deny with NotPrincipal denies everyone not listed',
    caller: bob,
    operation: 'Decrypt',
    key: { policy: policy(keyStmt('All', 'Allow', '*', 'kms:*'), { Sid: 'OnlyAlice', Effect: 'Deny', NotPrincipal: { AWS: [arnOf(A, 'alice'), rootA] }, Action: 'kms:*', Resource: '*' }) },
    expect: explicit('key-policy', 'OnlyAlice'),
  },
  {
    name: 'NotPrincipal listing the user without its account still denies it (AWS rule)',
    caller: alice,
    operation: 'Decrypt',
    key: { policy: policy(keyStmt('All', 'Allow', '*', 'kms:*'), { Sid: 'OnlyAlice', Effect: 'Deny', NotPrincipal: { AWS: arnOf(A, 'alice') }, Action: 'kms:*', Resource: '*' }) },
    expect: explicit('key-policy', 'OnlyAlice'),
  },
  { name: 'Allow with NotPrincipal applies to principals not listed', caller: alice, operation: 'Encrypt', key: { policy: policy({ Sid: 'NotBob', Effect: 'Allow', NotPrincipal: { AWS: arnOf(A, 'bob') }, Action: 'kms:Encrypt', Resource: '*' }) }, expect: allow('key-policy', 'NotBob') },

  // Actions: wildcards, case, NotAction
  { name: 'Action kms:Gen* allows GenerateDataKey', caller: alice, operation: 'GenerateDataKey', key: { policy: directAlice(undefined, 'kms:Gen*') }, expect: allow('key-policy', 'Alice') },
  { name: 'Action kms:Gen* does not allow Decrypt', caller: alice, operation: 'Decrypt', key: { policy: directAlice(undefined, 'kms:Gen*') }, expect: implicit },
  { name: 'Action with ? matches one character', caller: alice, operation: 'Encrypt', key: { policy: directAlice(undefined, 'kms:?ncrypt') }, expect: allow('key-policy', 'Alice') },
  { name: 'Action matching ignores case', caller: alice, operation: 'Decrypt', key: { policy: directAlice(undefined, 'KMS:DECRYPT') }, expect: allow('key-policy', 'Alice') },
  { name: 'Action list: any entry matches', caller: alice, operation: 'DescribeKey', key: { policy: directAlice(undefined, ['kms:Encrypt', 'kms:DescribeKey']) }, expect: allow('key-policy', 'Alice') },
  {
    name: 'Allow NotAction allows the actions not listed',
    caller: alice,
    operation: 'Decrypt',
    key: { policy: policy({ Sid: 'AllButDelete', Effect: 'Allow', Principal: { AWS: arnOf(A, 'alice') }, NotAction: 'kms:ScheduleKeyDeletion', Resource: '*' }) },
    expect: allow('key-policy', 'AllButDelete'),
  },
  {
    name: 'Allow NotAction does not allow the listed action',
    caller: alice,
    operation: 'ScheduleKeyDeletion',
    request: { pendingWindowInDays: 30 },
    key: { policy: policy({ Sid: 'AllButDelete', Effect: 'Allow', Principal: { AWS: arnOf(A, 'alice') }, NotAction: 'kms:ScheduleKeyDeletion', Resource: '*' }) },
    expect: implicit,
  },
  {
    name: 'Deny NotAction denies everything else',
    caller: alice,
    operation: 'Encrypt',
    key: { policy: policy(keyStmt('All', 'Allow', '*', 'kms:*'), { Sid: 'OnlyRead', Effect: 'Deny', Principal: '*', NotAction: ['kms:Decrypt', 'kms:DescribeKey'], Resource: '*' }) },
    expect: explicit('key-policy', 'OnlyRead'),
  },
  {
    name: 'Deny NotAction leaves the listed actions allowed',
    caller: alice,
    operation: 'Decrypt',
    key: { policy: policy(keyStmt('All', 'Allow', '*', 'kms:*'), { Sid: 'OnlyRead', Effect: 'Deny', Principal: '*', NotAction: ['kms:Decrypt', 'kms:DescribeKey'], Resource: '*' }) },
    expect: allow('key-policy', 'All'),
  },

  // Resources
  { name: 'identity Resource with wildcards covers the key', caller: aliceWith(idAllow('kms:Decrypt', undefined, `arn:aws:kms:*:${A}:key/*`)), operation: 'Decrypt', key: {}, expect: allow('identity-policy', 'IdAllow') },
  { name: 'identity Resource for another account does not cover the key', caller: aliceWith(idAllow('kms:Decrypt', undefined, `arn:aws:kms:*:${B}:key/*`)), operation: 'Decrypt', key: {}, expect: implicit },
  { name: 'identity NotResource excluding the key does not allow it', caller: aliceWith(policy({ Sid: 'NotThis', Effect: 'Allow', Action: 'kms:Decrypt', NotResource: '{{keyArn}}' })), operation: 'Decrypt', key: {}, expect: implicit },
  { name: 'identity NotResource excluding another key allows this one', caller: aliceWith(policy({ Sid: 'NotOther', Effect: 'Allow', Action: 'kms:Decrypt', NotResource: OTHER_KEY_ARN })), operation: 'Decrypt', expect: allow('identity-policy', 'NotOther'), key: {} },

  // Account-level operations: identity policies alone
  { name: 'CreateKey allowed by an identity policy on *', caller: aliceWith(idAllow('kms:CreateKey', undefined, '*')), operation: 'CreateKey', expect: allow('identity-policy', 'IdAllow') },
  { name: 'CreateKey refused without an identity policy', caller: alice, operation: 'CreateKey', expect: implicit },
  { name: 'CreateKey allowed for the account administrator', caller: adminA, operation: 'CreateKey', expect: allow('admin') },
  { name: 'CreateKey limited to symmetric keys refuses RSA_2048', caller: aliceWith(idAllow('kms:CreateKey', { StringEquals: { 'kms:KeySpec': 'SYMMETRIC_DEFAULT' } }, '*')), operation: 'CreateKey', request: { keySpec: 'RSA_2048' }, expect: implicit },
  { name: 'CreateKey refusing multi-Region keys with Bool kms:MultiRegion', caller: aliceWith(policy(idStmt('Create', 'Allow', 'kms:CreateKey', '*'), idStmt('NoMrk', 'Deny', 'kms:CreateKey', '*', { Bool: { 'kms:MultiRegion': 'true' } }))), operation: 'CreateKey', request: { multiRegion: true }, expect: explicit('identity-policy', 'NoMrk') },
  { name: 'GenerateRandom allowed by an identity policy', caller: aliceWith(idAllow('kms:GenerateRandom', undefined, '*')), operation: 'GenerateRandom', expect: allow('identity-policy', 'IdAllow') },

  // String operators
  { name: 'StringEquals on an encryption context key: key name without case', caller: alice, operation: 'Decrypt', request: { encryptionContext: { department: 'IT' } }, key: { policy: directAlice({ StringEquals: { 'kms:EncryptionContext:Department': 'IT' } }) }, expect: allow('key-policy', 'Alice') },
  { name: 'StringEquals on an encryption context value is case-sensitive', caller: alice, operation: 'Decrypt', request: { encryptionContext: { Department: 'it' } }, key: { policy: directAlice({ StringEquals: { 'kms:EncryptionContext:Department': 'IT' } }) }, expect: implicit },
  { name: 'StringEqualsIgnoreCase accepts another case', caller: alice, operation: 'Decrypt', request: { encryptionContext: { Department: 'it' } }, key: { policy: directAlice({ StringEqualsIgnoreCase: { 'kms:EncryptionContext:Department': 'IT' } }) }, expect: allow('key-policy', 'Alice') },
  { name: 'StringEquals with several values: any one matches', caller: alice, operation: 'Decrypt', request: { encryptionContext: { stage: 'qa' } }, key: { policy: directAlice({ StringEquals: { 'kms:EncryptionContext:stage': ['dev', 'qa'] } }) }, expect: allow('key-policy', 'Alice') },
  { name: 'StringEquals on a missing key is false', caller: alice, operation: 'Decrypt', key: { policy: directAlice({ StringEquals: { 'kms:EncryptionContext:stage': 'dev' } }) }, expect: implicit },
  { name: 'StringNotEquals on a missing key is true', caller: alice, operation: 'Decrypt', key: { policy: directAlice({ StringNotEquals: { 'kms:EncryptionContext:stage': 'prod' } }) }, expect: allow('key-policy', 'Alice') },
  { name: 'StringNotEquals with several values: must match none', caller: alice, operation: 'Decrypt', request: { encryptionContext: { stage: 'prod' } }, key: { policy: directAlice({ StringNotEquals: { 'kms:EncryptionContext:stage': ['prod', 'staging'] } }) }, expect: implicit },
  { name: 'StringLike with a wildcard', caller: alice, operation: 'Decrypt', request: { encryptionContext: { AppName: 'ExampleApp-7' } }, key: { policy: directAlice({ StringLike: { 'kms:EncryptionContext:AppName': 'ExampleApp*' } }) }, expect: allow('key-policy', 'Alice') },
  {
    name: 'Deny with StringNotLike on aws:PrincipalArn',
    caller: aliceWith(idAllow('kms:*')),
    operation: 'Encrypt',
    key: { policy: policy(delegateA, keyStmt('OnlyAdmins', 'Deny', '*', 'kms:*', { StringNotLike: { 'aws:PrincipalArn': [`arn:aws:iam::${A}:role/Admin*`, rootA] } })) },
    expect: explicit('key-policy', 'OnlyAdmins'),
  },
  { name: 'kms:CallerAccount StringEquals the caller account', caller: alice, operation: 'Encrypt', key: { policy: policy(keyStmt('ByAccount', 'Allow', '*', 'kms:Encrypt', { StringEquals: { 'kms:CallerAccount': A } })) }, expect: allow('key-policy', 'ByAccount') },
  { name: 'aws:PrincipalAccount for another account is false', caller: alice, operation: 'Encrypt', key: { policy: policy(keyStmt('ByAccount', 'Allow', '*', 'kms:Encrypt', { StringEquals: { 'aws:PrincipalAccount': B } })) }, expect: implicit },

  // Numeric and date operators
  { name: 'NumericGreaterThanEquals: a 30-day deletion window is allowed', caller: alice, operation: 'ScheduleKeyDeletion', request: { pendingWindowInDays: 30 }, key: { policy: directAlice({ NumericGreaterThanEquals: { 'kms:ScheduleKeyDeletionPendingWindowInDays': 21 } }, 'kms:ScheduleKeyDeletion') }, expect: allow('key-policy', 'Alice') },
  { name: 'NumericGreaterThanEquals: a 7-day deletion window is refused', caller: alice, operation: 'ScheduleKeyDeletion', request: { pendingWindowInDays: 7 }, key: { policy: directAlice({ NumericGreaterThanEquals: { 'kms:ScheduleKeyDeletionPendingWindowInDays': 21 } }, 'kms:ScheduleKeyDeletion') }, expect: implicit },
  { name: 'NumericLessThanEquals on kms:RotationPeriodInDays', caller: alice, operation: 'EnableKeyRotation', request: { rotationPeriodInDays: 180 }, key: { policy: directAlice({ NumericLessThanEquals: { 'kms:RotationPeriodInDays': '365' } }, 'kms:EnableKeyRotation') }, expect: allow('key-policy', 'Alice') },
  { name: 'NumericNotEquals refuses the listed value', caller: alice, operation: 'EnableKeyRotation', request: { rotationPeriodInDays: 90 }, key: { policy: directAlice({ NumericNotEquals: { 'kms:RotationPeriodInDays': 90 } }, 'kms:EnableKeyRotation') }, expect: implicit },
  { name: 'DateLessThan a future ISO date allows now', caller: alice, operation: 'Decrypt', key: { policy: directAlice({ DateLessThan: { 'aws:CurrentTime': '2100-01-01T00:00:00Z' } }) }, expect: allow('key-policy', 'Alice') },
  { name: 'DateGreaterThan a future ISO date refuses now', caller: alice, operation: 'Decrypt', key: { policy: directAlice({ DateGreaterThan: { 'aws:CurrentTime': '2100-01-01T00:00:00Z' } }) }, expect: implicit },
  { name: 'DateGreaterThan epoch seconds (year 2000) allows now', caller: alice, operation: 'Decrypt', key: { policy: directAlice({ DateGreaterThan: { 'aws:CurrentTime': '946684800' } }) }, expect: allow('key-policy', 'Alice') },

  // Bool, Null, IP, ARN
  { name: 'Deny over plain HTTP with Bool aws:SecureTransport false', caller: alice, operation: 'Decrypt', environment: { secureTransport: false }, key: { policy: policy(keyStmt('Alice', 'Allow', arnOf(A, 'alice'), 'kms:*'), keyStmt('TlsOnly', 'Deny', '*', 'kms:*', { Bool: { 'aws:SecureTransport': 'false' } })) }, expect: explicit('key-policy', 'TlsOnly') },
  { name: 'Bool aws:SecureTransport over TLS leaves the allow', caller: alice, operation: 'Decrypt', environment: { secureTransport: true }, key: { policy: policy(keyStmt('Alice', 'Allow', arnOf(A, 'alice'), 'kms:*'), keyStmt('TlsOnly', 'Deny', '*', 'kms:*', { Bool: { 'aws:SecureTransport': 'false' } })) }, expect: allow('key-policy', 'Alice'), blackbox: 'needs the server behind TLS' },
  { name: 'Null denies a call without encryption context', caller: alice, operation: 'Encrypt', key: { policy: policy(keyStmt('Alice', 'Allow', arnOf(A, 'alice'), 'kms:*'), keyStmt('NeedContext', 'Deny', '*', 'kms:Encrypt', { Null: { 'kms:EncryptionContextKeys': 'true' } })) }, expect: explicit('key-policy', 'NeedContext') },
  { name: 'Null lets a call with encryption context through', caller: alice, operation: 'Encrypt', request: { encryptionContext: { a: 'b' } }, key: { policy: policy(keyStmt('Alice', 'Allow', arnOf(A, 'alice'), 'kms:*'), keyStmt('NeedContext', 'Deny', '*', 'kms:Encrypt', { Null: { 'kms:EncryptionContextKeys': 'true' } })) }, expect: allow('key-policy', 'Alice') },
  { name: 'IpAddress with an IPv4 CIDR', caller: alice, operation: 'Decrypt', environment: { sourceIp: '127.0.0.1' }, key: { policy: directAlice({ IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } }) }, expect: allow('key-policy', 'Alice') },
  { name: 'IpAddress with an IPv6 CIDR', caller: alice, operation: 'Decrypt', environment: { sourceIp: '2001:db8::5' }, key: { policy: directAlice({ IpAddress: { 'aws:SourceIp': '2001:db8::/32' } }) }, expect: allow('key-policy', 'Alice'), blackbox: 'needs an IPv6 client address' },
  { name: 'IpAddress outside the range is false', caller: alice, operation: 'Decrypt', environment: { sourceIp: '127.0.0.1' }, key: { policy: directAlice({ IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }) }, expect: implicit },
  { name: 'Deny NotIpAddress from outside the corporate range', caller: alice, operation: 'Decrypt', environment: { sourceIp: '127.0.0.1' }, key: { policy: policy(keyStmt('Alice', 'Allow', arnOf(A, 'alice'), 'kms:*'), keyStmt('CorpOnly', 'Deny', '*', 'kms:*', { NotIpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:db8::/32'] } })) }, expect: explicit('key-policy', 'CorpOnly') },
  { name: 'ArnLike on aws:PrincipalArn matches alice', caller: alice, operation: 'Encrypt', key: { policy: policy(keyStmt('AUsers', 'Allow', '*', 'kms:Encrypt', { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${A}:user/a*` } })) }, expect: allow('key-policy', 'AUsers') },
  { name: 'ArnLike on aws:PrincipalArn does not match bob', caller: bob, operation: 'Encrypt', key: { policy: policy(keyStmt('AUsers', 'Allow', '*', 'kms:Encrypt', { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${A}:user/a*` } })) }, expect: implicit },
  { name: 'ArnEquals on aws:PrincipalArn', caller: bob, operation: 'Encrypt', key: { policy: policy(keyStmt('Bob', 'Allow', '*', 'kms:Encrypt', { ArnEquals: { 'aws:PrincipalArn': arnOf(A, 'bob') } })) }, expect: allow('key-policy', 'Bob') },
  { name: 'Deny ArnNotEquals anyone but alice', caller: bob, operation: 'Encrypt', key: { policy: policy(keyStmt('All', 'Allow', '*', 'kms:*'), keyStmt('OnlyAlice', 'Deny', '*', 'kms:*', { ArnNotEquals: { 'aws:PrincipalArn': arnOf(A, 'alice') } })) }, expect: explicit('key-policy', 'OnlyAlice') },

  // IfExists, ForAnyValue, ForAllValues
  { name: 'StringEqualsIfExists: missing kms:ViaService is true', caller: alice, operation: 'Decrypt', key: { policy: directAlice({ StringEqualsIfExists: { 'kms:ViaService': 'ssm.us-east-1.amazonaws.com' } }) }, expect: allow('key-policy', 'Alice') },
  { name: 'StringEqualsIfExists: another service is refused', caller: alice, operation: 'Decrypt', environment: { viaService: 'secretsmanager.us-east-1.amazonaws.com' }, key: { policy: directAlice({ StringEqualsIfExists: { 'kms:ViaService': 'ssm.us-east-1.amazonaws.com' } }) }, expect: implicit, blackbox: needsService },
  { name: 'kms:ViaService StringEquals allows calls through SSM', caller: alice, operation: 'Decrypt', environment: { viaService: 'ssm.us-east-1.amazonaws.com' }, key: { policy: directAlice({ StringEquals: { 'kms:ViaService': 'ssm.us-east-1.amazonaws.com' } }) }, expect: allow('key-policy', 'Alice'), blackbox: needsService },
  { name: 'kms:ViaService StringEquals refuses direct calls', caller: alice, operation: 'Decrypt', key: { policy: directAlice({ StringEquals: { 'kms:ViaService': 'ssm.us-east-1.amazonaws.com' } }) }, expect: implicit },
  { name: 'ForAnyValue:StringEquals on kms:EncryptionContextKeys', caller: alice, operation: 'Encrypt', request: { encryptionContext: { tenant: 't1', x: 'y' } }, key: { policy: directAlice({ 'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': 'tenant' } }, 'kms:Encrypt') }, expect: allow('key-policy', 'Alice') },
  { name: 'ForAnyValue on an empty set is false', caller: alice, operation: 'Encrypt', key: { policy: directAlice({ 'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': 'tenant' } }, 'kms:Encrypt') }, expect: implicit },
  { name: 'ForAllValues:StringEquals refuses an unlisted context key', caller: alice, operation: 'Encrypt', request: { encryptionContext: { tenant: 't1', other: 'x' } }, key: { policy: directAlice({ 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['tenant', 'purpose'] } }, 'kms:Encrypt') }, expect: implicit },
  { name: 'ForAllValues:StringEquals allows listed context keys', caller: alice, operation: 'Encrypt', request: { encryptionContext: { tenant: 't1', purpose: 'x' } }, key: { policy: directAlice({ 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['tenant', 'purpose'] } }, 'kms:Encrypt') }, expect: allow('key-policy', 'Alice') },
  { name: 'ForAllValues on an empty set is true (AWS pitfall)', caller: alice, operation: 'Encrypt', key: { policy: directAlice({ 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['tenant'] } }, 'kms:Encrypt') }, expect: allow('key-policy', 'Alice') },
  { name: 'ForAllValues:StringLike on aws:TagKeys for TagResource', caller: alice, operation: 'TagResource', request: { tags: { 'team-a': 'x', 'team-b': 'y' } }, key: { policy: directAlice({ 'ForAllValues:StringLike': { 'aws:TagKeys': 'team-*' } }, 'kms:TagResource') }, expect: allow('key-policy', 'Alice') },
  { name: 'ForAllValues:StringLike on aws:TagKeys refuses other tag keys', caller: alice, operation: 'TagResource', request: { tags: { 'team-a': 'x', owner: 'y' } }, key: { policy: directAlice({ 'ForAllValues:StringLike': { 'aws:TagKeys': 'team-*' } }, 'kms:TagResource') }, expect: implicit },
  {
    name: 'ForAnyValue:StringEquals kms:GrantOperations lets CreateGrant for Decrypt',
    caller: alice,
    operation: 'CreateGrant',
    request: { grantOperations: ['Decrypt', 'Encrypt'], granteePrincipal: arnOf(A, 'bob') },
    key: { policy: directAlice({ 'ForAllValues:StringEquals': { 'kms:GrantOperations': ['Decrypt', 'Encrypt'] } }, 'kms:CreateGrant') },
    expect: allow('key-policy', 'Alice'),
  },
  {
    name: 'ForAllValues:StringEquals kms:GrantOperations refuses a wider grant',
    caller: alice,
    operation: 'CreateGrant',
    request: { grantOperations: ['Decrypt', 'RetireGrant', 'CreateGrant'], granteePrincipal: arnOf(A, 'bob') },
    key: { policy: directAlice({ 'ForAllValues:StringEquals': { 'kms:GrantOperations': ['Decrypt', 'Encrypt'] } }, 'kms:CreateGrant') },
    expect: implicit,
  },
  { name: 'kms:SigningAlgorithm allows the named algorithm', caller: alice, operation: 'Sign', request: { signingAlgorithm: 'RSASSA_PSS_SHA_256' }, key: { spec: 'RSA_2048', usage: 'SIGN_VERIFY', policy: directAlice({ StringEquals: { 'kms:SigningAlgorithm': 'RSASSA_PSS_SHA_256' } }, 'kms:Sign') }, expect: allow('key-policy', 'Alice') },
  { name: 'kms:SigningAlgorithm refuses another algorithm', caller: alice, operation: 'Sign', request: { signingAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' }, key: { spec: 'RSA_2048', usage: 'SIGN_VERIFY', policy: directAlice({ StringEquals: { 'kms:SigningAlgorithm': 'RSASSA_PSS_SHA_256' } }, 'kms:Sign') }, expect: implicit },
  { name: 'kms:RequestAlias allows use through the alias', caller: alice, operation: 'Encrypt', request: { alias: 'alias/app' }, key: { policy: directAlice({ StringEquals: { 'kms:RequestAlias': 'alias/app' } }, 'kms:Encrypt') }, expect: allow('key-policy', 'Alice') },
  { name: 'kms:RequestAlias refuses use by key id', caller: alice, operation: 'Encrypt', key: { policy: directAlice({ StringEquals: { 'kms:RequestAlias': 'alias/app' } }, 'kms:Encrypt') }, expect: implicit },
  { name: 'kms:KeySpec of the key on Decrypt', caller: alice, operation: 'Decrypt', key: { policy: directAlice({ StringEquals: { 'kms:KeySpec': 'SYMMETRIC_DEFAULT', 'kms:KeyUsage': 'ENCRYPT_DECRYPT' } }) }, expect: allow('key-policy', 'Alice') },

  // Explicit deny wins
  { name: 'key policy Deny beats its own Allow', caller: alice, operation: 'Decrypt', key: { policy: policy(keyStmt('Alice', 'Allow', arnOf(A, 'alice'), 'kms:*'), keyStmt('NoDecrypt', 'Deny', arnOf(A, 'alice'), 'kms:Decrypt')) }, expect: explicit('key-policy', 'NoDecrypt') },
  { name: 'identity policy Deny beats a key policy Allow', caller: aliceWith(policy(idStmt('NoDecrypt', 'Deny', 'kms:Decrypt', '*'))), operation: 'Decrypt', key: { policy: directAlice() }, expect: explicit('identity-policy', 'NoDecrypt') },
  { name: 'identity policy Deny beats an identity policy Allow', caller: aliceWith(idAllow('kms:*'), policy(idStmt('NoDelete', 'Deny', 'kms:ScheduleKeyDeletion', '*'))), operation: 'ScheduleKeyDeletion', request: { pendingWindowInDays: 30 }, key: {}, expect: explicit('identity-policy', 'NoDelete') },
  { name: 'key policy Deny for the account denies its users', caller: aliceWith(idAllow('kms:*')), operation: 'Decrypt', key: { policy: policy(delegateA, keyStmt('NoAcct', 'Deny', rootA, 'kms:Decrypt')) }, expect: explicit('key-policy', 'NoAcct') },
  { name: 'key policy Deny beats a grant', caller: alice, operation: 'Decrypt', key: { policy: policy(delegateA, keyStmt('NoDecrypt', 'Deny', '*', 'kms:Decrypt')) }, grants: [{ name: 'g-alice', grantee: alice, operations: ['Decrypt'] }], expect: explicit('key-policy', 'NoDecrypt') },

  // Cross-account: both sides must allow
  { name: 'cross-account: key policy names the account and the identity policy allows', caller: bobBWith(idAllow('kms:Decrypt')), operation: 'Decrypt', key: { policy: policy(delegateA, keyStmt('AcctB', 'Allow', rootB, ['kms:Decrypt', 'kms:DescribeKey'])) }, expect: allow('identity-policy', 'IdAllow') },
  { name: 'cross-account: key policy names the account, no identity policy', caller: bobB, operation: 'Decrypt', key: { policy: policy(delegateA, keyStmt('AcctB', 'Allow', rootB, 'kms:Decrypt')) }, expect: implicit },
  { name: 'cross-account: identity policy alone is not enough', caller: bobBWith(idAllow('kms:Decrypt')), operation: 'Decrypt', key: {}, expect: implicit },
  { name: 'cross-account: key policy names the user, no identity policy', caller: bobB, operation: 'Decrypt', key: { policy: policy(delegateA, keyStmt('BobB', 'Allow', arnOf(B, 'bob'), 'kms:Decrypt')) }, expect: implicit },
  { name: 'cross-account: key policy names the user and the identity policy allows', caller: bobBWith(idAllow('kms:Decrypt')), operation: 'Decrypt', key: { policy: policy(delegateA, keyStmt('BobB', 'Allow', arnOf(B, 'bob'), 'kms:Decrypt')) }, expect: allow('key-policy', 'BobB') },
  { name: 'cross-account: the other account root user', caller: { account: 'B', kind: 'root' }, operation: 'Decrypt', key: { policy: policy(delegateA, keyStmt('AcctB', 'Allow', rootB, 'kms:Decrypt')) }, expect: allow('key-policy', 'AcctB') },
  { name: 'cross-account: an administrator of the other account is refused by the default policy', caller: { account: 'B', kind: 'user', name: 'admin', admin: true }, operation: 'Decrypt', key: {}, expect: implicit },

  // Grants
  { name: 'grant allows Decrypt without any policy allowing it', caller: alice, operation: 'Decrypt', key: { policy: rootOnly }, grants: [{ name: 'g-alice', grantee: alice, operations: ['Decrypt'] }], expect: byGrant('g-alice') },
  { name: 'grant with EncryptionContextSubset: context contains the pairs', caller: alice, operation: 'Decrypt', request: { encryptionContext: { tenant: 't1', extra: 'x' } }, key: { policy: rootOnly }, grants: [{ name: 'g-sub', grantee: alice, operations: ['Decrypt'], constraints: { encryptionContextSubset: { tenant: 't1' } } }], expect: byGrant('g-sub') },
  { name: 'grant with EncryptionContextSubset: another value is refused', caller: alice, operation: 'Decrypt', request: { encryptionContext: { tenant: 't2' } }, key: { policy: rootOnly }, grants: [{ name: 'g-sub', grantee: alice, operations: ['Decrypt'], constraints: { encryptionContextSubset: { tenant: 't1' } } }], expect: implicit },
  { name: 'grant with EncryptionContextEquals: exact context', caller: alice, operation: 'Encrypt', request: { encryptionContext: { tenant: 't1' } }, key: { policy: rootOnly }, grants: [{ name: 'g-eq', grantee: alice, operations: ['Encrypt'], constraints: { encryptionContextEquals: { tenant: 't1' } } }], expect: byGrant('g-eq') },
  { name: 'grant with EncryptionContextEquals: an extra pair is refused', caller: alice, operation: 'Encrypt', request: { encryptionContext: { tenant: 't1', x: 'y' } }, key: { policy: rootOnly }, grants: [{ name: 'g-eq', grantee: alice, operations: ['Encrypt'], constraints: { encryptionContextEquals: { tenant: 't1' } } }], expect: implicit },
  { name: 'grant for Encrypt does not allow Decrypt', caller: alice, operation: 'Decrypt', key: { policy: rootOnly }, grants: [{ name: 'g-enc', grantee: alice, operations: ['Encrypt'] }], expect: implicit },
  { name: 'grant to bob does not help alice', caller: alice, operation: 'Decrypt', key: { policy: rootOnly }, grants: [{ name: 'g-bob', grantee: bob, operations: ['Decrypt'] }], expect: implicit },
  { name: 'cross-account grant works without the key policy naming the account', caller: bobB, operation: 'Decrypt', key: { policy: rootOnly }, grants: [{ name: 'g-bobB', grantee: bobB, operations: ['Decrypt'] }], expect: byGrant('g-bobB') },

  // Administrators and the account root
  { name: 'administrator may use a key whose policy delegates to the account', caller: adminA, operation: 'ScheduleKeyDeletion', request: { pendingWindowInDays: 7 }, key: {}, expect: allow('admin') },
  { name: 'administrator is refused by a key policy that does not delegate', caller: adminA, operation: 'Decrypt', key: { policy: policy(keyStmt('Alice', 'Allow', arnOf(A, 'alice'), 'kms:*')) }, expect: implicit },
  { name: 'root user is refused by a key policy that does not name the account', caller: rootUserA, operation: 'PutKeyPolicy', key: { policy: policy(keyStmt('Alice', 'Allow', arnOf(A, 'alice'), 'kms:*')) }, expect: implicit },
  { name: 'administrator is still subject to its explicit denies', caller: { ...adminA, policies: [policy(idStmt('NoDelete', 'Deny', 'kms:ScheduleKeyDeletion', '*'))] }, operation: 'ScheduleKeyDeletion', request: { pendingWindowInDays: 7 }, key: {}, expect: explicit('identity-policy', 'NoDelete') },

  // ABAC: principal tags against resource tags, request tags
  {
    name: 'ABAC: aws:ResourceTag/team equals ${aws:PrincipalTag/team}',
    caller: { ...alice, tags: { team: 'blue' }, policies: [idAllow('kms:Decrypt', { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } }, `arn:aws:kms:*:${A}:key/*`)] },
    operation: 'Decrypt',
    key: { tags: { team: 'blue' } },
    expect: allow('identity-policy', 'IdAllow'),
  },
  {
    name: 'ABAC: another team is refused',
    caller: { ...alice, tags: { team: 'red' }, policies: [idAllow('kms:Decrypt', { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } }, `arn:aws:kms:*:${A}:key/*`)] },
    operation: 'Decrypt',
    key: { tags: { team: 'blue' } },
    expect: implicit,
  },
  {
    name: 'ABAC: an untagged principal is refused',
    caller: { ...alice, policies: [idAllow('kms:Decrypt', { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } }, `arn:aws:kms:*:${A}:key/*`)] },
    operation: 'Decrypt',
    key: { tags: { team: 'blue' } },
    expect: implicit,
  },
  { name: 'ABAC: key policy on aws:PrincipalTag/role', caller: { ...alice, tags: { role: 'ops' } }, operation: 'DescribeKey', key: { policy: policy(keyStmt('Ops', 'Allow', '*', 'kms:DescribeKey', { StringEquals: { 'aws:PrincipalTag/role': 'ops' } })) }, expect: allow('key-policy', 'Ops') },
  { name: 'ABAC: resource tag key names match without case', caller: aliceWith(idAllow('kms:Decrypt', { StringEquals: { 'aws:ResourceTag/Team': 'blue' } })), operation: 'Decrypt', key: { tags: { team: 'blue' } }, expect: allow('identity-policy', 'IdAllow') },
  { name: 'aws:RequestTag/env on CreateKey allows dev', caller: aliceWith(idAllow('kms:CreateKey', { StringEquals: { 'aws:RequestTag/env': 'dev' } }, '*')), operation: 'CreateKey', request: { tags: { env: 'dev' } }, expect: allow('identity-policy', 'IdAllow') },
  { name: 'aws:RequestTag/env on CreateKey refuses prod', caller: aliceWith(idAllow('kms:CreateKey', { StringEquals: { 'aws:RequestTag/env': 'dev' } }, '*')), operation: 'CreateKey', request: { tags: { env: 'prod' } }, expect: implicit },
]
