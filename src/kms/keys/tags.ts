import { ArcaError } from '../../core/index.ts'
import { type KmsContext, authorize } from '../context-deps.ts'
import type { Caller, PageOut, Tag } from '../types.ts'
import { decodeMarker, encodeMarker, pageLimit } from './paging.ts'
import { resolveKey } from './resolve.ts'
import { lockKeyRow } from './row-lock.ts'
import { requireState } from './states.ts'

// AWS: 50 tags per key; key 1–128, value 0–256 characters; `aws:` prefix reserved.
export const MAX_TAGS_PER_KEY = 50
const MAX_TAG_KEY = 128
const MAX_TAG_VALUE = 256

/** Checks a tag list from a request: AWS's TagException wording. */
export function checkTags(tags: Tag[] | undefined): Tag[] {
  if (!tags) return []
  const seen = new Set<string>()
  for (const t of tags) {
    if (typeof t?.tagKey !== 'string' || typeof t.tagValue !== 'string') throw new ArcaError('Validation', 'Each tag needs a TagKey and a TagValue.', { field: 'tags' })
    if (t.tagKey.length < 1 || t.tagKey.length > MAX_TAG_KEY) throw new ArcaError('Tag', `Tag keys must be 1 to ${MAX_TAG_KEY} characters long.`)
    if (t.tagValue.length > MAX_TAG_VALUE) throw new ArcaError('Tag', `Tag values must be at most ${MAX_TAG_VALUE} characters long.`)
    if (t.tagKey.toLowerCase().startsWith('aws:')) throw new ArcaError('Tag', 'Tags beginning with aws: are reserved')
    if (seen.has(t.tagKey)) throw new ArcaError('Tag', 'Duplicate tag keys')
    seen.add(t.tagKey)
  }
  if (tags.length > MAX_TAGS_PER_KEY) throw new ArcaError('Tag', 'Too many tags')
  return tags
}

export function requestTagConditions(tags: Tag[]): Record<string, string | string[]> {
  const c: Record<string, string | string[]> = { 'aws:TagKeys': tags.map((t) => t.tagKey) }
  for (const t of tags) c[`aws:RequestTag/${t.tagKey}`] = t.tagValue
  return c
}

export async function tagResource(ctx: KmsContext, caller: Caller, input: { keyId: string; tags: Tag[] }): Promise<Record<string, never>> {
  const { key } = await resolveKey(ctx.store, caller, input.keyId, { allowAlias: false })
  const tags = checkTags(input.tags)
  await authorize(ctx, caller, 'kms:TagResource', key, { conditions: requestTagConditions(tags) })
  requireState(key, 'manage')
  await ctx.db.transaction().execute(async (tx) => {
    await lockKeyRow(tx, key.region, key.id)
    for (const t of tags) {
      await tx
        .insertInto('kms_tags')
        .values({ region: key.region, key_id: key.id, tag_key: t.tagKey, tag_value: t.tagValue })
        .onConflict((oc) => oc.columns(['region', 'key_id', 'tag_key']).doUpdateSet({ tag_value: t.tagValue }))
        .execute()
    }
    const { n } = await tx
      .selectFrom('kms_tags')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('region', '=', key.region)
      .where('key_id', '=', key.id)
      .executeTakeFirstOrThrow()
    if (Number(n) > MAX_TAGS_PER_KEY) throw new ArcaError('Tag', 'Too many tags')
  })
  return {}
}

export async function untagResource(ctx: KmsContext, caller: Caller, input: { keyId: string; tagKeys: string[] }): Promise<Record<string, never>> {
  const { key } = await resolveKey(ctx.store, caller, input.keyId, { allowAlias: false })
  if (!Array.isArray(input.tagKeys) || input.tagKeys.length === 0) throw new ArcaError('Validation', 'TagKeys must name at least one tag key.', { field: 'tagKeys' })
  await authorize(ctx, caller, 'kms:UntagResource', key, { conditions: { 'aws:TagKeys': input.tagKeys } })
  requireState(key, 'manage')
  await ctx.db.deleteFrom('kms_tags').where('region', '=', key.region).where('key_id', '=', key.id).where('tag_key', 'in', input.tagKeys).execute()
  return {}
}

export async function listResourceTags(
  ctx: KmsContext,
  caller: Caller,
  input: { keyId: string; limit?: number; marker?: string },
): Promise<{ tags: Tag[] } & PageOut> {
  const { key } = await resolveKey(ctx.store, caller, input.keyId, { allowAlias: false })
  await authorize(ctx, caller, 'kms:ListResourceTags', key)
  const limit = pageLimit(input.limit, 50, 50)
  const after = decodeMarker(input.marker)
  let q = ctx.db
    .selectFrom('kms_tags')
    .select(['tag_key', 'tag_value'])
    .where('region', '=', key.region)
    .where('key_id', '=', key.id)
    .orderBy('tag_key')
    .limit(limit + 1)
  if (after !== undefined) q = q.where('tag_key', '>', after)
  const rows = await q.execute()
  const page = rows.slice(0, limit)
  const out: { tags: Tag[] } & PageOut = { tags: page.map((r) => ({ tagKey: r.tag_key, tagValue: r.tag_value })), truncated: rows.length > limit }
  if (out.truncated) out.nextMarker = encodeMarker(page[page.length - 1].tag_key)
  return out
}

/** All tags of a key, for `aws:ResourceTag/<k>` conditions. */
export async function keyTags(ctx: KmsContext, region: string, keyId: string): Promise<Record<string, string>> {
  const rows = await ctx.db.selectFrom('kms_tags').select(['tag_key', 'tag_value']).where('region', '=', region).where('key_id', '=', keyId).execute()
  return Object.fromEntries(rows.map((r) => [r.tag_key, r.tag_value]))
}

