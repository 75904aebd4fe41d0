import { ArcaError, type Clock } from '../../core/index.ts'
import { type QuotaClass, type QuotaLimit, type QuotaSettings, QUOTA_CLASSES, quotaClassOf } from './classes.ts'

// AWS's wording: KMS has its own sentence; the other services answer "Rate exceeded".
const KMS_THROTTLED = 'You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.'
const RATE_EXCEEDED = 'Rate exceeded'
/** Buckets idle this long are full again and are dropped, so memory follows active accounts. */
const IDLE_SWEEP_MS = 10 * 60_000
const SWEEP_EVERY = 10_000

interface Bucket {
  tokens: number
  at: number
  throttled: number
  allowed: number
}

export interface QuotaUse {
  class: QuotaClass
  rate: number
  burst: number
  /** Tokens left now (requests that could arrive at once). */
  available: number
  allowed: number
  throttled: number
}

/**
 * Token buckets per (account, operation class), in memory on this node. One account's buckets
 * never touch another's; time comes from the injected Clock (refill = elapsed × rate).
 */
export function createQuotas(settings: QuotaSettings, clock: Clock) {
  const buckets = new Map<string, Bucket>()
  const limitOf = (c: QuotaClass): QuotaLimit => {
    const l = settings.limits[c]
    return { rate: l.rate / settings.nodes, burst: Math.max(1, Math.floor(l.burst / settings.nodes)) }
  }
  let calls = 0
  const refill = (b: Bucket, l: QuotaLimit, now: number) => {
    if (now > b.at) b.tokens = Math.min(l.burst, b.tokens + ((now - b.at) / 1000) * l.rate)
    b.at = Math.max(b.at, now)
  }
  const bucketOf = (account: string, c: QuotaClass, now: number, l: QuotaLimit) => {
    const id = `${account}|${c}`
    let b = buckets.get(id)
    if (!b) buckets.set(id, (b = { tokens: l.burst, at: now, throttled: 0, allowed: 0 }))
    return b
  }
  const sweep = (now: number) => {
    for (const [id, b] of buckets) if (now - b.at > IDLE_SWEEP_MS) buckets.delete(id)
  }
  return {
    settings,
    /** Takes one request's token, or throws ThrottlingException in the service's wording. */
    take(account: string, service: string, operation: string): void {
      if (!settings.enabled) return
      const now = clock.now()
      if (++calls % SWEEP_EVERY === 0) sweep(now)
      const c = quotaClassOf(service, operation)
      const l = limitOf(c)
      const b = bucketOf(account, c, now, l)
      refill(b, l, now)
      if (b.tokens >= 1) {
        b.tokens -= 1
        b.allowed++
        return
      }
      b.throttled++
      throw new ArcaError('Throttling', service === 'kms' ? KMS_THROTTLED : RATE_EXCEEDED)
    },
    /** Limits and current use of one account, per class (this node's share). */
    view(account: string): QuotaUse[] {
      const now = clock.now()
      return QUOTA_CLASSES.map((c) => {
        const l = limitOf(c)
        const b = buckets.get(`${account}|${c}`)
        if (b) refill(b, l, now)
        return { class: c, rate: l.rate, burst: l.burst, available: Math.floor(b ? b.tokens : l.burst), allowed: b?.allowed ?? 0, throttled: b?.throttled ?? 0 }
      })
    },
  }
}

export type Quotas = ReturnType<typeof createQuotas>
