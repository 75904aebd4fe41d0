import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../../../src/core/index.ts'
import { Lru } from '../../../../src/kms/policy/cache.ts'

describe('Lru', () => {
  it('stays within its bound and keeps recently used entries', () => {
    const lru = new Lru<number>(3)
    lru.set('a', 1)
    lru.set('b', 2)
    lru.set('c', 3)
    expect(lru.get('a')).toBe(1)
    lru.set('d', 4)
    expect(lru.size).toBe(3)
    expect(lru.get('a')).toBe(1)
    expect(lru.get('b')).toBeUndefined()
    for (let i = 0; i < 100; i++) lru.set(`k${i}`, i)
    expect(lru.size).toBe(3)
  })

  it('expires entries on the injected clock', () => {
    const clock = new ManualClock()
    const lru = new Lru<string>(10, { clock, ms: 1000 })
    lru.set('k', 'v')
    clock.advance(1000)
    expect(lru.get('k')).toBe('v')
    clock.advance(1)
    expect(lru.get('k')).toBeUndefined()
  })
})
