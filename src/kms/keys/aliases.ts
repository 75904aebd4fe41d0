import { ArcaError, kmsAliasArn } from '../../core/index.ts'
import { type KmsContext, authorize } from '../context-deps.ts'
import type { Caller, PageOut } from '../types.ts'
import { decodeMarker, encodeMarker, pageLimit } from './paging.ts'
import { resolveKey } from './resolve.ts'
import { lockKeyRow } from './row-lock.ts'
import { requireState } from './states.ts'

// AWS: alias names are 1–256 characters of [a-zA-Z0-9:/_-], start with `alias/`; 50 aliases per key.
const ALIAS_NAME = /^[a-zA-Z0-9:/_-]+$/
const MAX_ALIAS_NAME = 256
export const MAX_ALIASES_PER_KEY = 50

export interface AliasListEntry {
  aliasName: string
  aliasArn: string
  targetKeyId?: string
  creationDate: Date
  lastUpdatedDate: Date
}

/** AWS's alias-name rules, including the reserved `alias/aws/` prefix. */
export function checkAliasName(name: unknown, opts: { reservedOk?: boolean } = {}): string {
  if (typeof name !== 'string' || name.length === 0) throw new ArcaError('Validation', 'AliasName is required.', { field: 'aliasName' })
  if (name.length > MAX_ALIAS_NAME || !ALIAS_NAME.test(name))
    throw new ArcaError('Validation', `1 validation error detected: Value '${name}' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$`, { field: 'aliasName' })
  if (!name.startsWith('alias/') || name === 'alias/')
    throw new ArcaError('Validation', 'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html', { field: 'aliasName' })
  if (!opts.reservedOk && name.startsWith('alias/aws/'))
    throw new ArcaError('NotAuthorized', `Alias names starting with "alias/aws/" are reserved for AWS managed keys.`)
  return name
}

export async function createAlias(ctx: KmsContext, caller: Caller, input: { aliasName: string; targetKeyId: string }): Promise<Record<string, never>> {
  const name = checkAliasName(input.aliasName)
  const { key } = await resolveKey(ctx.store, caller, input.targetKeyId, { allowAlias: false })
  await authorize(ctx, caller, 'kms:CreateAlias', key, { requestAlias: name })
  requireState(key, 'manage')
  await insertAlias(ctx, caller, name, key.id)
  return {}
}

/** Also used for AWS-managed aliases, which callers may not create themselves. */
export async function insertAlias(ctx: KmsContext, caller: Pick<Caller, 'account' | 'region'>, name: string, keyId: string): Promise<void> {
  const now = ctx.clock.now()
  // Whatever happens, this node's cached answer for the name is stale now (a lost race included).
  try {
    await ctx.db.transaction().execute(async (tx) => {
      await lockKeyRow(tx, caller.region, keyId)
      const existing = await tx
        .selectFrom('kms_aliases')
        .select('name')
        .where('account', '=', caller.account)
        .where('region', '=', caller.region)
        .where('name', '=', name)
        .executeTakeFirst()
      if (existing) throw alreadyExists(caller, name)
      const { n } = await tx
        .selectFrom('kms_aliases')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('region', '=', caller.region)
        .where('key_id', '=', keyId)
        .executeTakeFirstOrThrow()
      if (Number(n) >= MAX_ALIASES_PER_KEY) throw new ArcaError('LimitExceeded', `A key may have at most ${MAX_ALIASES_PER_KEY} aliases.`)
      try {
        await tx
          .insertInto('kms_aliases')
          .values({ account: caller.account, region: caller.region, name, key_id: keyId, created_at: now, updated_at: now })
          .execute()
      } catch (e) {
        // A concurrent CreateAlias of the same name lost the race on the primary key.
        throw alreadyExists(caller, name, e)
      }
    })
  } finally {
    ctx.store.invalidateAlias(caller.account, caller.region, name)
  }
}

export async function updateAlias(ctx: KmsContext, caller: Caller, input: { aliasName: string; targetKeyId: string }): Promise<Record<string, never>> {
  const name = checkAliasName(input.aliasName)
  const current = await ctx.store.resolveAlias(caller.account, caller.region, name)
  if (!current) throw new ArcaError('NotFound', `Alias ${kmsAliasArn(caller.region, caller.account, name)} is not found.`)
  const { key } = await resolveKey(ctx.store, caller, input.targetKeyId, { allowAlias: false })
  await authorize(ctx, caller, 'kms:UpdateAlias', key, { requestAlias: name })
  requireState(key, 'manage')
  const old = await ctx.store.get(caller.region, current)
  if (old && (old.spec !== key.spec || old.usage !== key.usage))
    throw new ArcaError('Validation', `The new target key must have the same key spec (${old.spec}) and key usage (${old.usage}) as the current one.`)
  await ctx.db
    .updateTable('kms_aliases')
    .set({ key_id: key.id, updated_at: ctx.clock.now() })
    .where('account', '=', caller.account)
    .where('region', '=', caller.region)
    .where('name', '=', name)
    .execute()
  ctx.store.invalidateAlias(caller.account, caller.region, name)
  return {}
}

export async function deleteAlias(ctx: KmsContext, caller: Caller, input: { aliasName: string }): Promise<Record<string, never>> {
  const name = checkAliasName(input.aliasName)
  const target = await ctx.store.resolveAlias(caller.account, caller.region, name)
  if (!target) throw new ArcaError('NotFound', `Alias ${kmsAliasArn(caller.region, caller.account, name)} is not found.`)
  const key = await ctx.store.get(caller.region, target)
  await authorize(ctx, caller, 'kms:DeleteAlias', key, { requestAlias: name })
  await ctx.db.deleteFrom('kms_aliases').where('account', '=', caller.account).where('region', '=', caller.region).where('name', '=', name).execute()
  ctx.store.invalidateAlias(caller.account, caller.region, name)
  return {}
}

export async function listAliases(
  ctx: KmsContext,
  caller: Caller,
  input: { keyId?: string; limit?: number; marker?: string },
): Promise<{ aliases: AliasListEntry[] } & PageOut> {
  // AWS: ListAliases Limit 1–100, default 50.
  const limit = pageLimit(input.limit, 50, 100)
  const after = decodeMarker(input.marker)
  let keyFilter: string | undefined
  if (input.keyId !== undefined) {
    const { key } = await resolveKey(ctx.store, caller, input.keyId, { allowAlias: false })
    await authorize(ctx, caller, 'kms:ListAliases', key)
    keyFilter = key.id
  } else {
    await authorize(ctx, caller, 'kms:ListAliases', undefined, { resource: '*' })
  }
  let q = ctx.db
    .selectFrom('kms_aliases')
    .selectAll()
    .where('account', '=', caller.account)
    .where('region', '=', caller.region)
    .orderBy('name')
    .limit(limit + 1)
  if (keyFilter) q = q.where('key_id', '=', keyFilter)
  if (after !== undefined) q = q.where('name', '>', after)
  const rows = await q.execute()
  const page = rows.slice(0, limit)
  const out: { aliases: AliasListEntry[] } & PageOut = {
    aliases: page.map((r) => ({
      aliasName: r.name,
      aliasArn: kmsAliasArn(caller.region, caller.account, r.name),
      targetKeyId: r.key_id,
      creationDate: new Date(Number(r.created_at)),
      lastUpdatedDate: new Date(Number(r.updated_at)),
    })),
    truncated: rows.length > limit,
  }
  if (out.truncated) out.nextMarker = encodeMarker(page[page.length - 1].name)
  return out
}

function alreadyExists(caller: Pick<Caller, 'account' | 'region'>, name: string, cause?: unknown): ArcaError {
  return new ArcaError('AlreadyExists', `An alias with the name ${kmsAliasArn(caller.region, caller.account, name)} already exists`, { cause })
}
