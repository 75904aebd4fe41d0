import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ManualClock, MS, type Logger } from '../../../../src/core/index.ts'
import { type Job, type Scheduler, createScheduler } from '../../../../src/services/scheduler/index.ts'
import type { Database } from '../../../../src/store/index.ts'
import { createTestDatabase, type TestDatabase } from '../../../support/db.ts'

let t: TestDatabase
let second: Pick<Database, 'db' | 'close'>
let clock: ManualClock
const schedulers: Scheduler[] = []
const warnings: string[] = []
const logger: Logger = { debug() {}, info() {}, warn: (m, f) => warnings.push(`${m} ${JSON.stringify(f)}`), error: (m, f) => warnings.push(`${m} ${JSON.stringify(f)}`) }

beforeEach(async () => {
  t = await createTestDatabase()
  // On PostgreSQL the second node has its own connection pool; SQLite is one process's database.
  second = t.caps.shared ? await t.reopen() : { db: t.db, close: async () => {} }
  clock = new ManualClock()
  warnings.length = 0
})
afterEach(async () => {
  await Promise.all(schedulers.splice(0).map((s) => s.stop()))
  await second.close()
  await t.dispose()
})

function node(name: string, jobs: Job[], db = name === 'b' ? second.db : t.db) {
  const s = createScheduler({ db, clock, nodeId: name, logger, jobs })
  schedulers.push(s)
  return s
}

/** A job that counts its runs per node and remembers the `now` it was given. */
function counting(name: string, every: number | string, runs: { node: string; now: number }[], nodeName: string): Job {
  return { name, every, run: async (now) => void runs.push({ node: nodeName, now }) }
}

describe('scheduler', () => {
  it('runs each due job once across two nodes on one database', async () => {
    const runs: { node: string; now: number }[] = []
    const jobsFor = (n: string) => [counting('minutely', MS.minute, runs, n), counting('hourly', MS.hour, runs, n)]
    const a = node('a', jobsFor('a'))
    const b = node('b', jobsFor('b'))
    const byJob = () => runs.length

    await Promise.all([a.tick(), b.tick()])
    expect(byJob()).toBe(2)
    // Nothing is due until the clock moves.
    await Promise.all([a.tick(), b.tick()])
    expect(byJob()).toBe(2)

    clock.advance(MS.minute)
    await Promise.all([a.tick(), b.tick(), a.tick(), b.tick()])
    expect(byJob()).toBe(3)

    clock.advance(MS.hour)
    await Promise.all([b.tick(), a.tick()])
    expect(byJob()).toBe(5)
    expect(runs.every((r) => r.now === clock.now() || r.now < clock.now())).toBe(true)
  })

  it('hands a job over when its holder dies: no renewal, lease passes, another node runs it', async () => {
    let started!: () => void
    const running = new Promise<void>((r) => (started = r))
    let finish!: () => void
    const stuck = new Promise<void>((r) => (finish = r))
    const ranOnB: number[] = []
    const leaseMs = 2 * MS.minute
    const a = node('a', [{ name: 'rotate', every: MS.hour, leaseMs, run: async () => (started(), stuck) }])
    const b = node('b', [{ name: 'rotate', every: MS.hour, leaseMs, run: async (now) => void ranOnB.push(now) }])

    const aTick = a.tick()
    await running
    // A holds the lease: B leaves the job alone.
    await b.tick()
    expect(ranOnB).toEqual([])
    const held = await t.db.selectFrom('leases').selectAll().where('name', '=', 'rotate').executeTakeFirstOrThrow()
    expect(held.holder).toMatch(/^a\//)
    expect(Number(held.expires_at)).toBe(clock.now() + leaseMs)

    // A stops renewing (it is hung); once the lease has passed, B takes the job.
    clock.advance(leaseMs)
    await b.tick()
    expect(ranOnB).toEqual([clock.now()])

    // A wakes up late: its release no longer matches and B's schedule stands.
    finish()
    await aTick
    const after = await t.db.selectFrom('leases').selectAll().where('name', '=', 'rotate').executeTakeFirstOrThrow()
    expect(after.holder).toBe('')
    expect(Number(after.expires_at)).toBe(clock.now() + MS.hour)
    expect(warnings.join('\n')).toContain('run ended after its lease had passed to another node')
  })

  it('a job renews its lease while it runs, and keeps it past the original expiry', async () => {
    const leaseMs = MS.minute
    const onB: number[] = []
    let proceed!: () => void
    const gate = new Promise<void>((r) => (proceed = r))
    let renewed!: (ok: boolean) => void
    const renewal = new Promise<boolean>((r) => (renewed = r))
    const a = node('a', [
      {
        name: 'long',
        every: MS.hour,
        leaseMs,
        run: async (_now, ctx) => {
          clock.advance(leaseMs / 2)
          renewed(await ctx.renew())
          await gate
        },
      },
    ])
    const b = node('b', [{ name: 'long', every: MS.hour, leaseMs, run: async (now) => void onB.push(now) }])
    const aTick = a.tick()
    expect(await renewal).toBe(true)
    clock.advance(leaseMs / 2 + 1)
    await b.tick()
    expect(onB).toEqual([])
    proceed()
    await aTick
  })

  it('catches up once after downtime, and a failing job is logged and due again next time', async () => {
    const runs: number[] = []
    let fail = true
    const a = node('a', [
      { name: 'daily', every: '0 3 * * *', run: async (now) => void runs.push(now) },
      {
        name: 'flaky',
        every: MS.minute,
        run: async () => {
          if (fail) throw new Error('database unavailable')
        },
      },
    ])
    const first = await a.tick()
    expect(first).toEqual({ ran: ['daily'], failed: ['flaky'] })
    expect(warnings.join('\n')).toContain('database unavailable')
    // Down for three days: one run on return, not three.
    clock.advance(3 * MS.day)
    fail = false
    expect(await a.tick()).toEqual({ ran: ['daily', 'flaky'], failed: [] })
    expect(runs).toHaveLength(2)
    // The cron pattern decides the next time: 03:00 UTC.
    const lease = await t.db.selectFrom('leases').selectAll().where('name', '=', 'daily').executeTakeFirstOrThrow()
    expect(new Date(Number(lease.expires_at)).toISOString()).toBe('2026-01-04T03:00:00.000Z')
  })

  it('refuses bad schedules and duplicate names', () => {
    expect(() => createScheduler({ db: t.db, clock, nodeId: 'x', jobs: [{ name: 'j', every: 'not cron', run: async () => {} }] })).toThrow(/not a cron pattern/)
    expect(() => createScheduler({ db: t.db, clock, nodeId: 'x', jobs: [{ name: 'j', every: 0, run: async () => {} }] })).toThrow(/positive/)
    const job = { name: 'j', every: 1000, run: async () => {} }
    expect(() => createScheduler({ db: t.db, clock, nodeId: 'x', jobs: [job, job] })).toThrow(/two jobs named j/)
  })
})
