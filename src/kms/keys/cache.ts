import type { Clock } from '../../core/index.ts'

/** A bounded map whose entries expire after a fixed age on the injected clock. */
export class TtlCache<V> {
  private readonly map = new Map<string, { value: V; at: number }>()
  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly onEvict?: (value: V) => void,
  ) {}

  get(key: string): V | undefined {
    const hit = this.map.get(key)
    if (!hit) return undefined
    if (this.clock.now() - hit.at > this.ttlMs) {
      this.delete(key)
      return undefined
    }
    return hit.value
  }

  set(key: string, value: V): void {
    this.delete(key)
    if (this.map.size >= this.maxEntries) {
      const oldest = this.map.keys().next().value
      if (oldest !== undefined) this.delete(oldest)
    }
    this.map.set(key, { value, at: this.clock.now() })
  }

  delete(key: string): void {
    const hit = this.map.get(key)
    if (!hit) return
    this.map.delete(key)
    this.onEvict?.(hit.value)
  }

  deleteWhere(test: (key: string) => boolean): void {
    for (const k of [...this.map.keys()]) if (test(k)) this.delete(k)
  }

  clear(): void {
    for (const k of [...this.map.keys()]) this.delete(k)
  }

  get size(): number {
    return this.map.size
  }
}
