import type { Kysely, Transaction } from 'kysely'
import { ArcaError, type Clock, accountRootArn } from '../../core/index.ts'
import type { KmsGrantTable, Schema } from '../../store/index.ts'
import type { Barrier } from '../barrier.ts'
import type { KmsContext } from '../context-deps.ts'
import { TtlCache } from '../keys/cache.ts'
import { DEFAULT_KEY_TTL_MS } from '../keys/key-store.ts'
import type { KeyRecord } from '../keys/record.ts'
import type { Caller, Grant } from '../types.ts'
import { type ParsedGrantToken, parseGrantToken, tokenKeyAad, tokenMatches } from './token.ts'

type Db = Kysely<Schema> | Transaction<Schema>

/** A grant row as the store keeps it: the grant, and its token key (wrapped; unwrapped on first use). */
export interface StoredGrant {
  grant: Grant
  wrappedTokenKey: Uint8Array
  tokenKey?: Uint8Array
}

/**
 * Above this many grants on one key, the cache remembers only that the key has many and the
 * loader asks the database for the caller's grants (indexed) instead of holding them all.
 */
export const MAX_CACHED_GRANTS_PER_KEY = 500

type KeyGrants = { kind: 'all'; grants: StoredGrant[] } | { kind: 'many' }

export function fromGrantRow(r: KmsGrantTable): StoredGrant {
  const grant: Grant = {
    grantId: r.grant_id,
    keyId: r.key_id,
    region: r.region,
    account: r.account,
    granteePrincipal: r.grantee_principal,
    operations: JSON.parse(r.operations) as string[],
    creationDate: Number(r.created_at),
  }
  if (r.name !== null) grant.name = r.name
  if (r.retiring_principal !== null) grant.retiringPrincipal = r.retiring_principal
  if (r.constraints !== null) grant.constraints = JSON.parse(r.constraints) as Grant['constraints']
  return { grant, wrappedTokenKey: new Uint8Array(r.token_key) }
}

/**
 * Grant rows with a per-key cache in front, so that authorizing a request on a key with no grants
 * (the common case) costs no query. Entries live as long as cached key rows (the cluster-wide
 * staleness bound) and are dropped locally on every grant change; a grant token always reaches
 * the database when its grant is not cached, so a new grant is usable at once with its token.
 */
export class GrantStore {
  private readonly cache: TtlCache<KeyGrants>

  constructor(
    readonly db: Kysely<Schema>,
    private readonly barrier: Barrier | undefined,
    clock: Clock,
    opts: { ttlMs?: number; maxKeys?: number } = {},
  ) {
    const wipe = (e: KeyGrants) => {
      if (e.kind === 'all') for (const g of e.grants) g.tokenKey?.fill(0)
    }
    this.cache = new TtlCache(clock, opts.ttlMs ?? DEFAULT_KEY_TTL_MS, opts.maxKeys ?? 10_000, wipe)
  }

  private async forKey(region: string, keyId: string): Promise<KeyGrants> {
    const ck = `${region}|${keyId}`
    const hit = this.cache.get(ck)
    if (hit) return hit
    const rows = await this.db
      .selectFrom('kms_grants')
      .selectAll()
      .where('region', '=', region)
      .where('key_id', '=', keyId)
      .limit(MAX_CACHED_GRANTS_PER_KEY + 1)
      .execute()
    const entry: KeyGrants = rows.length > MAX_CACHED_GRANTS_PER_KEY ? { kind: 'many' } : { kind: 'all', grants: rows.map(fromGrantRow) }
    this.cache.set(ck, entry)
    return entry
  }

  /**
   * The grants on `key` that may apply to this caller: those whose grantee is the caller (or its
   * account), plus those named by the caller's grant tokens, whoever their grantee. A token that
   * is malformed, or names a grant of this key with a wrong MAC, is InvalidGrantToken; a token of
   * another key's grant (or of a grant since retired) is ignored.
   */
  async candidates(key: Pick<KeyRecord, 'region' | 'id'>, caller: Pick<Caller, 'principalArn' | 'account' | 'grantTokens'>): Promise<Grant[]> {
    const tokens = (caller.grantTokens ?? []).map(parseGrantToken)
    const principals = [caller.principalArn, accountRootArn(caller.account)]
    const entry = await this.forKey(key.region, key.id)
    let mine: StoredGrant[]
    if (entry.kind === 'all') {
      mine = entry.grants.filter((g) => principals.includes(g.grant.granteePrincipal))
    } else {
      const rows = await this.db
        .selectFrom('kms_grants')
        .selectAll()
        .where('region', '=', key.region)
        .where('key_id', '=', key.id)
        .where('grantee_principal', 'in', principals)
        .execute()
      mine = rows.map(fromGrantRow)
    }
    const out = mine.map((g) => g.grant)
    for (const t of tokens) {
      const cached = entry.kind === 'all' ? entry.grants.find((g) => g.grant.grantId === t.grantId) : undefined
      const stored = cached ?? (await this.byId(t.grantId))
      if (!stored || stored.grant.region !== key.region || stored.grant.keyId !== key.id) continue
      if (!this.verify(stored, t, cached !== undefined)) throw new ArcaError('InvalidGrantToken', 'The grant token is not valid.', { field: 'grantTokens' })
      if (!out.some((g) => g.grantId === stored.grant.grantId)) out.push(stored.grant)
    }
    return out
  }

  async byId(grantId: string, db: Db = this.db): Promise<StoredGrant | undefined> {
    const row = await db.selectFrom('kms_grants').selectAll().where('grant_id', '=', grantId).executeTakeFirst()
    return row ? fromGrantRow(row) : undefined
  }

  /** Checks a parsed token against its grant's key; `keep` holds the unwrapped key with a cached grant. */
  verify(stored: StoredGrant, token: ParsedGrantToken, keep = false): boolean {
    if (token.grantId !== stored.grant.grantId) return false
    const key = stored.tokenKey ?? this.requireBarrier().unwrap(tokenKeyAad(stored.grant.grantId), stored.wrappedTokenKey)
    try {
      return tokenMatches(token, key)
    } finally {
      if (keep) stored.tokenKey = key
      else if (key !== stored.tokenKey) key.fill(0)
    }
  }

  requireBarrier(): Barrier {
    if (!this.barrier) throw new ArcaError('Internal', 'Grants need the root-key barrier, which this KMS was built without.')
    return this.barrier
  }

  /** Forget a key's cached grants (after any grant change on it). */
  invalidate(region: string, keyId: string): void {
    this.cache.delete(`${region}|${keyId}`)
  }

  clear(): void {
    this.cache.clear()
  }
}

/** The context's grant store, made on first use for contexts built without one. */
export function grantStoreOf(ctx: KmsContext): GrantStore {
  ctx.grants ??= new GrantStore(ctx.db, ctx.barrier, ctx.clock)
  return ctx.grants
}
