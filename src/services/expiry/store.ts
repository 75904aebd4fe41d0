import type { Kysely } from 'kysely'
import { uuid } from '../../core/index.ts'
import type { Schema } from '../../store/index.ts'
import type { ExpiryItemRef } from '../shared/index.ts'
import { dueMoments } from './evaluate.ts'
import { type ExpiryConfig, storedExpiryPolicies } from './grammar.ts'

export type ItemType = 'secret' | 'parameter' | 'key'

export interface ItemRow {
  api_config: string | null
  tag_config: string | null
  changed_at: number
  accessed_at: number
}

/** The configuration in force: the one set through the REST API, else the tags'. */
export function effectiveConfig(row: Pick<ItemRow, 'api_config' | 'tag_config'> | undefined): ExpiryConfig | null {
  const text = row?.api_config ?? row?.tag_config ?? null
  return text === null ? null : (JSON.parse(text) as ExpiryConfig)
}

export function loadItem(db: Kysely<Schema>, type: ItemType, arn: string): Promise<ItemRow | undefined> {
  return db.selectFrom('expiry_items').select(['api_config', 'tag_config', 'changed_at', 'accessed_at']).where('item_type', '=', type).where('arn', '=', arn).executeTakeFirst()
}

/** Creates or updates the item's row (inside `tx`), then schedules its moments afresh. */
export async function saveItem(
  tx: Kysely<Schema>,
  type: ItemType,
  item: ExpiryItemRef,
  patch: Partial<ItemRow>,
  initial: { changedAt: number; accessedAt: number },
): Promise<void> {
  const current = await loadItem(tx, type, item.arn)
  if (!current) {
    await tx
      .insertInto('expiry_items')
      .values({ item_type: type, arn: item.arn, account: item.account, region: item.region, name: item.name, api_config: null, tag_config: null, changed_at: initial.changedAt, accessed_at: initial.accessedAt, ...patch })
      .execute()
  } else if (Object.keys(patch).length) {
    await tx.updateTable('expiry_items').set(patch).where('item_type', '=', type).where('arn', '=', item.arn).execute()
  }
  await reschedule(tx, type, item)
}

/**
 * Replaces the item's pending moments with what its configuration and times give now. A moment
 * that already fired (same policy, same due time) is never scheduled again: the unique key keeps
 * it out, so a restart or a repeated write neither repeats nor loses a notice.
 */
export async function reschedule(tx: Kysely<Schema>, type: ItemType, item: ExpiryItemRef): Promise<void> {
  await tx.deleteFrom('expiry_moments').where('item_type', '=', type).where('arn', '=', item.arn).where('pending', '=', 1).execute()
  const row = await loadItem(tx, type, item.arn)
  const config = effectiveConfig(row)
  if (!row || !config) return
  const moments = dueMoments(storedExpiryPolicies(config.policies), { changedAt: row.changed_at, accessedAt: row.accessed_at })
  for (const m of moments) {
    await tx
      .insertInto('expiry_moments')
      .values({
        id: uuid(),
        item_type: type,
        arn: item.arn,
        account: item.account,
        region: item.region,
        name: item.name,
        policy_type: m.policyType,
        policy_text: m.text,
        action: m.policyType === 'Expiration' ? config.action : 'notify',
        due_at: m.dueAt,
        pending: 1,
        fired_at: null,
        late: 0,
      })
      .onConflict((oc) => oc.columns(['item_type', 'arn', 'policy_type', 'due_at']).doNothing())
      .execute()
  }
}
