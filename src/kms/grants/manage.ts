import { ArcaError, accountRootArn, kmsKeyArn, parseArn } from '../../core/index.ts'
import type { KmsGrantTable } from '../../store/index.ts'
import { accessDenied } from '../authorizer.ts'
import { type KmsContext, authorize } from '../context-deps.ts'
import { decodeMarker, encodeMarker, pageLimit } from '../keys/paging.ts'
import { resolveKey } from '../keys/resolve.ts'
import { dryRunError } from '../ops/checks.ts'
import type { Caller, Grant, PageOut } from '../types.ts'
import { type GrantConstraints, checkPrincipal, isGrantee, isRetiringPrincipal } from './rules.ts'
import { type StoredGrant, fromGrantRow, grantStoreOf } from './store.ts'
import { checkGrantId, parseGrantToken } from './token.ts'

// AWS: ListGrants and ListRetirableGrants Limit 1–100, default 50.
export const DEFAULT_GRANT_PAGE = 50
export const MAX_GRANT_PAGE = 100

/** One entry of ListGrants / ListRetirableGrants (AWS GrantListEntry). */
export interface GrantListEntry {
  keyId: string
  grantId: string
  name?: string
  creationDate: Date
  granteePrincipal: string
  retiringPrincipal?: string
  issuingAccount: string
  operations: string[]
  constraints?: GrantConstraints
}

export type GrantList = { grants: GrantListEntry[] } & PageOut

function toEntry(g: Grant): GrantListEntry {
  const e: GrantListEntry = {
    keyId: kmsKeyArn(g.region, g.account, g.keyId),
    grantId: g.grantId,
    creationDate: new Date(g.creationDate),
    granteePrincipal: g.granteePrincipal,
    issuingAccount: accountRootArn(g.account),
    operations: [...g.operations],
  }
  if (g.name !== undefined) e.name = g.name
  if (g.retiringPrincipal !== undefined) e.retiringPrincipal = g.retiringPrincipal
  if (g.constraints !== undefined) e.constraints = g.constraints
  return e
}

/** Pages in creation order; the marker holds the last (created_at, grant_id). */
function after(marker: string | undefined): { at: number; id: string } | undefined {
  const text = decodeMarker(marker)
  if (text === undefined) return undefined
  const m = /^(\d+):([0-9a-f]{64})$/.exec(text)
  if (!m) throw new ArcaError('InvalidMarker', 'The marker that specifies where pagination should next begin is not valid.')
  return { at: Number(m[1]), id: m[2] }
}

function page(rows: KmsGrantTable[], limit: number): GrantList {
  const shown = rows.slice(0, limit)
  const out: GrantList = { grants: shown.map((r) => toEntry(fromGrantRow(r).grant)), truncated: rows.length > limit }
  if (out.truncated) {
    const last = shown[shown.length - 1]
    out.nextMarker = encodeMarker(`${Number(last.created_at)}:${last.grant_id}`)
  }
  return out
}

export async function listGrants(
  ctx: KmsContext,
  caller: Caller,
  input: { keyId: string; grantId?: string; granteePrincipal?: string; limit?: number; marker?: string },
): Promise<GrantList> {
  const { key } = await resolveKey(ctx.store, caller, input.keyId, { allowAlias: false })
  const limit = pageLimit(input.limit, DEFAULT_GRANT_PAGE, MAX_GRANT_PAGE)
  const grantId = input.grantId === undefined || input.grantId === null ? undefined : checkGrantId(input.grantId)
  const grantee = input.granteePrincipal === undefined || input.granteePrincipal === null ? undefined : String(input.granteePrincipal)
  const from = after(input.marker)
  await authorize(ctx, caller, 'kms:ListGrants', key, { conditions: { 'kms:GrantIsForAWSResource': caller.viaService !== undefined } })
  let q = ctx.db
    .selectFrom('kms_grants')
    .selectAll()
    .where('region', '=', key.region)
    .where('key_id', '=', key.id)
    .orderBy('created_at')
    .orderBy('grant_id')
    .limit(limit + 1)
  if (grantId !== undefined) q = q.where('grant_id', '=', grantId)
  if (grantee !== undefined) q = q.where('grantee_principal', '=', grantee)
  if (from) q = q.where((eb) => eb.or([eb('created_at', '>', from.at), eb.and([eb('created_at', '=', from.at), eb('grant_id', '>', from.id)])]))
  return page(await q.execute(), limit)
}

/**
 * Grants in the caller's region whose retiring principal is the one named, on keys of any
 * account. AWS authorizes this against the caller's own account only, so the principal must be
 * in that account.
 */
export async function listRetirableGrants(
  ctx: KmsContext,
  caller: Caller,
  input: { retiringPrincipal: string; limit?: number; marker?: string },
): Promise<GrantList> {
  const principal = checkPrincipal('retiringPrincipal', input.retiringPrincipal)
  const limit = pageLimit(input.limit, DEFAULT_GRANT_PAGE, MAX_GRANT_PAGE)
  const from = after(input.marker)
  const arn = parseArn(principal)
  if (arn && arn.account !== caller.account) throw accessDenied({ caller, action: 'kms:ListRetirableGrants', resource: principal })
  await authorize(ctx, caller, 'kms:ListRetirableGrants', undefined, { resource: principal })
  let q = ctx.db
    .selectFrom('kms_grants')
    .selectAll()
    .where('retiring_principal', '=', principal)
    .where('region', '=', caller.region)
    .orderBy('created_at')
    .orderBy('grant_id')
    .limit(limit + 1)
  if (from) q = q.where((eb) => eb.or([eb('created_at', '>', from.at), eb.and([eb('created_at', '=', from.at), eb('grant_id', '>', from.id)])]))
  return page(await q.execute(), limit)
}

function grantNotFound(grantId?: string): ArcaError {
  return new ArcaError('NotFound', grantId ? `Grant ID ${grantId} not found.` : 'The grant named by the grant token was not found.')
}

/**
 * Deletes a grant named by its token, or by key and grant id. Allowed for the grant's retiring
 * principal and for its grantee when the grant lists RetireGrant; anyone else needs
 * kms:RetireGrant on the key from policy (the key's account, typically).
 */
export async function retireGrant(
  ctx: KmsContext,
  caller: Caller,
  input: { grantToken?: string; keyId?: string; grantId?: string; dryRun?: boolean },
): Promise<Record<string, never>> {
  const store = grantStoreOf(ctx)
  let stored: StoredGrant | undefined
  if (input.grantToken !== undefined && input.grantToken !== null) {
    const token = parseGrantToken(input.grantToken)
    stored = await store.byId(token.grantId)
    if (!stored || stored.grant.region !== caller.region) throw grantNotFound()
    if (!store.verify(stored, token)) throw new ArcaError('InvalidGrantToken', 'The grant token is not valid.', { field: 'grantToken' })
    if (input.grantId !== undefined && input.grantId !== null && checkGrantId(input.grantId) !== stored.grant.grantId) throw grantNotFound(input.grantId)
    if (input.keyId !== undefined && input.keyId !== null) {
      const { key } = await resolveKey(ctx.store, caller, input.keyId, { allowAlias: false })
      if (key.id !== stored.grant.keyId || key.account !== stored.grant.account) throw grantNotFound(stored.grant.grantId)
    }
  } else {
    if (input.keyId === undefined || input.keyId === null || input.grantId === undefined || input.grantId === null)
      throw new ArcaError('Validation', 'Specify either GrantToken, or both KeyId and GrantId.')
    const grantId = checkGrantId(input.grantId)
    const { key } = await resolveKey(ctx.store, caller, input.keyId, { allowAlias: false })
    stored = await store.byId(grantId)
    if (!stored || stored.grant.region !== key.region || stored.grant.keyId !== key.id || stored.grant.account !== key.account) throw grantNotFound(grantId)
  }
  const grant = stored.grant
  const byGrant = isRetiringPrincipal(grant, caller) || (grant.granteePrincipal === caller.principalArn && grant.operations.includes('RetireGrant'))
  if (!byGrant) {
    const key = await ctx.store.get(grant.region, grant.keyId)
    if (!key) throw grantNotFound(grant.grantId)
    // Only this grant can let its grantee retire it; no other grant on the key counts.
    const own = isGrantee(grant, caller) && grant.operations.includes('RetireGrant') ? [grant] : []
    await authorize(ctx, caller, 'kms:RetireGrant', key, { grantOperation: 'RetireGrant', grants: own })
  }
  if (input.dryRun) throw dryRunError()
  const res = await ctx.db.deleteFrom('kms_grants').where('grant_id', '=', grant.grantId).executeTakeFirst()
  store.invalidate(grant.region, grant.keyId)
  if (Number(res.numDeletedRows) !== 1) throw grantNotFound(grant.grantId)
  return {}
}

/** Deletes a grant; authorized as kms:RevokeGrant on the key (grants cannot allow it). */
export async function revokeGrant(ctx: KmsContext, caller: Caller, input: { keyId: string; grantId: string; dryRun?: boolean }): Promise<Record<string, never>> {
  const { key } = await resolveKey(ctx.store, caller, input.keyId, { allowAlias: false })
  const grantId = checkGrantId(input.grantId)
  await authorize(ctx, caller, 'kms:RevokeGrant', key, { conditions: { 'kms:GrantIsForAWSResource': caller.viaService !== undefined } })
  if (input.dryRun) throw dryRunError()
  const res = await ctx.db
    .deleteFrom('kms_grants')
    .where('grant_id', '=', grantId)
    .where('region', '=', key.region)
    .where('key_id', '=', key.id)
    .executeTakeFirst()
  grantStoreOf(ctx).invalidate(key.region, key.id)
  if (Number(res.numDeletedRows) !== 1) throw grantNotFound(grantId)
  return {}
}
