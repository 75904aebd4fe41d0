import { ArcaError } from '../../core/index.ts'
import type { Caller } from '../../kms/index.ts'
import { type SecretsDeps, authorizeOn, changeEvent } from './context.ts'
import { MAX_TAGS, MAX_TAG_KEY_LENGTH, MAX_TAG_VALUE_LENGTH } from './limits.ts'
import { findSecret, requireNotDeleted } from './resolve.ts'
import { lockSecret } from './versions.ts'

/** A tag as stored (AWS spelling) and as the service's inputs and outputs carry it (camelCase). */
export interface StoredTag {
  Key: string
  Value: string
}
export interface Tag {
  key: string
  value: string
}

function invalid(message: string, field = 'tags'): ArcaError {
  return new ArcaError('InvalidParameter', message, { field })
}

export function checkTagKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_TAG_KEY_LENGTH) throw invalid(`A tag key must be 1 to ${MAX_TAG_KEY_LENGTH} characters.`)
  // AWS: the aws: prefix is reserved for AWS use.
  if (key.toLowerCase().startsWith('aws:')) throw invalid(`Invalid tag key '${key}': the aws: prefix is reserved.`)
  return key
}

export function checkTags(tags: unknown): StoredTag[] {
  if (tags === undefined || tags === null) return []
  if (!Array.isArray(tags)) throw invalid('Tags must be a list of {Key, Value}.')
  const out = new Map<string, string>()
  for (const t of tags as Partial<Tag>[]) {
    const key = checkTagKey(t?.key)
    const value = t.value ?? ''
    if (typeof value !== 'string' || value.length > MAX_TAG_VALUE_LENGTH) throw invalid(`A tag value must be at most ${MAX_TAG_VALUE_LENGTH} characters.`)
    out.set(key, value)
  }
  if (out.size > MAX_TAGS) throw new ArcaError('TooManyTags', `A secret can have at most ${MAX_TAGS} tags.`, { field: 'tags' })
  return [...out].map(([Key, Value]) => ({ Key, Value }))
}

export function tagsOut(json: string): Tag[] {
  return json === '[]' ? [] : (JSON.parse(json) as StoredTag[]).map((t) => ({ key: t.Key, value: t.Value }))
}

export async function tagResource(deps: SecretsDeps, caller: Caller, input: { secretId: string; tags: Tag[] }): Promise<Record<string, never>> {
  const added = checkTags(input.tags ?? [])
  const row = await findSecret(deps.db, caller, input.secretId)
  const requestTags = Object.fromEntries(added.map((t) => [`aws:RequestTag/${t.Key}`, t.Value]))
  await authorizeOn(deps, caller, 'TagResource', row, { ...requestTags, 'aws:TagKeys': added.map((t) => t.Key) })
  requireNotDeleted(row)
  return change(deps, row.id, 'TagResource', (tags) => {
    const merged = new Map(tags.map((t) => [t.Key, t.Value]))
    for (const t of added) merged.set(t.Key, t.Value)
    if (merged.size > MAX_TAGS) throw new ArcaError('TooManyTags', `A secret can have at most ${MAX_TAGS} tags.`, { field: 'tags' })
    return [...merged].map(([Key, Value]) => ({ Key, Value }))
  }, { tagKeys: added.map((t) => t.Key) })
}

export async function untagResource(deps: SecretsDeps, caller: Caller, input: { secretId: string; tagKeys: string[] }): Promise<Record<string, never>> {
  if (!Array.isArray(input.tagKeys)) throw invalid('TagKeys must be a list of tag keys.', 'tagKeys')
  const keys = new Set(input.tagKeys.map((k) => checkTagKey(k)))
  const row = await findSecret(deps.db, caller, input.secretId)
  await authorizeOn(deps, caller, 'UntagResource', row, { 'aws:TagKeys': [...keys] })
  requireNotDeleted(row)
  return change(deps, row.id, 'UntagResource', (tags) => tags.filter((t) => !keys.has(t.Key)), { tagKeys: [...keys] })
}

/** Rewrites the tag list under the row lock (read inside the transaction: no lost update). */
async function change(deps: SecretsDeps, id: string, operation: string, edit: (tags: StoredTag[]) => StoredTag[], detail: Record<string, unknown>): Promise<Record<string, never>> {
  await deps.db.transaction().execute(async (tx) => {
    const now = deps.clock.now()
    await lockSecret(tx, id, now)
    const row = await tx.selectFrom('secrets').select(['tags', 'arn', 'name', 'account', 'region']).where('id', '=', id).executeTakeFirstOrThrow()
    const tags = edit(JSON.parse(row.tags) as StoredTag[])
    // Expiry tags are checked on the merged list (arca:notify-before needs an arca:expires-at, maybe set earlier).
    if (operation === 'TagResource') deps.expiry?.checkTags(tags, now, detail.tagKeys as string[])
    await tx.updateTable('secrets').set({ tags: JSON.stringify(tags) }).where('id', '=', id).execute()
    await deps.expiry?.tagsChanged(tx, row, tags, now)
    await deps.events.record(tx, changeEvent(row, operation, detail))
  })
  return {}
}
