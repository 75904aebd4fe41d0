import type { Kysely, Transaction } from 'kysely'
import { sha256 } from '@noble/hashes/sha2.js'
import { type Clock, toHex } from '../../core/index.ts'
import type { Schema } from '../../store/index.ts'
import { type Barrier, materialAad } from '../barrier.ts'
import { TtlCache } from './cache.ts'
import { type KeyPatch, type KeyRecord, fromRow, patchToRow, toRow } from './record.ts'

export interface KeyStoreOptions {
  /** How long a node trusts its cached copy of a key row; the cluster-wide staleness bound. */
  keyTtlMs?: number
  /** How long unwrapped material stays in memory. */
  materialTtlMs?: number
  maxCachedKeys?: number
}

export const DEFAULT_KEY_TTL_MS = 1000
export const DEFAULT_MATERIAL_TTL_MS = 5 * 60_000

type Db = Kysely<Schema> | Transaction<Schema>

/** Key rows, material versions and aliases in the database, with bounded caches in front. */
export class KeyStore {
  private readonly keys: TtlCache<KeyRecord | null>
  private readonly materials: TtlCache<Uint8Array>
  private readonly aliases: TtlCache<string | null>
  private readonly materialIds: TtlCache<string>

  constructor(
    readonly db: Kysely<Schema>,
    private readonly barrier: Barrier,
    private readonly clock: Clock,
    opts: KeyStoreOptions = {},
  ) {
    const keyTtl = opts.keyTtlMs ?? DEFAULT_KEY_TTL_MS
    const max = opts.maxCachedKeys ?? 10_000
    this.keys = new TtlCache(clock, keyTtl, max)
    this.aliases = new TtlCache(clock, keyTtl, max)
    this.materials = new TtlCache(clock, opts.materialTtlMs ?? DEFAULT_MATERIAL_TTL_MS, max, (m) => m.fill(0))
    this.materialIds = new TtlCache(clock, opts.materialTtlMs ?? DEFAULT_MATERIAL_TTL_MS, max)
  }

  async get(region: string, id: string): Promise<KeyRecord | undefined> {
    const ck = `${region}|${id}`
    const hit = this.keys.get(ck)
    if (hit !== undefined) return hit ?? undefined
    const row = await this.db.selectFrom('kms_keys').selectAll().where('region', '=', region).where('id', '=', id).executeTakeFirst()
    const rec = row ? fromRow(row) : null
    this.keys.set(ck, rec)
    return rec ?? undefined
  }

  /** Every region's copy of a key id (multi-Region keys have several). */
  async allRegions(id: string, db: Db = this.db): Promise<KeyRecord[]> {
    const rows = await db.selectFrom('kms_keys').selectAll().where('id', '=', id).execute()
    return rows.map(fromRow)
  }

  invalidate(region: string, id: string): void {
    this.keys.delete(`${region}|${id}`)
  }

  async insert(key: KeyRecord, materials: { version: number; material: Uint8Array; rotationType: string | null }[], db: Db = this.db) {
    await db.insertInto('kms_keys').values(toRow(key)).execute()
    for (const m of materials) await this.insertMaterial(key.id, m.version, m.material, m.rotationType, db)
    this.invalidate(key.region, key.id)
  }

  /** Compare-and-set on the row's revision: a concurrent change makes this return false. */
  async update(key: KeyRecord, patch: KeyPatch, db: Db = this.db): Promise<boolean> {
    const res = await db
      .updateTable('kms_keys')
      .set({ ...patchToRow(patch), revision: key.revision + 1 })
      .where('region', '=', key.region)
      .where('id', '=', key.id)
      .where('revision', '=', key.revision)
      .executeTakeFirst()
    this.invalidate(key.region, key.id)
    return Number(res.numUpdatedRows) === 1
  }

  async insertMaterial(keyId: string, version: number, material: Uint8Array, rotationType: string | null, db: Db = this.db) {
    await db
      .insertInto('kms_key_material')
      .values({
        key_id: keyId,
        version,
        material: this.barrier.wrap(materialAad(keyId, version), material),
        material_id: materialId(keyId, version, material),
        rotation_type: rotationType,
        created_at: this.clock.now(),
      })
      .execute()
  }

  /** Unwrapped material of one version, from memory when recently used. */
  async material(keyId: string, version: number): Promise<Uint8Array | undefined> {
    const ck = `${keyId}|${version}`
    const hit = this.materials.get(ck)
    if (hit) return hit
    const row = await this.db
      .selectFrom('kms_key_material')
      .select('material')
      .where('key_id', '=', keyId)
      .where('version', '=', version)
      .executeTakeFirst()
    if (!row) return undefined
    const m = this.barrier.unwrap(materialAad(keyId, version), new Uint8Array(row.material))
    this.materials.set(ck, m)
    return m
  }

  /** AWS's KeyMaterialId of a version, computed once per cached material. */
  materialIdOf(keyId: string, version: number, material: Uint8Array): string {
    const ck = `${keyId}|${version}`
    let id = this.materialIds.get(ck)
    if (id === undefined) {
      id = materialId(keyId, version, material)
      this.materialIds.set(ck, id)
    }
    return id
  }

  async materialVersions(keyId: string, db: Db = this.db) {
    return db
      .selectFrom('kms_key_material')
      .select(['version', 'material_id', 'rotation_type', 'created_at'])
      .where('key_id', '=', keyId)
      .orderBy('version')
      .execute()
  }

  async deleteMaterial(keyId: string, db: Db = this.db) {
    await db.deleteFrom('kms_key_material').where('key_id', '=', keyId).execute()
    this.materials.deleteWhere((k) => k.startsWith(`${keyId}|`))
  }

  /** Forgets unwrapped material of a key that is gone. */
  async deleteMaterialCache(keyId: string): Promise<void> {
    this.materials.deleteWhere((k) => k.startsWith(`${keyId}|`))
  }

  async resolveAlias(account: string, region: string, name: string): Promise<string | undefined> {
    const ck = `${account}|${region}|${name}`
    const hit = this.aliases.get(ck)
    if (hit !== undefined) return hit ?? undefined
    const row = await this.db
      .selectFrom('kms_aliases')
      .select('key_id')
      .where('account', '=', account)
      .where('region', '=', region)
      .where('name', '=', name)
      .executeTakeFirst()
    this.aliases.set(ck, row?.key_id ?? null)
    return row?.key_id
  }

  invalidateAlias(account: string, region: string, name: string): void {
    this.aliases.delete(`${account}|${region}|${name}`)
  }

  /** Drops every cached copy (after a restore, or in tests). */
  clearCaches(): void {
    this.keys.clear()
    this.aliases.clear()
    this.materials.clear()
  }
}

/** AWS's KeyMaterialId: 64 hex digits naming one material version without revealing it. */
export function materialId(keyId: string, version: number, material: Uint8Array): string {
  const h = sha256.create()
  h.update(new TextEncoder().encode(`arca material id:${keyId}:${version}:`))
  h.update(sha256(material))
  return toHex(h.digest())
}
