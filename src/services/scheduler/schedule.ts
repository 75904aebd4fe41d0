import { Cron } from 'croner'
import { ArcaError, toDate } from '../../core/index.ts'

/** How often a job is due: every N milliseconds, or a cron pattern (5 or 6 fields, UTC). */
export type Every = number | string

export interface Schedule {
  /** The first due time strictly after `after` (epoch ms). */
  next(after: number): number
}

export function parseSchedule(name: string, every: Every): Schedule {
  if (typeof every === 'number') {
    if (!Number.isFinite(every) || every < 1) throw new ArcaError('Validation', `job ${name}: 'every' must be a positive number of milliseconds`)
    return { next: (after) => after + every }
  }
  let cron: Cron
  try {
    // Never started: croner only computes run times here; the scheduler's own timer ticks.
    cron = new Cron(every, { timezone: 'Etc/UTC', paused: true })
  } catch (cause) {
    throw new ArcaError('Validation', `job ${name}: '${every}' is not a cron pattern`, { cause })
  }
  return {
    next(after) {
      const run = cron.nextRun(toDate(after))
      // A pattern with no future run (a past year) never falls due again.
      return run ? run.getTime() : Number.MAX_SAFE_INTEGER
    },
  }
}
