/**
 * Turns a PolicyCase into what the KMS core hands the authorizer: a Caller, a KeyRecord-shaped
 * key, grants, and the AuthzRequest the real operation builds (action, grantOperation, the
 * operation's condition keys). Black-box runners do not need this: they make the real call.
 */
import type { AuthzRequest, Caller, Grant } from '../../src/kms/index.ts'
import type { KeyRecord } from '../../src/kms/keys/record.ts'
import { ACCOUNTS, type CasePrincipal, type PolicyCase, REGION, materialize, principalArn } from './policy-cases.ts'

export const CASE_KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab'

const ADMIN_POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] })

// The operations a grant can allow (AWS GrantOperation enum).
const GRANTABLE = new Set(['Decrypt', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'ReEncryptFrom', 'ReEncryptTo', 'Sign', 'Verify', 'GetPublicKey', 'CreateGrant', 'RetireGrant', 'DescribeKey', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext', 'GenerateMac', 'VerifyMac', 'DeriveSharedSecret'])

export function caseKeyArn(c: PolicyCase): string {
  return `arn:aws:kms:${REGION}:${ACCOUNTS[c.key?.account ?? 'A']}:key/${CASE_KEY_ID}`
}

export function defaultPolicyFor(account: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' }],
  })
}

export function caseCaller(p: CasePrincipal, c: PolicyCase, keyArn: string): Caller {
  const policies = (p.policies ?? []).map((d) => JSON.stringify(materialize(d, keyArn)))
  if (p.admin) policies.push(ADMIN_POLICY)
  return {
    account: ACCOUNTS[p.account],
    principalArn: principalArn(p),
    region: REGION,
    ...(p.tags ? { principalTags: p.tags } : {}),
    ...(policies.length ? { policies } : {}),
    ...(p.admin ? { admin: true } : {}),
    ...(c.environment?.sourceIp ? { sourceIp: c.environment.sourceIp } : {}),
    ...(c.environment?.viaService ? { viaService: c.environment.viaService } : {}),
    ...(c.environment?.secureTransport === undefined ? {} : { secureTransport: c.environment.secureTransport }),
  }
}

export function caseKey(c: PolicyCase): KeyRecord | undefined {
  if (!c.key) return undefined
  const account = ACCOUNTS[c.key.account ?? 'A']
  const arn = caseKeyArn(c)
  return {
    region: REGION,
    id: CASE_KEY_ID,
    account,
    arn,
    spec: c.key.spec ?? 'SYMMETRIC_DEFAULT',
    usage: c.key.usage ?? 'ENCRYPT_DECRYPT',
    origin: 'AWS_KMS',
    keyManager: 'CUSTOMER',
    state: 'Enabled',
    description: '',
    policy: c.key.policy ? JSON.stringify(materialize(c.key.policy, arn)) : defaultPolicyFor(account),
    createdAt: 0,
    deletionDate: null,
    pendingWindowDays: null,
    multiRegion: false,
    primaryRegion: null,
    rotationEnabled: false,
    rotationPeriodDays: null,
    nextRotationAt: null,
    onDemandRotations: 0,
    currentVersion: 1,
    validTo: null,
    expirationModel: null,
    revision: 1,
  }
}

export function caseGrants(c: PolicyCase): Grant[] {
  const account = ACCOUNTS[c.key?.account ?? 'A']
  return (c.grants ?? []).map((g) => ({
    grantId: g.name,
    keyId: CASE_KEY_ID,
    region: REGION,
    account,
    name: g.name,
    granteePrincipal: principalArn(g.grantee),
    operations: g.operations,
    ...(g.constraints ? { constraints: g.constraints } : {}),
    creationDate: 0,
  }))
}

/** The condition keys each operation supplies, as src/kms's operations do. */
function operationConditions(c: PolicyCase): NonNullable<AuthzRequest['conditions']> {
  const r = c.request ?? {}
  const tagConditions = () => {
    const t: Record<string, string | string[]> = { 'aws:TagKeys': Object.keys(r.tags ?? {}) }
    for (const [k, v] of Object.entries(r.tags ?? {})) t[`aws:RequestTag/${k}`] = v
    return t
  }
  switch (c.operation) {
    case 'Encrypt':
    case 'Decrypt':
    case 'GenerateDataKey':
      return { 'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT' }
    case 'Sign':
      return { 'kms:SigningAlgorithm': r.signingAlgorithm }
    case 'CreateKey':
      return { ...tagConditions(), 'kms:KeySpec': r.keySpec ?? 'SYMMETRIC_DEFAULT', 'kms:KeyUsage': 'ENCRYPT_DECRYPT', 'kms:KeyOrigin': 'AWS_KMS', 'kms:MultiRegion': r.multiRegion === true }
    case 'TagResource':
      return tagConditions()
    case 'UntagResource':
      return { 'aws:TagKeys': r.tagKeys ?? [] }
    case 'ScheduleKeyDeletion':
      return { 'kms:ScheduleKeyDeletionPendingWindowInDays': r.pendingWindowInDays }
    case 'EnableKeyRotation':
      return { 'kms:RotationPeriodInDays': r.rotationPeriodInDays }
    case 'CreateGrant':
      return { 'kms:GrantOperations': r.grantOperations ?? [], 'kms:GranteePrincipal': r.granteePrincipal, 'kms:GrantIsForAWSResource': false }
    default:
      return {}
  }
}

/** The AuthzRequest the KMS core would build for this case. */
export function caseRequest(c: PolicyCase): AuthzRequest {
  const key = caseKey(c)
  const keyArn = caseKeyArn(c)
  const grantOperation = key && GRANTABLE.has(c.operation) ? c.operation : undefined
  return {
    caller: caseCaller(c.caller, c, keyArn),
    action: `kms:${c.operation}`,
    ...(key ? { key } : { resource: '*' }),
    ...(c.request?.encryptionContext ? { encryptionContext: c.request.encryptionContext } : {}),
    ...(c.request?.alias ? { requestAlias: c.request.alias } : {}),
    conditions: operationConditions(c),
    ...(grantOperation ? { grantOperation, grants: caseGrants(c) } : {}),
  }
}
