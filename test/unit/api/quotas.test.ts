import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../../src/core/index.ts'
import { DEFAULT_QUOTAS, createQuotas, quotaClassOf, quotaSettings } from '../../../src/api/quotas/index.ts'

const take = (q: ReturnType<typeof createQuotas>, account = '111111111111', op = 'Decrypt') => {
  try {
    q.take(account, 'kms', op)
    return true
  } catch (e) {
    expect((e as { code: string }).code).toBe('Throttling')
    return false
  }
}

describe('request quotas (token buckets)', () => {
  it('defaults are AWS-like and each class is configurable', () => {
    const s = quotaSettings({})
    expect(s.enabled).toBe(true)
    expect(s.limits).toEqual(DEFAULT_QUOTAS)
    expect(quotaSettings({ ARCA_QUOTA_KMS_SYMMETRIC: '10/3' }).limits['kms-symmetric']).toEqual({ rate: 10, burst: 3 })
    expect(quotaSettings({ ARCA_QUOTAS: 'off' }).enabled).toBe(false)
    expect(() => quotaSettings({ ARCA_QUOTA_SSM_GET: 'fast' })).toThrow(/ARCA_QUOTA_SSM_GET must be RATE or RATE\/BURST/)
    expect(() => quotaSettings({ ARCA_QUOTA_NODES: '0' })).toThrow(/ARCA_QUOTA_NODES/)
  })

  it('classifies operations as AWS groups them', () => {
    expect(quotaClassOf('kms', 'GenerateDataKey')).toBe('kms-symmetric')
    expect(quotaClassOf('kms', 'Sign')).toBe('kms-asymmetric')
    expect(quotaClassOf('kms', 'CreateKey')).toBe('management')
    expect(quotaClassOf('secretsmanager', 'GetSecretValue')).toBe('secrets-get')
    expect(quotaClassOf('ssm', 'GetParametersByPath')).toBe('ssm-get')
    expect(quotaClassOf('ssm', 'PutParameter')).toBe('management')
  })

  it('refills with the injected clock only, and per account', () => {
    const clock = new ManualClock()
    const q = createQuotas(quotaSettings({ ARCA_QUOTA_KMS_SYMMETRIC: '4/2' }), clock)
    expect([take(q), take(q), take(q)]).toEqual([true, true, false])
    expect(take(q, '222222222222')).toBe(true)
    clock.advance(250) // one token at 4/s
    expect([take(q), take(q)]).toEqual([true, false])
    clock.advance(60_000) // never more than the burst
    expect([take(q), take(q), take(q)]).toEqual([true, true, false])
    expect(q.view('111111111111').find((c) => c.class === 'kms-symmetric')).toMatchObject({ rate: 4, burst: 2, available: 0, allowed: 5, throttled: 3 })
  })

  it('each of N nodes enforces its share', () => {
    const q = createQuotas(quotaSettings({ ARCA_QUOTA_KMS_SYMMETRIC: '10/10', ARCA_QUOTA_NODES: '2' }), new ManualClock())
    const results = Array.from({ length: 6 }, () => take(q))
    expect(results.filter(Boolean)).toHaveLength(5)
  })
})
