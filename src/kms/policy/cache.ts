import type { ArcaError, Clock } from '../../core/index.ts'
import { type CompiledPolicy, type PolicyKind, parsePolicy } from './parse.ts'

/**
 * A bounded map with second-chance (CLOCK) eviction, an approximation of least-recently-used
 * that keeps a hit to one Map lookup and a flag write; with a clock and a TTL, entries also expire.
 */
export class Lru<V> {
  private readonly map = new Map<string, { value: V; at: number; used: boolean }>()
  constructor(
    private readonly maxEntries: number,
    private readonly ttl?: { clock: Clock; ms: number },
  ) {}

  get(key: string): V | undefined {
    const hit = this.map.get(key)
    if (hit === undefined) return undefined
    if (this.ttl && this.ttl.clock.now() - hit.at > this.ttl.ms) {
      this.map.delete(key)
      return undefined
    }
    hit.used = true
    return hit.value
  }

  set(key: string, value: V): void {
    this.map.delete(key)
    // Evict the oldest entry not used since it was last passed over; used ones go to the back.
    for (let guard = this.map.size; this.map.size >= this.maxEntries && guard >= 0; guard--) {
      const [oldest, entry] = this.map.entries().next().value as [string, { value: V; at: number; used: boolean }]
      this.map.delete(oldest)
      if (entry.used && guard > 0) {
        entry.used = false
        this.map.set(oldest, entry)
      }
    }
    this.map.set(key, { value, at: this.ttl ? this.ttl.clock.now() : 0, used: false })
  }

  delete(key: string): void {
    this.map.delete(key)
  }

  get size(): number {
    return this.map.size
  }
}

// Sized for many keys × few distinct policies; a compiled statement is a few hundred bytes.
export const COMPILED_POLICY_CACHE_ENTRIES = 2048

type Compiled = CompiledPolicy | ArcaError

const caches: Record<PolicyKind, Lru<Compiled>> = {
  key: new Lru(COMPILED_POLICY_CACHE_ENTRIES),
  identity: new Lru(COMPILED_POLICY_CACHE_ENTRIES),
}

/**
 * The compiled form of a policy text, from a process-wide LRU keyed by the text itself: policies
 * are re-read with every request, so the hot path is one Map hit. A malformed text is cached as
 * its error, so a bad stored policy costs no re-parse either.
 */
export function compilePolicy(text: string, kind: PolicyKind): CompiledPolicy {
  const cache = caches[kind]
  let hit = cache.get(text)
  if (hit === undefined) {
    try {
      hit = parsePolicy(text, kind)
    } catch (e) {
      if (!(e instanceof Error) || (e as ArcaError).code !== 'MalformedPolicyDocument') throw e
      hit = e as ArcaError
    }
    cache.set(text, hit)
  }
  if ('statements' in hit) return hit
  throw hit
}
