import { describe, expect, it } from 'vitest'
import { migrateToLatest, schemaVersion } from '../../../src/store/index.ts'
import { createTestDatabase } from '../../support/db.ts'

describe('migrateToLatest', () => {
  it('two databases side by side (on PostgreSQL: two schemas of one database) each migrate, and again is a no-op', async () => {
    const first = await createTestDatabase()
    // the second one migrates while the first one's migration tables exist
    const second = await createTestDatabase()
    try {
      for (const d of [first, second]) {
        const rows = await d.db.selectFrom('arca_migrations' as never).select('name' as never).execute()
        expect(rows.map((r) => (r as { name: string }).name)).toContain(schemaVersion)
        expect(await migrateToLatest(d.db)).toEqual([])
      }
    } finally {
      await second.dispose()
      await first.dispose()
    }
  })
})
