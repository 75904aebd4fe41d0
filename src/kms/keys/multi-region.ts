import { ArcaError, REGION_PATTERN, kmsKeyArn, validationError } from '../../core/index.ts'
import { accessDenied } from '../authorizer.ts'
import { type KmsContext, authorize } from '../context-deps.ts'
import type { Caller, KeyMetadata, Tag } from '../types.ts'
import { checkPolicyText, defaultKeyPolicy } from './default-policy.ts'
import { describe } from './describe.ts'
import { MAX_DESCRIPTION } from './lifecycle.ts'
import { type KeyRecord, toRow } from './record.ts'
import { resolveKey } from './resolve.ts'
import { requireState } from './states.ts'
import { checkTags, requestTagConditions } from './tags.ts'

// Multi-Region keys: one key id in several regions of one account, sharing the material rows
// (kms_key_material belongs to the key id), spec, usage, origin and rotation; each region's row
// has its own policy, description, tags, aliases, grants and state.

function checkRegion(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw validationError(field, String(value ?? 'null'), 'Member must not be null')
  // AWS RegionType: 1–32 characters; any region name is accepted, as for SigV4 scopes.
  if (value.length > 32 || !REGION_PATTERN.test(value)) throw validationError(field, value, 'Member must satisfy regular expression pattern: ^([a-z]+-){2,3}\\d+$')
  return value
}

/** AWS: only a multi-Region primary key can be replicated or hand over the primary role. */
function requirePrimary(key: KeyRecord): void {
  if (!key.multiRegion) throw new ArcaError('UnsupportedOperation', `${key.arn} is not a multi-Region key.`)
  if (key.primaryRegion !== key.region) throw new ArcaError('UnsupportedOperation', `${key.arn} is not a multi-Region primary key.`)
}

export interface ReplicateKeyInput {
  keyId: string
  replicaRegion: string
  policy?: string
  bypassPolicyLockoutSafetyCheck?: boolean
  description?: string
  tags?: Tag[]
}

export async function replicateKey(
  ctx: KmsContext,
  caller: Caller,
  input: ReplicateKeyInput,
): Promise<{ replicaKeyMetadata: KeyMetadata; replicaPolicy: string; replicaTags: Tag[] }> {
  const { key } = await resolveKey(ctx.store, caller, input.keyId, { allowAlias: false })
  const region = checkRegion('replicaRegion', input.replicaRegion)
  const description = input.description ?? ''
  if (typeof description !== 'string' || description.length > MAX_DESCRIPTION)
    throw new ArcaError('Validation', `Description must be at most ${MAX_DESCRIPTION} characters.`, { field: 'description' })
  const tags = checkTags(input.tags)
  const policy = input.policy ?? defaultKeyPolicy(key.account)
  checkPolicyText(policy)
  await authorize(ctx, caller, 'kms:ReplicateKey', key, { conditions: { 'kms:ReplicaRegion': region } })
  // AWS: "Cross-account use: No."
  if (key.account !== caller.account) throw accessDenied({ caller, action: 'kms:ReplicateKey', key })
  requirePrimary(key)
  if (region === key.region) throw new ArcaError('Validation', `The replica region must differ from the primary key's region ${key.region}.`, { field: 'replicaRegion' })
  requireState(key, 'manage')
  // In the replica's region the new key is a CreateKey (AWS records it so in CloudTrail).
  const there: Caller = { ...caller, region }
  await authorize(ctx, there, 'kms:CreateKey', undefined, {
    resource: '*',
    conditions: { ...requestTagConditions(tags), 'kms:KeySpec': key.spec, 'kms:KeyUsage': key.usage, 'kms:KeyOrigin': key.origin, 'kms:MultiRegion': true, 'kms:MultiRegionKeyType': 'REPLICA' },
  })
  const arn = kmsKeyArn(region, key.account, key.id)
  if (!input.bypassPolicyLockoutSafetyCheck && ctx.lockoutCheck && !ctx.lockoutCheck(there, arn, policy))
    throw new ArcaError('MalformedPolicyDocument', 'The new key policy will not allow you to update the key policy in the future.')

  const replica: KeyRecord = {
    ...key,
    region,
    arn,
    // The material is shared already; a primary still waiting for imported material makes a replica that waits too.
    state: key.currentVersion > 0 ? 'Enabled' : 'PendingImport',
    description,
    policy,
    createdAt: ctx.clock.now(),
    deletionDate: null,
    pendingWindowDays: null,
    // Rotation status is shared for display; only the primary's row carries the schedule.
    nextRotationAt: null,
    onDemandRotations: 0,
    revision: 1,
  }
  await ctx.db.transaction().execute(async (tx) => {
    // Compare-and-set on the primary: a concurrent ScheduleKeyDeletion or UpdatePrimaryRegion wins or loses whole.
    const bumped = await tx
      .updateTable('kms_keys')
      .set({ revision: key.revision + 1 })
      .where('region', '=', key.region)
      .where('id', '=', key.id)
      .where('revision', '=', key.revision)
      .executeTakeFirst()
    if (Number(bumped.numUpdatedRows) !== 1) throw new ArcaError('Conflict', `${key.arn} was changed by another request at the same time; retry.`)
    const res = await tx
      .insertInto('kms_keys')
      .values(toRow(replica))
      .onConflict((oc) => oc.columns(['region', 'id']).doNothing())
      .executeTakeFirst()
    if (Number(res.numInsertedOrUpdatedRows ?? 1n) !== 1) throw new ArcaError('AlreadyExists', `${arn} already exists: ${key.arn} has a replica in ${region}.`)
    for (const t of tags) await tx.insertInto('kms_tags').values({ region, key_id: key.id, tag_key: t.tagKey, tag_value: t.tagValue }).execute()
  })
  ctx.store.invalidate(key.region, key.id)
  ctx.store.invalidate(region, key.id)
  return { replicaKeyMetadata: await describe(ctx, replica), replicaPolicy: policy, replicaTags: tags }
}

/**
 * Makes the replica in `primaryRegion` the primary key and the old primary a replica. The
 * automatic rotation schedule moves with the primary role. AWS shows both keys as Updating for a
 * few seconds; here the change is one transaction, so the states never change.
 */
export async function updatePrimaryRegion(ctx: KmsContext, caller: Caller, input: { keyId: string; primaryRegion: string }): Promise<Record<string, never>> {
  const { key } = await resolveKey(ctx.store, caller, input.keyId, { allowAlias: false })
  const region = checkRegion('primaryRegion', input.primaryRegion)
  await authorize(ctx, caller, 'kms:UpdatePrimaryRegion', key, { conditions: { 'kms:PrimaryRegion': region } })
  if (key.account !== caller.account) throw accessDenied({ caller, action: 'kms:UpdatePrimaryRegion', key })
  requirePrimary(key)
  if (region === key.region) throw new ArcaError('Validation', `${key.arn} is already the primary key in ${region}.`, { field: 'primaryRegion' })
  const replica = await ctx.store.get(region, key.id)
  if (!replica || replica.account !== key.account) throw new ArcaError('NotFound', `Key '${kmsKeyArn(region, key.account, key.id)}' does not exist`)
  // AWS: kms:UpdatePrimaryRegion is needed on the replica too, in its own region.
  await authorize(ctx, { ...caller, region }, 'kms:UpdatePrimaryRegion', replica, { conditions: { 'kms:PrimaryRegion': region } })
  requireState(key, 'manage')
  requireState(replica, 'manage')
  await ctx.db.transaction().execute(async (tx) => {
    const old = await tx
      .updateTable('kms_keys')
      .set({ primary_region: region, next_rotation_at: null, revision: key.revision + 1 })
      .where('region', '=', key.region)
      .where('id', '=', key.id)
      .where('revision', '=', key.revision)
      .executeTakeFirst()
    const now = await tx
      .updateTable('kms_keys')
      .set({
        primary_region: region,
        rotation_enabled: key.rotationEnabled ? 1 : 0,
        rotation_period_days: key.rotationPeriodDays,
        next_rotation_at: key.nextRotationAt,
        on_demand_rotations: key.onDemandRotations,
        revision: replica.revision + 1,
      })
      .where('region', '=', region)
      .where('id', '=', key.id)
      .where('revision', '=', replica.revision)
      .executeTakeFirst()
    if (Number(old.numUpdatedRows) !== 1 || Number(now.numUpdatedRows) !== 1)
      throw new ArcaError('Conflict', `${key.arn} was changed by another request at the same time; retry.`)
    await tx
      .updateTable('kms_keys')
      .set((eb) => ({ primary_region: region, revision: eb('revision', '+', 1) }))
      .where('id', '=', key.id)
      .where('region', 'not in', [key.region, region])
      .execute()
  })
  for (const r of await ctx.store.allRegions(key.id)) ctx.store.invalidate(r.region, r.id)
  return {}
}
