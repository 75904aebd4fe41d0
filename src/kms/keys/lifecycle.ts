import { ArcaError, kmsKeyArn, randomBytes, toHex, uuid } from '../../core/index.ts'
import { type KeySpec, type KeyUsage, KEY_SPECS, generateKeyMaterial, isValidCombination } from '../crypto/index.ts'
import { type KmsContext, authorize } from '../context-deps.ts'
import { checkGrantTokens, withGrantTokens } from '../ops/checks.ts'
import type { Caller, KeyMetadata, Origin, PageOut, Tag } from '../types.ts'
import { checkPolicyText, defaultKeyPolicy } from './default-policy.ts'
import { describe } from './describe.ts'
import { decodeMarker, encodeMarker, pageLimit } from './paging.ts'
import type { KeyRecord } from './record.ts'
import { resolveKey } from './resolve.ts'
import { requireState } from './states.ts'
import { checkTags, requestTagConditions } from './tags.ts'

// AWS: Description 0–8192 characters.
export const MAX_DESCRIPTION = 8192
const USAGES: KeyUsage[] = ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT']

export interface CreateKeyInput {
  policy?: string
  description?: string
  keyUsage?: string
  customerMasterKeySpec?: string
  keySpec?: string
  origin?: string
  customKeyStoreId?: string
  bypassPolicyLockoutSafetyCheck?: boolean
  tags?: Tag[]
  multiRegion?: boolean
  xksKeyId?: string
}

export async function createKey(ctx: KmsContext, caller: Caller, input: CreateKeyInput, managedBy?: 'AWS'): Promise<{ keyMetadata: KeyMetadata }> {
  if (input.keySpec && input.customerMasterKeySpec && input.keySpec !== input.customerMasterKeySpec)
    throw new ArcaError('Validation', 'You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec parameter is deprecated. Use KeySpec parameter instead.')
  const spec = (input.keySpec ?? input.customerMasterKeySpec ?? 'SYMMETRIC_DEFAULT') as KeySpec
  if (!KEY_SPECS.includes(spec)) throw new ArcaError('Validation', `KeySpec ${spec} is not supported.`, { field: 'keySpec' })
  if (input.keyUsage === undefined && spec !== 'SYMMETRIC_DEFAULT')
    throw new ArcaError('Validation', 'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.', { field: 'keyUsage' })
  const usage = (input.keyUsage ?? 'ENCRYPT_DECRYPT') as KeyUsage
  if (!USAGES.includes(usage)) throw new ArcaError('Validation', `KeyUsage ${usage} is not supported.`, { field: 'keyUsage' })
  if (!isValidCombination(spec, usage)) throw new ArcaError('Validation', `KeyUsage ${usage} is not compatible with KeySpec ${spec}`)
  const origin = (input.origin ?? 'AWS_KMS') as Origin
  if (input.customKeyStoreId !== undefined || origin === 'AWS_CLOUDHSM' || origin === 'EXTERNAL_KEY_STORE' || input.xksKeyId !== undefined)
    throw new ArcaError('UnsupportedOperation', 'Custom key stores are not supported by Arca.')
  if (origin !== 'AWS_KMS' && origin !== 'EXTERNAL') throw new ArcaError('Validation', `Origin ${origin} is not supported.`, { field: 'origin' })
  const description = input.description ?? ''
  if (description.length > MAX_DESCRIPTION) throw new ArcaError('Validation', `Description must be at most ${MAX_DESCRIPTION} characters.`, { field: 'description' })
  const tags = checkTags(input.tags)
  const policy = input.policy ?? defaultKeyPolicy(caller.account)
  checkPolicyText(policy)
  await authorize(ctx, caller, 'kms:CreateKey', undefined, {
    resource: '*',
    conditions: { ...requestTagConditions(tags), 'kms:KeySpec': spec, 'kms:KeyUsage': usage, 'kms:KeyOrigin': origin, 'kms:MultiRegion': input.multiRegion === true },
  })

  const multiRegion = input.multiRegion === true
  const id = multiRegion ? `mrk-${toHex(randomBytes(16))}` : uuid()
  const now = ctx.clock.now()
  const key: KeyRecord = {
    region: caller.region,
    id,
    account: caller.account,
    arn: kmsKeyArn(caller.region, caller.account, id),
    spec,
    usage,
    origin,
    keyManager: managedBy ?? 'CUSTOMER',
    state: origin === 'EXTERNAL' ? 'PendingImport' : 'Enabled',
    description,
    policy,
    createdAt: now,
    deletionDate: null,
    pendingWindowDays: null,
    multiRegion,
    primaryRegion: multiRegion ? caller.region : null,
    rotationEnabled: false,
    rotationPeriodDays: null,
    nextRotationAt: null,
    onDemandRotations: 0,
    currentVersion: origin === 'EXTERNAL' ? 0 : 1,
    validTo: null,
    expirationModel: null,
    revision: 1,
  }
  const material = origin === 'EXTERNAL' ? undefined : generateKeyMaterial(spec)
  try {
    await ctx.db.transaction().execute(async (tx) => {
      await ctx.store.insert(key, material ? [{ version: 1, material, rotationType: null }] : [], tx)
      for (const t of tags) await tx.insertInto('kms_tags').values({ region: key.region, key_id: id, tag_key: t.tagKey, tag_value: t.tagValue }).execute()
    })
  } finally {
    material?.fill(0)
  }
  return { keyMetadata: await describe(ctx, key) }
}

export async function describeKey(ctx: KmsContext, caller: Caller, input: { keyId: string; grantTokens?: string[] }): Promise<{ keyMetadata: KeyMetadata }> {
  const { key, alias } = await resolveKey(ctx.store, caller, input.keyId)
  await authorize(ctx, withGrantTokens(caller, checkGrantTokens(input.grantTokens)), 'kms:DescribeKey', key, { requestAlias: alias, grantOperation: 'DescribeKey' })
  return { keyMetadata: await describe(ctx, key) }
}

export async function listKeys(ctx: KmsContext, caller: Caller, input: { limit?: number; marker?: string }): Promise<{ keys: { keyId: string; keyArn: string }[] } & PageOut> {
  await authorize(ctx, caller, 'kms:ListKeys', undefined, { resource: '*' })
  // AWS: ListKeys Limit 1–1000, default 100.
  const limit = pageLimit(input.limit, 100, 1000)
  const after = decodeMarker(input.marker)
  let q = ctx.db
    .selectFrom('kms_keys')
    .select(['id'])
    .where('account', '=', caller.account)
    .where('region', '=', caller.region)
    .orderBy('id')
    .limit(limit + 1)
  if (after !== undefined) q = q.where('id', '>', after)
  const rows = await q.execute()
  const page = rows.slice(0, limit)
  const out: { keys: { keyId: string; keyArn: string }[] } & PageOut = {
    keys: page.map((r) => ({ keyId: r.id, keyArn: kmsKeyArn(caller.region, caller.account, r.id) })),
    truncated: rows.length > limit,
  }
  if (out.truncated) out.nextMarker = encodeMarker(page[page.length - 1].id)
  return out
}

export async function updateKeyDescription(ctx: KmsContext, caller: Caller, input: { keyId: string; description: string }): Promise<Record<string, never>> {
  const { key } = await resolveKey(ctx.store, caller, input.keyId, { allowAlias: false })
  if (typeof input.description !== 'string') throw new ArcaError('Validation', 'Description is required.', { field: 'description' })
  if (input.description.length > MAX_DESCRIPTION) throw new ArcaError('Validation', `Description must be at most ${MAX_DESCRIPTION} characters.`, { field: 'description' })
  await authorize(ctx, caller, 'kms:UpdateKeyDescription', key)
  requireState(key, 'manage')
  await mustUpdate(ctx, key, { description: input.description })
  return {}
}

export async function enableKey(ctx: KmsContext, caller: Caller, input: { keyId: string }): Promise<Record<string, never>> {
  const { key } = await resolveKey(ctx.store, caller, input.keyId, { allowAlias: false })
  await authorize(ctx, caller, 'kms:EnableKey', key)
  requireState(key, 'enable-disable')
  if (key.state !== 'Enabled') await mustUpdate(ctx, key, { state: 'Enabled' })
  return {}
}

export async function disableKey(ctx: KmsContext, caller: Caller, input: { keyId: string }): Promise<Record<string, never>> {
  const { key } = await resolveKey(ctx.store, caller, input.keyId, { allowAlias: false })
  await authorize(ctx, caller, 'kms:DisableKey', key)
  requireState(key, 'enable-disable')
  if (key.state !== 'Disabled') await mustUpdate(ctx, key, { state: 'Disabled' })
  return {}
}

/** Applies a change with compare-and-set; a concurrent change to the same key is a conflict to retry. */
export async function mustUpdate(ctx: KmsContext, key: KeyRecord, patch: Parameters<KmsContext['store']['update']>[1]): Promise<void> {
  if (!(await ctx.store.update(key, patch)))
    throw new ArcaError('Conflict', `${key.arn} was changed by another request at the same time; retry.`)
}
