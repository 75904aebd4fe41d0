import type { Kysely } from 'kysely'
import { ArcaError, MS, toDate } from '../../core/index.ts'
import type { Schema } from '../../store/index.ts'
import type { ExpiryItemRef, SecretExpiryHooks } from '../shared/index.ts'
import { expiresAt } from './evaluate.ts'
import { storedExpiryPolicies } from './grammar.ts'
import { effectiveConfig, loadItem, reschedule, saveItem } from './store.ts'
import { configFromTags } from './tags.ts'

// Arca: a read updates last-accessed at most once per item per hour (issue 11).
export const ACCESS_WRITE_INTERVAL_MS = MS.hour
// Arca: how long a node trusts its cached view of an item's expiry (other nodes' writes show after this).
export const CONFIG_CACHE_MS = MS.minute
// Arca: entries kept in each in-memory map before the oldest are dropped.
const MAX_CACHED = 100_000

interface Cached {
  loadedAt: number
  tracked: boolean
  denyAt?: number
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key)
  if (map.size >= MAX_CACHED) map.delete(map.keys().next().value!)
  map.set(key, value)
}

export interface SecretHooks extends SecretExpiryHooks {
  /** Forget what this node cached for an item (after a configuration change). */
  forget(arn: string): void
}

/** The secrets service's expiry hooks: tag validation, version/tag bookkeeping, deny-reads and last-accessed. */
export function secretHooks(db: Kysely<Schema>): SecretHooks {
  const configs = new Map<string, Cached>()
  const accessWritten = new Map<string, number>()

  async function cached(arn: string, now: number): Promise<Cached> {
    const hit = configs.get(arn)
    if (hit && now - hit.loadedAt < CONFIG_CACHE_MS) return hit
    const row = await loadItem(db, 'secret', arn)
    const config = effectiveConfig(row)
    const entry: Cached = { loadedAt: now, tracked: row !== undefined }
    if (config?.action === 'deny-reads') {
      const at = expiresAt(storedExpiryPolicies(config.policies))
      if (at !== undefined) entry.denyAt = at
    }
    remember(configs, arn, entry)
    return entry
  }

  return {
    checkTags(tags, now, changedKeys) {
      const future = changedKeys === undefined || changedKeys.includes('arca:expires-at')
      configFromTags(tags, future ? now : undefined)
    },
    async tagsChanged(tx, item, tags, now) {
      const config = configFromTags(tags)
      const text = config ? JSON.stringify(config) : null
      const current = await loadItem(tx, 'secret', item.arn)
      configs.delete(item.arn)
      if (!current && text === null) return
      if (current && current.tag_config === text) return
      await saveItem(tx, 'secret', item, { tag_config: text }, { changedAt: now, accessedAt: now })
    },
    async versionWritten(tx, item, now) {
      const r = await tx.updateTable('expiry_items').set({ changed_at: now }).where('item_type', '=', 'secret').where('arn', '=', item.arn).executeTakeFirst()
      if (Number(r.numUpdatedRows) > 0) await reschedule(tx, 'secret', item)
    },
    async beforeRead(item: ExpiryItemRef, now) {
      const c = await cached(item.arn, now)
      if (!c.tracked) return
      if (c.denyAt !== undefined && now >= c.denyAt)
        throw new ArcaError('InvalidRequest', `You can't read the secret's value: it expired at ${toDate(c.denyAt).toISOString()} and its expiry action denies reads.`)
      const last = accessWritten.get(item.arn)
      if (last !== undefined && now - last < ACCESS_WRITE_INTERVAL_MS) return
      remember(accessWritten, item.arn, now)
      await db.transaction().execute(async (tx) => {
        const r = await tx.updateTable('expiry_items').set({ accessed_at: now }).where('item_type', '=', 'secret').where('arn', '=', item.arn).where('accessed_at', '<', now).executeTakeFirst()
        if (Number(r.numUpdatedRows) > 0) await reschedule(tx, 'secret', item)
      })
    },
    forget(arn) {
      configs.delete(arn)
    },
  }
}
