import type { Kysely } from 'kysely'
import type { Schema } from './schema.ts'

/** Small key/value settings (seal mode, root-key check value, cache version counters). */
export interface MetaStore {
  get(key: string): Promise<string | undefined>
  set(key: string, value: string): Promise<void>
  /** Inserts only when absent; true when this call inserted it (first writer wins across nodes). */
  add(key: string, value: string): Promise<boolean>
}

export function metaStore(db: Kysely<Schema>): MetaStore {
  return {
    async get(key) {
      const row = await db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst()
      return row?.value
    },
    async set(key, value) {
      await db
        .insertInto('meta')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
        .execute()
    },
    async add(key, value) {
      const res = await db
        .insertInto('meta')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doNothing())
        .executeTakeFirst()
      return Number(res.numInsertedOrUpdatedRows ?? 0) === 1
    },
  }
}
