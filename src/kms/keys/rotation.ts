import type { Transaction } from 'kysely'
import { ArcaError, MS, validationError } from '../../core/index.ts'
import type { Schema } from '../../store/index.ts'
import { generateKeyMaterial, type KeySpec } from '../crypto/index.ts'
import { type KmsContext, authorize } from '../context-deps.ts'
import type { Caller, PageOut } from '../types.ts'
import { mustUpdate } from './lifecycle.ts'
import { decodeMarker, encodeMarker, pageLimit } from './paging.ts'
import { type KeyRecord, fromRow } from './record.ts'
import { resolveKey } from './resolve.ts'
import { requireState } from './states.ts'

// AWS: RotationPeriodInDays 90–2560, default 365; on-demand rotations at most 25 per key.
export const MIN_ROTATION_DAYS = 90
export const MAX_ROTATION_DAYS = 2560
export const DEFAULT_ROTATION_DAYS = 365
export const MAX_ON_DEMAND_ROTATIONS = 25

export type RotationType = 'AUTOMATIC' | 'ON_DEMAND'

/** Only symmetric, KMS-generated, customer-managed keys rotate by request. */
function requireRotatable(key: KeyRecord): void {
  if (key.spec !== 'SYMMETRIC_DEFAULT' || key.origin !== 'AWS_KMS')
    throw new ArcaError('UnsupportedOperation', `${key.arn} key spec ${key.spec} with origin ${key.origin} does not support key rotation.`)
  if (key.multiRegion && key.primaryRegion !== key.region)
    throw new ArcaError('UnsupportedOperation', `${key.arn} is a multi-Region replica key; rotate its primary key.`)
}

export async function enableKeyRotation(ctx: KmsContext, caller: Caller, input: { keyId: string; rotationPeriodInDays?: number }): Promise<Record<string, never>> {
  const { key } = await resolveKey(ctx.store, caller, input.keyId, { allowAlias: false })
  const days = input.rotationPeriodInDays ?? DEFAULT_ROTATION_DAYS
  if (!Number.isInteger(days) || days < MIN_ROTATION_DAYS) throw validationError('rotationPeriodInDays', days, `Member must have value greater than or equal to ${MIN_ROTATION_DAYS}`)
  if (days > MAX_ROTATION_DAYS) throw validationError('rotationPeriodInDays', days, `Member must have value less than or equal to ${MAX_ROTATION_DAYS}`)
  await authorize(ctx, caller, 'kms:EnableKeyRotation', key, { conditions: { 'kms:RotationPeriodInDays': days } })
  requireState(key, 'rotate')
  requireRotatable(key)
  if (key.keyManager === 'AWS') throw new ArcaError('UnsupportedOperation', `${key.arn} is an AWS managed key; its rotation is managed by Arca.`)
  await mustUpdate(ctx, key, { rotationEnabled: true, rotationPeriodDays: days, nextRotationAt: ctx.clock.now() + days * MS.day })
  return {}
}

export async function disableKeyRotation(ctx: KmsContext, caller: Caller, input: { keyId: string }): Promise<Record<string, never>> {
  const { key } = await resolveKey(ctx.store, caller, input.keyId, { allowAlias: false })
  await authorize(ctx, caller, 'kms:DisableKeyRotation', key)
  requireState(key, 'rotate')
  requireRotatable(key)
  if (key.keyManager === 'AWS') throw new ArcaError('UnsupportedOperation', `${key.arn} is an AWS managed key; its rotation is managed by Arca.`)
  await mustUpdate(ctx, key, { rotationEnabled: false, rotationPeriodDays: null, nextRotationAt: null })
  return {}
}

export async function getKeyRotationStatus(
  ctx: KmsContext,
  caller: Caller,
  input: { keyId: string },
): Promise<{ keyId: string; keyRotationEnabled: boolean; rotationPeriodInDays?: number; nextRotationDate?: Date }> {
  const { key } = await resolveKey(ctx.store, caller, input.keyId, { allowAlias: false })
  await authorize(ctx, caller, 'kms:GetKeyRotationStatus', key)
  if (key.spec !== 'SYMMETRIC_DEFAULT') throw new ArcaError('UnsupportedOperation', `${key.arn} key spec ${key.spec} does not support key rotation.`)
  const enabled = key.rotationEnabled && key.state !== 'PendingDeletion' && key.state !== 'PendingReplicaDeletion'
  const out: { keyId: string; keyRotationEnabled: boolean; rotationPeriodInDays?: number; nextRotationDate?: Date } = { keyId: key.arn, keyRotationEnabled: enabled }
  if (enabled && key.rotationPeriodDays !== null) out.rotationPeriodInDays = key.rotationPeriodDays
  if (enabled && key.nextRotationAt !== null) out.nextRotationDate = new Date(key.nextRotationAt)
  return out
}

export async function rotateKeyOnDemand(ctx: KmsContext, caller: Caller, input: { keyId: string }): Promise<{ keyId: string }> {
  const { key } = await resolveKey(ctx.store, caller, input.keyId, { allowAlias: false })
  await authorize(ctx, caller, 'kms:RotateKeyOnDemand', key)
  requireState(key, 'rotate')
  requireRotatable(key)
  if (key.keyManager === 'AWS') throw new ArcaError('UnsupportedOperation', `${key.arn} is an AWS managed key, which cannot be rotated on demand.`)
  if (key.onDemandRotations >= MAX_ON_DEMAND_ROTATIONS)
    throw new ArcaError('LimitExceeded', 'The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key.')
  const ok = await addMaterialVersion(ctx, key, 'ON_DEMAND', {})
  if (!ok) throw new ArcaError('Conflict', `${key.arn} is already being rotated; retry.`)
  return { keyId: key.arn }
}

export async function listKeyRotations(
  ctx: KmsContext,
  caller: Caller,
  input: { keyId: string; includeKeyMaterial?: 'ROTATIONS_ONLY' | 'ALL_KEY_MATERIAL'; limit?: number; marker?: string },
) {
  const { key } = await resolveKey(ctx.store, caller, input.keyId, { allowAlias: false })
  await authorize(ctx, caller, 'kms:ListKeyRotations', key)
  if (key.spec !== 'SYMMETRIC_DEFAULT') throw new ArcaError('UnsupportedOperation', `${key.arn} key spec ${key.spec} does not support key rotation.`)
  const include = input.includeKeyMaterial ?? 'ROTATIONS_ONLY'
  if (include !== 'ROTATIONS_ONLY' && include !== 'ALL_KEY_MATERIAL')
    throw validationError('includeKeyMaterial', include, 'Member must satisfy enum value set: [ALL_KEY_MATERIAL, ROTATIONS_ONLY]')
  const limit = pageLimit(input.limit, 100, 1000)
  const after = decodeMarker(input.marker)
  const versions = (await ctx.store.materialVersions(key.id))
    .filter((v) => include === 'ALL_KEY_MATERIAL' || v.rotation_type !== null)
    .filter((v) => after === undefined || v.version > Number(after))
  const page = versions.slice(0, limit)
  const out: {
    rotations: { keyId: string; keyMaterialId: string; rotationDate?: Date; rotationType?: RotationType; keyMaterialState: string }[]
  } & PageOut = {
    rotations: page.map((v) => {
      const r: { keyId: string; keyMaterialId: string; rotationDate?: Date; rotationType?: RotationType; keyMaterialState: string } = {
        keyId: key.arn,
        keyMaterialId: v.material_id,
        keyMaterialState: v.version === key.currentVersion ? 'CURRENT' : 'NON_CURRENT',
      }
      if (v.rotation_type) {
        r.rotationDate = new Date(Number(v.created_at))
        r.rotationType = v.rotation_type as RotationType
      }
      return r
    }),
    truncated: versions.length > limit,
  }
  if (out.truncated) out.nextMarker = encodeMarker(String(page[page.length - 1].version))
  return out
}

/**
 * Adds a material version and makes it current, in every region of a multi-Region key.
 * Compare-and-set on the row revision: returns false if another node rotated first.
 */
async function addMaterialVersion(ctx: KmsContext, key: KeyRecord, type: RotationType, extra: { nextRotationAt?: number }): Promise<boolean> {
  const version = key.currentVersion + 1
  const material = generateKeyMaterial(key.spec as KeySpec)
  try {
    const done = await ctx.db.transaction().execute(async (tx: Transaction<Schema>) => {
      const res = await tx
        .updateTable('kms_keys')
        .set({
          current_version: version,
          revision: key.revision + 1,
          ...(type === 'ON_DEMAND' ? { on_demand_rotations: key.onDemandRotations + 1 } : {}),
          ...(extra.nextRotationAt !== undefined ? { next_rotation_at: extra.nextRotationAt } : {}),
        })
        .where('region', '=', key.region)
        .where('id', '=', key.id)
        .where('revision', '=', key.revision)
        .executeTakeFirst()
      if (Number(res.numUpdatedRows) !== 1) return false
      if (key.multiRegion) {
        await tx
          .updateTable('kms_keys')
          .set((eb) => ({ current_version: version, revision: eb('revision', '+', 1) }))
          .where('id', '=', key.id)
          .where('region', '!=', key.region)
          .execute()
      }
      await ctx.store.insertMaterial(key.id, version, material, type, tx)
      await ctx.recordEvent(tx, {
        detailType: 'KMS CMK Rotation',
        account: key.account,
        region: key.region,
        resources: [key.arn],
        detail: { 'key-id': key.id, 'rotation-type': type },
      })
      return true
    })
    for (const r of await ctx.store.allRegions(key.id)) ctx.store.invalidate(r.region, r.id)
    return done
  } finally {
    material.fill(0)
  }
}

/** The scheduler's job: rotates every enabled key whose rotation date has come; catches up after downtime. */
export async function rotateDueKeys(ctx: KmsContext, now: number = ctx.clock.now()): Promise<number> {
  const rows = await ctx.db
    .selectFrom('kms_keys')
    .selectAll()
    .where('rotation_enabled', '=', 1)
    .where('state', '=', 'Enabled')
    .where('next_rotation_at', '<=', now)
    .execute()
  let rotated = 0
  for (const row of rows) {
    const key = fromRow(row)
    const next = now + (key.rotationPeriodDays ?? DEFAULT_ROTATION_DAYS) * MS.day
    if (await addMaterialVersion(ctx, key, 'AUTOMATIC', { nextRotationAt: next })) rotated++
  }
  return rotated
}
