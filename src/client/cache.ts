import type { Clock } from '../core/index.ts'

export interface CacheOptions {
  /** A value younger than this is served without a request. */
  ttlMs: number
  /** After the TTL, for this long, the old value is served while one request refreshes it. */
  staleWhileRevalidateMs?: number
}

// Arca: defaults for an application's start-up reads — fresh for a minute, then served for up
// to five more while refreshing, so a slow server never stalls a hot path.
export const DEFAULT_TTL_MS = 60_000
export const DEFAULT_STALE_WHILE_REVALIDATE_MS = 300_000

interface Entry {
  value: unknown
  at: number
  load: () => Promise<unknown>
  /** A change event said the value moved: the next read waits for a fresh one. */
  invalid: boolean
}

/**
 * An in-memory read-through cache with a TTL and stale-while-revalidate; time comes from the
 * injected clock. Concurrent reads of one key share one request.
 */
export class TtlCache {
  private readonly entries = new Map<string, Entry>()
  private readonly inflight = new Map<string, Promise<unknown>>()
  /** Bumped by refresh(): a request started before a change must not overwrite a newer value. */
  private readonly generation = new Map<string, number>()

  constructor(
    private readonly opts: CacheOptions,
    private readonly clock: Clock,
    private readonly onBackgroundError: (key: string, e: unknown) => void = () => {},
  ) {}

  async get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const e = this.entries.get(key)
    if (e && !e.invalid) {
      const age = this.clock.now() - e.at
      if (age < this.opts.ttlMs) return e.value as T
      if (age < this.opts.ttlMs + (this.opts.staleWhileRevalidateMs ?? 0)) {
        this.fetch(key, load).catch((err) => this.onBackgroundError(key, err))
        return e.value as T
      }
    }
    return this.fetch(key, load)
  }

  /** The last value read for `key`, however old (for serving while the server is unreachable). */
  peek(key: string): { value: unknown; at: number } | undefined {
    const e = this.entries.get(key)
    return e && { value: e.value, at: e.at }
  }

  /** Seeds a value (from the fallback file) as already expired: it is used only when a read fails. */
  seed(key: string, value: unknown, load: () => Promise<unknown>): void {
    if (!this.entries.has(key)) this.entries.set(key, { value, at: -Infinity, load, invalid: true })
  }

  /** Marks matching entries as changed and reloads each in the background. */
  refresh(match: (key: string) => boolean): string[] {
    const keys = [...this.entries.keys()].filter(match)
    for (const key of keys) {
      const e = this.entries.get(key)!
      e.invalid = true
      this.inflight.delete(key)
      this.generation.set(key, (this.generation.get(key) ?? 0) + 1)
      this.fetch(key, e.load).catch((err) => this.onBackgroundError(key, err))
    }
    return keys
  }

  keys(): string[] {
    return [...this.entries.keys()]
  }

  snapshot(): Record<string, unknown> {
    return Object.fromEntries([...this.entries].filter(([, e]) => e.at !== -Infinity).map(([k, e]) => [k, e.value]))
  }

  private fetch<T>(key: string, load: () => Promise<T>): Promise<T> {
    const running = this.inflight.get(key)
    if (running) return running as Promise<T>
    const gen = this.generation.get(key) ?? 0
    const p = load()
      .then((value) => {
        if ((this.generation.get(key) ?? 0) === gen) this.entries.set(key, { value, at: this.clock.now(), load, invalid: false })
        return value
      })
      .finally(() => {
        if (this.inflight.get(key) === p) this.inflight.delete(key)
      })
    this.inflight.set(key, p)
    return p
  }
}
