import { describe, expect, it } from 'vitest'
import { MS } from '../../../../src/core/index.ts'
import { configFromTags, dueMoments, parseExpiryPolicies } from '../../../../src/services/expiry/index.ts'

const NOW = Date.parse('2030-01-01T00:00:00Z')
const exp = (ts: string) => ({ Type: 'Expiration', Version: '1.0', Attributes: { Timestamp: ts } })

describe('one grammar, one evaluator', () => {
  it('evaluates every policy type from the item times', () => {
    const ps = parseExpiryPolicies(
      [
        exp('2030-01-11T00:00:00Z'),
        { Type: 'ExpirationNotification', Version: '1.0', Attributes: { Before: '3', Unit: 'Days' } },
        { Type: 'NoChangeNotification', Version: '1.0', Attributes: { After: '5', Unit: 'Days' } },
        { Type: 'NoAccessNotification', Version: '1.0', Attributes: { After: '12', Unit: 'Hours' } },
      ],
      NOW,
    )
    const due = dueMoments(ps, { changedAt: NOW, accessedAt: NOW + MS.day })
    expect(due.map((d) => [d.policyType, d.dueAt - NOW])).toEqual([
      ['NoAccessNotification', MS.day + 12 * MS.hour],
      ['NoChangeNotification', 5 * MS.day],
      ['ExpirationNotification', 7 * MS.day],
      ['Expiration', 10 * MS.day],
    ])
  })

  it('errors name the element and attribute', () => {
    expect(() => parseExpiryPolicies([{ Type: 'NoAccessNotification', Version: '1.0', Attributes: { After: '0', Unit: 'Days' } }], NOW)).toThrow(/policies\[0\]\.Attributes\.After/)
    expect(() => parseExpiryPolicies([exp('2030-01-11T00:00:00Z'), { Type: 'Bogus', Version: '1.0' }], NOW)).toThrow(/policies\[1\]/)
    expect(() => parseExpiryPolicies([{ Type: 'ExpirationNotification', Version: '1.0', Attributes: { Before: '3', Unit: 'Days' } }], NOW)).toThrow(/needs an Expiration/)
  })
})

describe('arca:* tags', () => {
  it('map onto the grammar', () => {
    const c = configFromTags([
      { Key: 'arca:expires-at', Value: '2030-02-01T00:00:00Z' },
      { Key: 'arca:notify-before', Value: '14d' },
      { Key: 'arca:no-access-after', Value: '12h' },
      { Key: 'arca:expiry-action', Value: 'delete' },
      { Key: 'arca:expiry-recovery-days', Value: '7' },
    ], NOW)
    expect(c).toMatchObject({ action: 'delete', recoveryDays: 7 })
    expect(c!.policies.map((p) => JSON.parse(p).Type)).toEqual(['Expiration', 'ExpirationNotification', 'NoAccessNotification'])
    expect(configFromTags([{ Key: 'team', Value: 'x' }])).toBeNull()
  })

  it.each([
    ['arca:expires-at', '2030-13-45'],
    ['arca:notify-before', '14 days'],
    ['arca:no-change-after', '0d'],
    ['arca:no-access-after', '3w'],
    ['arca:expiry-action', 'shred'],
    ['arca:expiry-recovery-days', '3'],
  ])('%s=%s is refused naming the tag', (Key, Value) => {
    const tags = Key === 'arca:expires-at' ? [{ Key, Value }] : [{ Key: 'arca:expires-at', Value: '2030-02-01T00:00:00Z' }, { Key, Value }]
    expect(() => configFromTags(tags, NOW)).toThrow(Key)
  })

  it('a past expiry is refused on write, not when stored tags are re-read', () => {
    const tags = [{ Key: 'arca:expires-at', Value: '2029-01-01T00:00:00Z' }]
    expect(() => configFromTags(tags, NOW)).toThrow('arca:expires-at')
    expect(configFromTags(tags)).not.toBeNull()
  })
})
