import { Cron } from 'croner'
import { ArcaError, MS, toDate } from '../../core/index.ts'

// AWS: RotationRules.AutomaticallyAfterDays 1–1000 (botocore AutomaticallyRotateAfterDaysType).
export const MIN_ROTATION_DAYS = 1
export const MAX_ROTATION_DAYS = 1000
// AWS: "You can rotate a secret as often as every four hours" (RotationRules.ScheduleExpression).
export const MIN_ROTATION_INTERVAL_MS = 4 * MS.hour
// AWS: ScheduleExpression 1–256 characters; Duration 2–3 characters matching [0-9]+h.
export const MAX_SCHEDULE_EXPRESSION_LENGTH = 256
const DURATION = /^[0-9]{1,2}h$/
// Arca: how many upcoming cron runs are checked against the 4-hour minimum and the window rules.
const CRON_SAMPLE = 200

/** RotationRules as the API gives them (camelCase). */
export interface RotationRules {
  automaticallyAfterDays?: number
  scheduleExpression?: string
  duration?: string
}

/**
 * When rotations are due. Windows (AWS-API.md §5.4, botocore RotationRulesType): a rotation may
 * start only inside a window, which opens at a schedule point and lasts `Duration`, or by
 * default one hour for schedules in hours and until the end of the UTC day for schedules in days.
 */
export interface RotationSchedule {
  /** Start of the first window after a rotation that began at `after`. */
  next(after: number): number
  /** When the window opening at `start` closes. */
  windowEnd(start: number): number
  /** The next window start strictly after `after` when a window was missed (day schedules: every day). */
  catchUp(after: number): number
}

const startOfDay = (t: number) => t - (((t % MS.day) + MS.day) % MS.day)

function invalid(message: string, field = 'rotationRules'): ArcaError {
  return new ArcaError('InvalidParameter', message, { field })
}

function durationMs(duration: string | undefined): number | undefined {
  if (duration === undefined) return undefined
  if (typeof duration !== 'string' || !DURATION.test(duration) || Number(duration.slice(0, -1)) < 1)
    throw invalid(`The Duration '${String(duration)}' is not valid: give a number of hours from 1 to 24 followed by h, such as 3h.`, 'rotationRules.duration')
  return Number(duration.slice(0, -1)) * MS.hour
}

function daySchedule(days: number, dur: number | undefined): RotationSchedule {
  if (dur !== undefined && dur > MS.day) throw invalid('The rotation window must not extend into the next UTC day.', 'rotationRules.duration')
  return {
    next: (after) => startOfDay(after) + days * MS.day,
    windowEnd: (start) => (dur === undefined ? startOfDay(start) + MS.day : Math.min(start + dur, startOfDay(start) + MS.day)),
    catchUp: (after) => startOfDay(after) + MS.day,
  }
}

function hourSchedule(hours: number, dur: number | undefined): RotationSchedule {
  const step = hours * MS.hour
  if (dur !== undefined && dur > step) throw invalid('The rotation window must not extend into the next rotation window.', 'rotationRules.duration')
  // Points every N hours counted from midnight UTC (the window "starts at midnight").
  const next = (after: number) => (Math.floor(after / step) + 1) * step
  return { next, windowEnd: (start) => start + (dur ?? MS.hour), catchUp: next }
}

/** AWS's cron(Minutes Hours Day-of-month Month Day-of-week Year), UTC, 1 = Sunday. */
function cronSchedule(body: string, dur: number | undefined, now: number): RotationSchedule {
  const fields = body.trim().split(/\s+/)
  if (fields.length !== 6) throw invalid(`The schedule expression cron(${body}) must have six fields: minutes hours day-of-month month day-of-week year.`, 'rotationRules.scheduleExpression')
  const [, hoursField, dom, , dow] = fields as [string, string, string, string, string, string]
  if ((dom === '?') === (dow === '?'))
    throw invalid(`In cron(${body}), exactly one of day-of-month and day-of-week must be '?'.`, 'rotationRules.scheduleExpression')
  let cron: Cron
  try {
    // Never started: croner only computes run times.
    cron = new Cron(`0 ${fields.join(' ')}`, { timezone: 'Etc/UTC', paused: true, mode: '7-part', alternativeWeekdays: true, sloppyRanges: true })
  } catch (cause) {
    throw new ArcaError('InvalidParameter', `The schedule expression cron(${body}) is not valid.`, { field: 'rotationRules.scheduleExpression', cause })
  }
  // "in hours" when the hours field names more than one hour: the default window is one hour.
  const inHours = !/^\d{1,2}$/.test(hoursField)
  const windowEnd = (start: number) => (dur !== undefined ? start + dur : inHours ? start + MS.hour : startOfDay(start) + MS.day)
  const next = (after: number) => cron.nextRun(toDate(after))?.getTime() ?? Number.MAX_SAFE_INTEGER
  const runs = cron.nextRuns(CRON_SAMPLE, toDate(now)).map((d) => d.getTime())
  if (runs.length === 0) throw invalid(`The schedule expression cron(${body}) never runs.`, 'rotationRules.scheduleExpression')
  for (let i = 0; i < runs.length; i++) {
    const start = runs[i]!
    const following = runs[i + 1]
    if (following !== undefined && following - start < MIN_ROTATION_INTERVAL_MS)
      throw invalid(`The schedule expression cron(${body}) rotates more often than every four hours.`, 'rotationRules.scheduleExpression')
    if (dur !== undefined && (start + dur > startOfDay(start) + MS.day || (following !== undefined && start + dur > following)))
      throw invalid('The rotation window must not extend into the next UTC day or into the next rotation window.', 'rotationRules.duration')
  }
  return { next, windowEnd, catchUp: next }
}

/**
 * Validates RotationRules and returns them as stored (AWS member names, for DescribeSecret)
 * with their schedule; undefined when no schedule is set (rotation only on demand).
 */
export function parseRotationRules(rules: RotationRules | undefined, now: number): { stored: string; schedule: RotationSchedule } | undefined {
  if (rules === undefined || rules === null) return undefined
  if (typeof rules !== 'object') throw invalid('RotationRules must be an object.')
  const { automaticallyAfterDays: days, scheduleExpression: expr, duration } = rules
  const hasDays = days !== undefined && days !== null
  const hasExpr = expr !== undefined && expr !== null
  if (hasDays && hasExpr) throw invalid('You can specify AutomaticallyAfterDays or ScheduleExpression in RotationRules, but not both.')
  if (!hasDays && !hasExpr) {
    if (duration !== undefined) throw invalid('A Duration needs a ScheduleExpression or AutomaticallyAfterDays.', 'rotationRules.duration')
    return undefined
  }
  const dur = durationMs(duration)
  const stored: Record<string, unknown> = {}
  let schedule: RotationSchedule
  if (hasDays) {
    if (!Number.isInteger(days) || days < MIN_ROTATION_DAYS || days > MAX_ROTATION_DAYS)
      throw invalid(`AutomaticallyAfterDays must be a whole number of days from ${MIN_ROTATION_DAYS} to ${MAX_ROTATION_DAYS}.`, 'rotationRules.automaticallyAfterDays')
    stored.AutomaticallyAfterDays = days
    schedule = daySchedule(days, dur)
  } else {
    if (typeof expr !== 'string' || expr.length < 1 || expr.length > MAX_SCHEDULE_EXPRESSION_LENGTH)
      throw invalid(`ScheduleExpression must be 1 to ${MAX_SCHEDULE_EXPRESSION_LENGTH} characters.`, 'rotationRules.scheduleExpression')
    const rate = /^rate\(\s*(\d{1,4})\s+(hour|hours|day|days)\s*\)$/.exec(expr)
    const cron = /^cron\((.*)\)$/.exec(expr)
    if (rate) {
      const n = Number(rate[1])
      if (rate[2]!.startsWith('hour')) {
        if (n * MS.hour < MIN_ROTATION_INTERVAL_MS || n >= 24)
          throw invalid(`The schedule expression ${expr} is not valid: a rate in hours must be from 4 to 23 hours (use days beyond that).`, 'rotationRules.scheduleExpression')
        schedule = hourSchedule(n, dur)
      } else {
        if (n < MIN_ROTATION_DAYS || n > MAX_ROTATION_DAYS)
          throw invalid(`The schedule expression ${expr} is not valid: a rate in days must be from ${MIN_ROTATION_DAYS} to ${MAX_ROTATION_DAYS} days.`, 'rotationRules.scheduleExpression')
        schedule = daySchedule(n, dur)
      }
    } else if (cron) {
      schedule = cronSchedule(cron[1]!, dur, now)
    } else {
      throw invalid(`The schedule expression ${expr} is not valid: use rate(N hours), rate(N days) or cron(…).`, 'rotationRules.scheduleExpression')
    }
    stored.ScheduleExpression = expr
  }
  if (duration !== undefined) stored.Duration = duration
  return { stored: JSON.stringify(stored), schedule }
}

/** The schedule of rules as stored in `secrets.rotation_rules` (they were validated when saved). */
export function storedSchedule(json: string | null, now: number): RotationSchedule | undefined {
  if (!json) return undefined
  const r = JSON.parse(json) as { AutomaticallyAfterDays?: number; ScheduleExpression?: string; Duration?: string }
  return parseRotationRules({ automaticallyAfterDays: r.AutomaticallyAfterDays, scheduleExpression: r.ScheduleExpression, duration: r.Duration }, now)?.schedule
}

/**
 * The window a rotation due at `due` may run in, seen at `now`: the window opening at `due`, or
 * when that one has closed, the current or next window of the schedule (a missed window is not
 * made up outside a window).
 */
export function windowFor(schedule: RotationSchedule, due: number, now: number): { start: number; end: number } {
  let start = due
  if (schedule.windowEnd(start) <= now) {
    // Windows last at most a day: the one that matters opens after now − 1 day.
    start = Math.max(due, schedule.catchUp(now - MS.day - 1))
    while (schedule.windowEnd(start) <= now) start = schedule.catchUp(start)
  }
  return { start, end: schedule.windowEnd(start) }
}
