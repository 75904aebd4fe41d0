/** The one source of time. Logic takes a Clock; only SystemClock reads the machine's time. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }

/** A clock that only moves when told to: tests advance it to fire expirations and rotations. */
export class ManualClock implements Clock {
  private ms: number
  constructor(start: number | Date = Date.UTC(2026, 0, 1)) {
    this.ms = typeof start === 'number' ? start : start.getTime()
  }
  now(): number {
    return this.ms
  }
  advance(ms: number): void {
    this.ms += ms
  }
  set(ms: number | Date): void {
    this.ms = typeof ms === 'number' ? ms : ms.getTime()
  }
}

export const MS = { second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const

export function toDate(ms: number): Date {
  return new Date(ms)
}
