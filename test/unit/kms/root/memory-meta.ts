import type { MetaStore } from '../../../../src/kms/root/index.ts'

/** A MetaStore over a Map, typed against the real interface. */
export class MemoryMeta implements MetaStore {
  readonly map = new Map<string, string>()
  async get(key: string): Promise<string | undefined> {
    return this.map.get(key)
  }
  async set(key: string, value: string): Promise<void> {
    this.map.set(key, value)
  }
  async add(key: string, value: string): Promise<boolean> {
    if (this.map.has(key)) return false
    this.map.set(key, value)
    return true
  }
  snapshot(): Record<string, string> {
    return Object.fromEntries(this.map)
  }
}
