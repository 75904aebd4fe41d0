import type { Transaction } from 'kysely'
import type { Schema } from '../../store/index.ts'

/**
 * Holds the key's row lock until `tx` ends, so per-key quotas checked by counting rows (50 tags,
 * 50 aliases) hold under concurrent requests. On PostgreSQL (read committed) two transactions
 * would otherwise each count only their own insert; SQLite runs one write transaction at a time
 * anyway. A no-op UPDATE takes the lock on both without a dialect branch.
 */
export async function lockKeyRow(tx: Transaction<Schema>, region: string, keyId: string): Promise<void> {
  await tx.updateTable('kms_keys').set({ region }).where('region', '=', region).where('id', '=', keyId).execute()
}
