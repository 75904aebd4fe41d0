import { Cron } from 'croner'
import type { Kysely } from 'kysely'
import { type Clock, type Logger, MS, silentLogger, uuid } from '../../core/index.ts'
import type { Schema } from '../../store/index.ts'
import { claimLease, leaseExpiries, releaseLease, renewLease } from './lease.ts'
import { type Every, type Schedule, parseSchedule } from './schedule.ts'

// Arca: a run's lease lasts this long unless renewed; renewed every third of it while the run
// goes on, so a node that dies (or hangs) mid-run hands the job over within one lease period.
export const DEFAULT_LEASE_MS = 5 * MS.minute
// croner's pattern for the production tick: every second (one indexed read per tick).
export const TICK_PATTERN = '* * * * * *'

export interface JobContext {
  /** Aborted when the lease was lost or the scheduler is stopping: end early if you can. */
  signal: AbortSignal
  /** Extends the lease now (it is also renewed on a timer); false when it was lost. */
  renew(): Promise<boolean>
}

export interface Job {
  /** Unique; also the lease row's name. */
  name: string
  /** Milliseconds between runs, or a cron pattern (UTC). */
  every: Every
  /** Longer than a run can take between renewals (default 5 minutes). */
  leaseMs?: number
  /**
   * Idempotent, and catches up: works out what is due from the data at `now`, never from when
   * it last ran, so a run after downtime does everything that fell due meanwhile.
   */
  run(now: number, ctx: JobContext): Promise<unknown>
}

export interface SchedulerDeps {
  db: Kysely<Schema>
  clock: Clock
  /** Names this node in lease rows and logs. */
  nodeId: string
  logger?: Logger
  jobs: Job[]
}

export interface TickReport {
  /** Jobs this tick ran to the end. */
  ran: string[]
  /** Jobs that threw (logged; due again at their next time). */
  failed: string[]
}

export interface Scheduler {
  /**
   * Runs every due job whose lease this node wins, and resolves when they have finished.
   * A job already running on this node is awaited first, then considered again.
   */
  tick(now?: number): Promise<TickReport>
  /** Drives `tick` from croner every second (production). */
  start(): void
  /** Stops the timer, tells running jobs to end, and waits for them. */
  stop(): Promise<void>
  readonly jobNames: readonly string[]
}

export function createScheduler(deps: SchedulerDeps): Scheduler {
  const logger = deps.logger ?? silentLogger
  const jobs = new Map<string, { job: Job; schedule: Schedule }>()
  for (const job of deps.jobs) {
    if (jobs.has(job.name)) throw new Error(`scheduler: two jobs named ${job.name}`)
    jobs.set(job.name, { job, schedule: parseSchedule(job.name, job.every) })
  }
  const running = new Map<string, Promise<'ran' | 'failed' | 'skipped'>>()
  const stopping = new AbortController()
  let cron: Cron | undefined

  async function runLeased(job: Job, schedule: Schedule, now: number): Promise<'ran' | 'failed' | 'skipped'> {
    const ttl = job.leaseMs ?? DEFAULT_LEASE_MS
    const holder = `${deps.nodeId}/${uuid()}`
    if (!(await claimLease(deps.db, job.name, holder, now, ttl))) return 'skipped'
    const lost = new AbortController()
    const signal = AbortSignal.any([lost.signal, stopping.signal])
    const renew = async () => {
      const ok = await renewLease(deps.db, job.name, holder, deps.clock.now(), ttl).catch(() => false)
      if (!ok && !lost.signal.aborted) {
        logger.warn('scheduler: lease lost while running', { job: job.name, node: deps.nodeId })
        lost.abort()
      }
      return ok
    }
    const timer = setInterval(() => void renew(), Math.max(1000, Math.floor(ttl / 3)))
    timer.unref?.()
    let outcome: 'ran' | 'failed' = 'ran'
    try {
      await job.run(now, { signal, renew })
    } catch (e) {
      outcome = 'failed'
      logger.error('scheduler: job failed', { job: job.name, node: deps.nodeId, error: e instanceof Error ? e.message : String(e) })
    } finally {
      clearInterval(timer)
    }
    const released = await releaseLease(deps.db, job.name, holder, schedule.next(now)).catch((e) => {
      logger.error('scheduler: releasing a lease failed', { job: job.name, error: e instanceof Error ? e.message : String(e) })
      return true
    })
    if (!released) logger.warn('scheduler: run ended after its lease had passed to another node', { job: job.name, node: deps.nodeId })
    return outcome
  }

  function launch(name: string, now: number): Promise<'ran' | 'failed' | 'skipped'> {
    const { job, schedule } = jobs.get(name)!
    const p = runLeased(job, schedule, now)
      .catch((e) => {
        logger.error('scheduler: claiming a lease failed', { job: name, error: e instanceof Error ? e.message : String(e) })
        return 'failed' as const
      })
      .finally(() => running.delete(name))
    running.set(name, p)
    return p
  }

  async function tick(now: number | undefined, waitForRunning: boolean): Promise<TickReport> {
    const report: TickReport = { ran: [], failed: [] }
    if (stopping.signal.aborted) return report
    const names = [...jobs.keys()]
    if (waitForRunning) await Promise.all(names.map((n) => running.get(n)))
    const at = now ?? deps.clock.now()
    const expiries = await leaseExpiries(deps.db, names)
    const due = names.filter((n) => !running.has(n) && (expiries.get(n) ?? Number.NEGATIVE_INFINITY) <= at)
    const outcomes = await Promise.all(due.map((n) => launch(n, at).then((o) => [n, o] as const)))
    for (const [n, o] of outcomes) {
      if (o === 'ran') report.ran.push(n)
      else if (o === 'failed') report.failed.push(n)
    }
    return report
  }

  return {
    tick: (now) => tick(now, true),
    start() {
      if (cron || stopping.signal.aborted) return
      // A slow job never holds up the others: each tick skips jobs still running here.
      cron = new Cron(TICK_PATTERN, () => {
        tick(undefined, false).catch((e) => logger.error('scheduler: tick failed', { error: e instanceof Error ? e.message : String(e) }))
      })
    },
    async stop() {
      cron?.stop()
      cron = undefined
      stopping.abort()
      await Promise.allSettled([...running.values()])
    },
    jobNames: [...jobs.keys()],
  }
}
