/**
 * Replays one PolicyCase (test/support/policy-cases.ts) against a real server through the real
 * @aws-sdk/client-kms: its own pair of accounts (the table's account ids are rewritten to fresh
 * ones, so cases share one server without sharing principals), the calling principal with its tags,
 * identity policies and an access key, the key with its policy, tags, alias, grants and a real
 * ciphertext made by the account administrator, then the case's call as the principal.
 */
import {
  CreateAliasCommand,
  CreateGrantCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateRandomCommand,
  type GrantOperation,
  type KMSClient,
  type KeySpec,
  type KeyUsageType,
  PutKeyPolicyCommand,
  ScheduleKeyDeletionCommand,
  SignCommand,
  type SigningAlgorithmSpec,
  TagResourceCommand,
} from '@aws-sdk/client-kms'
import { type Credentials, kmsClient } from './aws.ts'
import { ACCOUNTS, type CasePrincipal, type PolicyCase, materialize } from './policy-cases.ts'
import { accountAdmin, attachPolicies, ensureAccount, makePrincipal } from './principals.ts'
import type { TestServer } from './server.ts'

/** Why a case is not replayed: the table's own `blackbox` note, or a fact about Arca. */
export function skipReason(c: PolicyCase): string | undefined {
  if (c.blackbox) return c.blackbox
  if (c.caller.kind === 'root' || c.grants?.some((g) => g.grantee.kind === 'root')) return 'Arca issues no credentials for an account root user'
  if (c.caller.kind === 'role' || c.grants?.some((g) => g.grantee.kind === 'role')) return 'needs an assumed-role session'
  return undefined
}

export interface Replayed {
  /** The caller's ARN, key ARN and account ids as they exist on the server. */
  callerArn: string
  keyArn?: string
  accounts: { A: string; B: string }
  /** Case grant name → the server's GrantId. */
  grantIds: Record<string, string>
  /** The call's outcome: undefined on success, else what the SDK threw. */
  error?: Error & { name: string }
  /** For explain: the caller and the request as sent. */
  explainBody: { principal: string; action: string; keyId?: string; encryptionContext?: Record<string, string>; sourceIp: string }
}

const enc = new TextEncoder()

/** Fresh account ids for case `n` (12 digits, unlike any in the table). */
export function caseAccounts(n: number): { A: string; B: string } {
  const base = `70${String(n).padStart(4, '0')}00000`
  return { A: `${base}1`, B: `${base}2` }
}

function remap<T>(doc: T, accounts: { A: string; B: string }, keyArn: string | undefined): T {
  let text = JSON.stringify(keyArn ? materialize(doc, keyArn) : doc)
  text = text.replaceAll(ACCOUNTS.A, accounts.A).replaceAll(ACCOUNTS.B, accounts.B)
  return JSON.parse(text) as T
}

const tagList = (tags: Record<string, string> | undefined) => Object.entries(tags ?? {}).map(([TagKey, TagValue]) => ({ TagKey, TagValue }))

/** Sets up case `n` and makes its call; returns what happened. */
export async function replayCase(t: TestServer, c: PolicyCase, n: number): Promise<Replayed> {
  const accounts = caseAccounts(n)
  const acct = (ref: 'A' | 'B') => accounts[ref]
  const refs = new Set<'A' | 'B'>([c.caller.account, c.key?.account ?? 'A', ...(c.grants ?? []).map((g) => g.grantee.account)])
  for (const ref of refs) await ensureAccount(t, acct(ref))

  const clients: KMSClient[] = []
  const client = (credentials: Credentials) => {
    const k = kmsClient(t, { credentials })
    clients.push(k)
    return k
  }
  try {
    const owner = client((await accountAdmin(t, acct(c.key?.account ?? 'A'))).credentials)
    // Principals named by the case (caller, grantees) exist before the key, as in AWS.
    const made = new Map<string, { arn: string; credentials?: Credentials }>()
    const ensurePrincipal = async (p: CasePrincipal) => {
      const id = `${p.account}/${p.name}`
      if (made.has(id)) return made.get(id)!
      const entry: { arn: string; credentials?: Credentials } = p.admin || p.name === 'admin'
        ? { arn: `arn:aws:iam::${acct(p.account)}:user/admin` }
        : await makePrincipal(t, { account: acct(p.account), name: p.name!, ...(p.tags ? { tags: p.tags } : {}) })
      made.set(id, entry)
      return entry
    }
    const callerEntry = await ensurePrincipal(c.caller)
    for (const g of c.grants ?? []) await ensurePrincipal(g.grantee)

    // The key: made by its account's administrator; the case policy is set last (it may lock the administrator out).
    let keyArn: string | undefined
    let ciphertext: Uint8Array | undefined
    const grantIds: Record<string, string> = {}
    const ec = c.request?.encryptionContext
    if (c.key) {
      const policy = c.key.policy ? (arn: string) => JSON.stringify(remap(c.key!.policy, accounts, arn)) : undefined
      // With nothing to set up first, the policy goes in CreateKey itself; otherwise PutKeyPolicy
      // sets it last (it may lock the administrator out). Both are AWS's paths. The table's key
      // policies use Resource "*", so CreateKey needs no ARN in advance.
      const direct = policy !== undefined && !(c.grants?.length || c.operation === 'Decrypt' || c.request?.alias)
      const created = await owner.send(
        new CreateKeyCommand({
          ...(direct ? { Policy: policy('*'), BypassPolicyLockoutSafetyCheck: true } : {}),
          ...(c.key.spec ? { KeySpec: c.key.spec as KeySpec } : {}),
          ...(c.key.usage ? { KeyUsage: c.key.usage as KeyUsageType } : {}),
          ...(c.key.tags ? { Tags: tagList(c.key.tags) } : {}),
        }),
      )
      keyArn = created.KeyMetadata!.Arn!
      if (c.request?.alias) await owner.send(new CreateAliasCommand({ AliasName: c.request.alias, TargetKeyId: keyArn }))
      for (const g of c.grants ?? []) {
        const grantee = await ensurePrincipal(g.grantee)
        const con = g.constraints
        const r = await owner.send(
          new CreateGrantCommand({
            KeyId: keyArn,
            GranteePrincipal: grantee.arn,
            Operations: g.operations as GrantOperation[],
            Name: g.name,
            ...(con ? { Constraints: { EncryptionContextSubset: con.encryptionContextSubset, EncryptionContextEquals: con.encryptionContextEquals } } : {}),
          }),
        )
        grantIds[g.name] = r.GrantId!
      }
      if (c.operation === 'Decrypt') {
        ciphertext = (await owner.send(new EncryptCommand({ KeyId: keyArn, Plaintext: enc.encode(`case ${n}`), ...(ec ? { EncryptionContext: ec } : {}) }))).CiphertextBlob
      }
      if (policy && !direct) await owner.send(new PutKeyPolicyCommand({ KeyId: keyArn, Policy: policy(keyArn), BypassPolicyLockoutSafetyCheck: true }))
    }

    // The caller's identity policies come last: they may deny the administrator its setup calls.
    const policies = [...(c.caller.policies ?? []).map((d) => remap(d, accounts, keyArn))]
    if (policies.length) await attachPolicies(t, 'user', acct(c.caller.account), c.caller.name!, policies)
    const credentials = callerEntry.credentials ?? (await accountAdmin(t, acct(c.caller.account))).credentials
    const kms = client(credentials)

    const explainBody = {
      principal: callerEntry.arn,
      action: `kms:${c.operation}`,
      ...(keyArn ? { keyId: c.request?.alias ?? keyArn } : {}),
      ...(ec ? { encryptionContext: ec } : {}),
      sourceIp: '127.0.0.1',
    }
    const out: Replayed = { callerArn: callerEntry.arn, ...(keyArn ? { keyArn } : {}), accounts, grantIds, explainBody }
    try {
      await call(kms, c, keyArn, ciphertext, accounts)
    } catch (e) {
      out.error = e as Error & { name: string }
    }
    return out
  } finally {
    for (const k of clients) k.destroy()
  }
}

async function call(kms: KMSClient, c: PolicyCase, keyArn: string | undefined, ciphertext: Uint8Array | undefined, accounts: { A: string; B: string }): Promise<void> {
  const r = c.request ?? {}
  const ec = r.encryptionContext ? { EncryptionContext: r.encryptionContext } : {}
  const KeyId = r.alias ?? keyArn
  switch (c.operation) {
    case 'Decrypt': {
      const out = await kms.send(new DecryptCommand({ KeyId, CiphertextBlob: ciphertext, ...ec }))
      if (out.KeyId !== keyArn || !out.Plaintext?.length) throw new Error('Decrypt answered without the key or the plaintext')
      return
    }
    case 'Encrypt':
      await kms.send(new EncryptCommand({ KeyId, Plaintext: enc.encode('hello'), ...ec }))
      return
    case 'GenerateDataKey':
      await kms.send(new GenerateDataKeyCommand({ KeyId, KeySpec: 'AES_256', ...ec }))
      return
    case 'DescribeKey':
      await kms.send(new DescribeKeyCommand({ KeyId }))
      return
    case 'ScheduleKeyDeletion':
      await kms.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: r.pendingWindowInDays }))
      return
    case 'EnableKeyRotation':
      await kms.send(new EnableKeyRotationCommand({ KeyId, RotationPeriodInDays: r.rotationPeriodInDays }))
      return
    case 'TagResource':
      await kms.send(new TagResourceCommand({ KeyId, Tags: tagList(r.tags) }))
      return
    case 'CreateGrant':
      await kms.send(
        new CreateGrantCommand({ KeyId, Operations: r.grantOperations as GrantOperation[], GranteePrincipal: remap(r.granteePrincipal!, accounts, undefined) }),
      )
      return
    case 'Sign':
      await kms.send(new SignCommand({ KeyId, Message: enc.encode('message'), MessageType: 'RAW', SigningAlgorithm: r.signingAlgorithm as SigningAlgorithmSpec }))
      return
    case 'CreateKey': {
      const spec = (r.keySpec ?? 'SYMMETRIC_DEFAULT') as KeySpec
      await kms.send(
        new CreateKeyCommand({
          KeySpec: spec,
          ...(spec === 'SYMMETRIC_DEFAULT' ? {} : { KeyUsage: 'ENCRYPT_DECRYPT' }),
          ...(r.multiRegion ? { MultiRegion: true } : {}),
          ...(r.tags ? { Tags: tagList(r.tags) } : {}),
        }),
      )
      return
    }
    case 'GenerateRandom':
      await kms.send(new GenerateRandomCommand({ NumberOfBytes: 16 }))
      return
    default:
      throw new Error(`no replay for ${c.operation}`)
  }
}
