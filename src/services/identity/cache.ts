import type { Kysely } from 'kysely'
import type { Clock } from '../../core/index.ts'
import type { Schema } from '../../store/index.ts'
import { readVersion } from './store.ts'
import type { Principal } from './types.ts'

// Hot-path cache bounds (DESIGN "The hot path": every cache has a bound, an owner and a test).
export const CACHE_MAX_ENTRIES = 10_000
export const CACHE_MAX_AGE_MS = 5_000
// How often a node reads `identity.version` to notice changes made by other nodes: a change
// made elsewhere is seen here within this interval (plus one request's time).
export const VERSION_CHECK_INTERVAL_MS = 1_000

/** A map bounded in size (oldest insertion evicted first) and in age on the injected clock. */
export class BoundedCache<V> {
  private readonly map = new Map<string, { value: V; at: number }>()
  constructor(
    private readonly clock: Clock,
    private readonly maxAgeMs: number,
    private readonly maxEntries: number,
  ) {}

  get(key: string): V | undefined {
    const hit = this.map.get(key)
    if (hit === undefined) return undefined
    if (this.clock.now() - hit.at >= this.maxAgeMs) {
      this.map.delete(key)
      return undefined
    }
    return hit.value
  }

  set(key: string, value: V): void {
    this.map.delete(key)
    if (this.map.size >= this.maxEntries) {
      const oldest = this.map.keys().next().value
      if (oldest !== undefined) this.map.delete(oldest)
    }
    this.map.set(key, { value, at: this.clock.now() })
  }

  delete(key: string): void {
    this.map.delete(key)
  }

  deleteWhere(test: (value: V) => boolean): void {
    for (const [k, v] of this.map) if (test(v.value)) this.map.delete(k)
  }

  clear(): void {
    this.map.clear()
  }

  get size(): number {
    return this.map.size
  }
}

export interface KeyEntry {
  secretAccessKey: string
  principal: Principal
}

export interface TokenEntry {
  principal: Principal
  expiresAt: number
}

/**
 * The identity caches of one node: access keys, token hashes and policy documents. A change
 * made through this node drops the entries of that principal at once; a change made by another
 * node moves `identity.version`, which this node reads at most once per
 * VERSION_CHECK_INTERVAL_MS and, when it moved, drops everything. A load that started before an
 * invalidation is not stored (generation check), so a stale read cannot outlive the change.
 */
export class IdentityCache {
  readonly keys: BoundedCache<KeyEntry>
  readonly tokens: BoundedCache<TokenEntry>
  readonly policies: BoundedCache<readonly string[]>
  private generation = 0
  private checkedAt = Number.NEGATIVE_INFINITY
  private knownVersion: string | undefined
  private checking: Promise<void> | undefined

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly clock: Clock,
  ) {
    this.keys = new BoundedCache(clock, CACHE_MAX_AGE_MS, CACHE_MAX_ENTRIES)
    this.tokens = new BoundedCache(clock, CACHE_MAX_AGE_MS, CACHE_MAX_ENTRIES)
    this.policies = new BoundedCache(clock, CACHE_MAX_AGE_MS, CACHE_MAX_ENTRIES)
  }

  /** Cached value, or `load()` stored unless an invalidation happened while it ran. */
  async through<V>(cache: BoundedCache<V>, key: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
    const pending = this.versionCheck()
    if (pending !== undefined) await pending
    const hit = cache.get(key)
    if (hit !== undefined) return hit
    const generation = this.generation
    const value = await load()
    if (value !== undefined && generation === this.generation) cache.set(key, value)
    return value
  }

  /** Drops every entry of one principal (after a change to it through this node). */
  dropPrincipal(principalId: string): void {
    this.generation++
    this.keys.deleteWhere((e) => e.principal.id === principalId)
    this.tokens.deleteWhere((e) => e.principal.id === principalId)
    this.policies.delete(principalId)
  }

  clear(): void {
    this.generation++
    this.keys.clear()
    this.tokens.clear()
    this.policies.clear()
  }

  /** Undefined (no await on the hot path) unless a check is due or running. */
  private versionCheck(): Promise<void> | undefined {
    if (this.checking !== undefined) return this.checking
    const now = this.clock.now()
    if (now - this.checkedAt < VERSION_CHECK_INTERVAL_MS) return undefined
    this.checkedAt = now
    this.checking = readVersion(this.db)
      .then(
        (version) => {
          if (version !== this.knownVersion) {
            this.clear()
            this.knownVersion = version
          }
        },
        (e: unknown) => {
          // Retry on the next request rather than trusting the cache for another interval.
          this.checkedAt = Number.NEGATIVE_INFINITY
          throw e
        },
      )
      .finally(() => {
        this.checking = undefined
      })
    return this.checking
  }
}
