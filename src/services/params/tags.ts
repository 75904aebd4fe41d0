import { ArcaError } from '../../core/index.ts'
import type { Caller } from '../../kms/index.ts'
import { MAX_WRITE_ATTEMPTS } from './limits.ts'
import { parameterArn, parseReference } from './names.ts'
import { checkTags } from './put-checks.ts'
import type { ParamsContext, Tag } from './types.ts'

interface TagTarget {
  resourceType: string
  resourceId: string
}

function invalidId(id: string): ArcaError {
  return new ArcaError('InvalidResourceId', `The resource ID "${id}" is not valid. Verify the ID and try again.`, { field: 'resourceId' })
}

async function target(ctx: ParamsContext, caller: Caller, t: TagTarget, action: string): Promise<{ name: string; tags: string }> {
  if (t.resourceType !== 'Parameter') throw new ArcaError('InvalidResourceType', `Arca tags only the resource type Parameter, not ${t.resourceType}.`, { field: 'resourceType' })
  let names: string[]
  try {
    const ref = parseReference(caller, t.resourceId)
    if (ref.selector !== undefined) throw invalidId(t.resourceId)
    names = ref.names
  } catch {
    throw invalidId(t.resourceId)
  }
  await ctx.authorize(caller, action, parameterArn(caller, names[0]!))
  for (const name of names) {
    const row = await ctx.db.selectFrom('ssm_parameters').select('tags').where('account', '=', caller.account).where('region', '=', caller.region).where('name', '=', name).executeTakeFirst()
    if (row) return { name, tags: row.tags }
  }
  throw invalidId(t.resourceId)
}

/** Read-modify-write of the tag set by compare-and-set on its text: concurrent changes are retried, never lost. */
async function changeTags(ctx: ParamsContext, caller: Caller, t: TagTarget, action: string, change: (tags: Record<string, string>) => void): Promise<void> {
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    const { name, tags } = await target(ctx, caller, t, action)
    const next = JSON.parse(tags) as Record<string, string>
    change(next)
    const r = await ctx.db
      .updateTable('ssm_parameters')
      .set({ tags: JSON.stringify(next) })
      .where('account', '=', caller.account)
      .where('region', '=', caller.region)
      .where('name', '=', name)
      .where('tags', '=', tags)
      .executeTakeFirst()
    if (Number(r.numUpdatedRows) === 1) return
  }
  throw new ArcaError('Conflict', 'Too many concurrent tag updates; try again.')
}

export async function addTagsToResource(ctx: ParamsContext, caller: Caller, input: TagTarget & { tags: Tag[] }): Promise<Record<string, never>> {
  await changeTags(ctx, caller, input, 'ssm:AddTagsToResource', (tags) => {
    const added = input.tags.filter((x) => !Object.hasOwn(tags, x.key))
    checkTags(input.tags, 0)
    checkTags(added, Object.keys(tags).length)
    for (const x of input.tags) tags[x.key] = x.value
  })
  return {}
}

export async function removeTagsFromResource(ctx: ParamsContext, caller: Caller, input: TagTarget & { tagKeys: string[] }): Promise<Record<string, never>> {
  await changeTags(ctx, caller, input, 'ssm:RemoveTagsFromResource', (tags) => {
    for (const k of input.tagKeys) delete tags[k]
  })
  return {}
}

export async function listTagsForResource(ctx: ParamsContext, caller: Caller, input: TagTarget): Promise<{ tagList: Tag[] }> {
  const { tags } = await target(ctx, caller, input, 'ssm:ListTagsForResource')
  return { tagList: Object.entries(JSON.parse(tags) as Record<string, string>).map(([key, value]) => ({ key, value })) }
}
