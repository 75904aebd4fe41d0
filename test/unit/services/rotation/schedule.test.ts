/** Rotation schedules as AWS documents them (botocore RotationRulesType; AWS-API.md §5.4). */
import { describe, expect, it } from 'vitest'
import { ArcaError, MS } from '../../../../src/core/index.ts'
import { parseRotationRules, windowFor } from '../../../../src/services/rotation/index.ts'

const NOW = Date.UTC(2026, 0, 7, 10, 30) // a Wednesday
const at = (d: number, h = 0, m = 0) => Date.UTC(2026, 0, d, h, m)
const parse = (r: Parameters<typeof parseRotationRules>[0]) => parseRotationRules(r, NOW)!
const err = (f: () => unknown) => {
  try {
    f()
  } catch (e) {
    return e as ArcaError
  }
  throw new Error('expected an error')
}

describe('rules', () => {
  it('AutomaticallyAfterDays 1–1000; not with ScheduleExpression; stored with AWS member names', () => {
    expect(parse({ automaticallyAfterDays: 30 }).stored).toBe('{"AutomaticallyAfterDays":30}')
    for (const d of [0, 1001, 1.5]) expect(err(() => parse({ automaticallyAfterDays: d }))).toMatchObject({ code: 'InvalidParameter', field: 'rotationRules.automaticallyAfterDays' })
    expect(err(() => parse({ automaticallyAfterDays: 1, scheduleExpression: 'rate(1 day)' }))).toMatchObject({ code: 'InvalidParameter' })
    expect(parseRotationRules({}, NOW)).toBeUndefined()
  })

  it('rate(N hours) from 4; rate(N days) 1–1000; other forms refused', () => {
    expect(parse({ scheduleExpression: 'rate(4 hours)' }).stored).toBe('{"ScheduleExpression":"rate(4 hours)"}')
    expect(err(() => parse({ scheduleExpression: 'rate(3 hours)' })).message).toMatch(/4 to 23 hours/)
    expect(err(() => parse({ scheduleExpression: 'rate(1001 days)' })).code).toBe('InvalidParameter')
    expect(err(() => parse({ scheduleExpression: 'rate(5 minutes)' })).code).toBe('InvalidParameter')
  })

  it("cron: AWS's six fields, '?' in day-of-month or day-of-week, 1 = Sunday, at least four hours apart", () => {
    const sundays = parse({ scheduleExpression: 'cron(0 8 ? * 1 *)' }).schedule
    expect(new Date(sundays.next(NOW)).toISOString()).toBe('2026-01-11T08:00:00.000Z') // a Sunday
    const first = parse({ scheduleExpression: 'cron(0 16 1,15 * ? *)' }).schedule
    expect(new Date(first.next(NOW)).toISOString()).toBe('2026-01-15T16:00:00.000Z')
    expect(parse({ scheduleExpression: 'cron(0 */4 * * ? *)' }).schedule.next(NOW)).toBe(at(7, 12))
    expect(err(() => parse({ scheduleExpression: 'cron(0 */3 * * ? *)' })).message).toMatch(/more often than every four hours/)
    expect(err(() => parse({ scheduleExpression: 'cron(0 8 * * *)' })).message).toMatch(/six fields/)
    expect(err(() => parse({ scheduleExpression: 'cron(0 8 1 * 1 *)' })).message).toMatch(/exactly one of day-of-month and day-of-week/)
  })

  it('Duration: [0-9]+h, within the day and before the next window', () => {
    expect(parse({ scheduleExpression: 'rate(1 day)', duration: '3h' }).stored).toBe('{"ScheduleExpression":"rate(1 day)","Duration":"3h"}')
    expect(err(() => parse({ scheduleExpression: 'rate(1 day)', duration: '3 hours' })).field).toBe('rotationRules.duration')
    expect(err(() => parse({ scheduleExpression: 'rate(4 hours)', duration: '5h' })).message).toMatch(/next rotation window/)
    expect(err(() => parse({ scheduleExpression: 'cron(0 22 * * ? *)', duration: '4h' })).message).toMatch(/next UTC day/)
  })
})

describe('windows', () => {
  it('days: the next window opens at midnight N days after the last rotation and lasts the day (or Duration)', () => {
    const s = parse({ automaticallyAfterDays: 7 }).schedule
    expect(s.next(NOW)).toBe(at(14))
    expect(s.windowEnd(at(14))).toBe(at(15))
    const d = parse({ scheduleExpression: 'rate(1 day)', duration: '2h' }).schedule
    expect(d.next(NOW)).toBe(at(8))
    expect(d.windowEnd(at(8))).toBe(at(8, 2))
  })

  it('hours: every N hours from midnight, one hour long by default', () => {
    const s = parse({ scheduleExpression: 'rate(6 hours)' }).schedule
    expect(s.next(NOW)).toBe(at(7, 12))
    expect(s.windowEnd(at(7, 12))).toBe(at(7, 13))
  })

  it('a missed window is not made up outside a window: the next one is used', () => {
    const s = parse({ scheduleExpression: 'rate(1 day)', duration: '2h' }).schedule
    expect(windowFor(s, at(5), at(5, 1))).toEqual({ start: at(5), end: at(5, 2) })
    expect(windowFor(s, at(5), at(7, 10))).toEqual({ start: at(8), end: at(8, 2) })
    const days = parse({ automaticallyAfterDays: 30 }).schedule
    expect(windowFor(days, at(1), at(7, 10))).toEqual({ start: at(7), end: at(8) })
    const cron = parse({ scheduleExpression: 'cron(0 8 ? * 1 *)' }).schedule
    expect(windowFor(cron, at(4, 8), at(7, 10, 30))).toEqual({ start: at(11, 8), end: at(12) })
    expect(windowFor(cron, at(4, 8), at(4, 9)).start).toBe(at(4, 8))
    expect(MS.day).toBe(86_400_000)
  })
})
