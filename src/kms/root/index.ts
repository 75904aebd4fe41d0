/**
 * The root of trust: the root key (from ARCA_ROOT_KEY, ARCA_ROOT_KEY_FILE, a generated
 * `$ARCA_DATA_DIR/root.key`, or Shamir unseal shares), the seal state, and the barrier that
 * encrypts everything at rest under it. See DESIGN.md, "Root of trust".
 */
import { Seal, type ShamirInitResult } from './seal.ts'
import type { MetaStore } from './meta.ts'
import type { RootKeySource } from './root-key.ts'

export { Seal, type SealStatus, type UnsealProgress, type ShamirInitResult } from './seal.ts'
export { META, type MetaStore, type SealMode } from './meta.ts'
export { type RootKeySource, ROOT_KEY_BYTES, ROOT_KEY_FILE_NAME, rootKeyCheckValue } from './root-key.ts'
export { BARRIER_VERSION } from './barrier.ts'
export { split, combine, validateSplit, type ShamirShare } from './shamir.ts'
export { encodeShare, decodeShare, SHARE_PREFIX } from './share-format.ts'

/**
 * `arca operator init --shares N --threshold T` against the database directly (server stopped).
 * Splits the database's existing root key (for a database that has never had one: the configured
 * ARCA_ROOT_KEY / ARCA_ROOT_KEY_FILE / root.key if any, else a new random key) into N shares with threshold T; records `seal.mode = shamir`, `seal.threshold`,
 * `seal.shares`; deletes `$dataDir/root.key` if the key came from there. The shares are returned
 * once and stored nowhere. Already in Shamir mode → ArcaError('Conflict').
 * On a running unsealed server use `seal.initShamir({ shares, threshold })` instead.
 */
export function initShamir(meta: MetaStore, opts: RootKeySource & { shares: number; threshold: number }): Promise<ShamirInitResult> {
  return Seal.initOffline(meta, opts)
}
