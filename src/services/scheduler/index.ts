/**
 * The scheduler: periodic jobs that run once across a cluster.
 *
 * Each due job is run only after its lease row (`leases`) is won by compare-and-set; the run
 * renews it while it goes on and releases it with the job's next due time, so any number of
 * nodes sharing one database run each due job once, and a node that dies mid-run hands the job
 * over once its lease has passed. Jobs are idempotent and catch up from the data. In production
 * croner drives `tick()` every second (`start()`); tests move their clock and call `tick()`.
 *
 * tables: leases.
 */
export { createScheduler, DEFAULT_LEASE_MS, TICK_PATTERN, type Job, type JobContext, type Scheduler, type SchedulerDeps, type TickReport } from './scheduler.ts'
export { createJobs, JOB_INTERVALS, JOB_NAMES, type JobsDeps } from './jobs.ts'
export { type Every } from './schedule.ts'
export { nodeId } from './node-id.ts'
