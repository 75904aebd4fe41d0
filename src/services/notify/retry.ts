import { MS, randomBytes } from '../../core/index.ts'

// Arca's retry schedule (the issue: exponential backoff with jitter for up to 24 hours).
export const RETRY_BASE_MS = 30 * MS.second
export const RETRY_CAP_MS = MS.hour
export const RETRY_WINDOW_MS = 24 * MS.hour
// Never retry sooner than this, even when the jitter draws near zero.
export const RETRY_MIN_MS = MS.second

/** A uniform number in [0, 1) from the secure random source. */
export function randomUnit(): number {
  const b = randomBytes(4)
  return ((b[0] << 24) >>> 0 | (b[1] << 16) | (b[2] << 8) | b[3]) / 2 ** 32
}

/**
 * Delay before the next attempt after `failures` failed ones: "full jitter" (AWS Architecture
 * Blog, Exponential Backoff And Jitter): uniform in [0, min(cap, base · 2^(failures−1))].
 * Full jitter spreads the retries of many deliveries that failed together (a receiver outage).
 */
export function retryDelay(failures: number, random: () => number = randomUnit): number {
  const ceiling = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.max(0, Math.min(failures - 1, 30)))
  return Math.max(RETRY_MIN_MS, Math.floor(random() * ceiling))
}
