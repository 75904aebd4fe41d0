import type { KmsContext } from '../context-deps.ts'
import type { KeyMetadata } from '../types.ts'
import { toKeyMetadata } from './metadata.ts'
import type { KeyRecord } from './record.ts'

/** Full KeyMetadata, reading what the row alone does not hold (material id, replica regions). */
export async function describe(ctx: KmsContext, key: KeyRecord): Promise<KeyMetadata> {
  const extra: { currentKeyMaterialId?: string; replicaRegions?: string[] } = {}
  if (key.currentVersion > 0) {
    const row = await ctx.db
      .selectFrom('kms_key_material')
      .select('material_id')
      .where('key_id', '=', key.id)
      .where('version', '=', key.currentVersion)
      .executeTakeFirst()
    if (row) extra.currentKeyMaterialId = row.material_id
  }
  if (key.multiRegion) {
    const rows = await ctx.db.selectFrom('kms_keys').select('region').where('id', '=', key.id).where('region', '!=', key.primaryRegion ?? '').execute()
    extra.replicaRegions = rows.map((r) => r.region).sort()
  }
  return toKeyMetadata(key, extra)
}
