/**
 * The scheduler job with the clock moved: a `rate(1 day)` secret rotates once per day and never
 * twice, on one node and on two nodes sharing the database (each with its own connection pool;
 * PostgreSQL with ARCA_TEST_DATABASE=postgres). Two nodes running the job's work at the same
 * instant still give each due secret one attempt (the per-secret lease).
 */
import { afterEach, beforeEach, expect, it } from 'vitest'
import { MS } from '../../../../src/core/index.ts'
import { type Rotation, rotationJob } from '../../../../src/services/rotation/index.ts'
import { createScheduler } from '../../../../src/services/scheduler/index.ts'
import { testBackend } from '../../../support/db.ts'
import { type RotationHarness, caller, createRotationHarness } from '../../../support/rotation.ts'

let t: RotationHarness
beforeEach(async () => {
  t = await createRotationHarness()
})
afterEach(async () => {
  await t.dispose()
})

const SECRETS = ['daily/a', 'daily/b', 'daily/c']

async function configure() {
  for (const name of SECRETS) {
    await t.secrets.createSecret(caller, { name, secretString: `${name}-v0` })
    await t.rotation.rotateSecret(caller, { secretId: name, rotationLambdaARN: 'random-password', rotationRules: { scheduleExpression: 'rate(1 day)' }, rotateImmediately: false })
  }
  // Configured at 2026-01-01 10:00: the first window opens at midnight.
  expect((await t.secrets.describeSecret(caller, { secretId: SECRETS[0]! })).nextRotationDate).toBe(Date.UTC(2026, 0, 2))
}

/**
 * The second node: its own connection pool on PostgreSQL. On SQLite (one node by design) it shares
 * the connection: two connections of one process would wait on each other's write lock in
 * better-sqlite3's synchronous busy handler.
 */
async function secondNode(): Promise<{ rotation: Rotation; db: typeof t.db }> {
  if (testBackend === 'postgres') return t.server('node-b')
  return { rotation: t.node('node-b'), db: t.db }
}

async function successDays(rotation: Rotation, name: string): Promise<number[]> {
  const { attempts } = await rotation.listRotationAttempts(caller, { secretId: name, limit: 100 })
  expect(attempts.every((a) => a.outcome === 'succeeded')).toBe(true)
  return attempts.map((a) => Math.floor(a.startedAt / MS.day)).reverse()
}

it('one node: rate(1 day) rotates once per day, never twice', async () => {
  t.clock.set(Date.UTC(2026, 0, 1, 10))
  await configure()
  const scheduler = createScheduler({ db: t.db.db, clock: t.clock, nodeId: 'solo', jobs: [rotationJob(t.rotation)] })
  for (let i = 0; i < 3 * 8; i++) {
    t.clock.advance(3 * MS.hour)
    await scheduler.tick()
  }
  const day0 = Date.UTC(2026, 0, 2) / MS.day
  for (const name of SECRETS) expect(await successDays(t.rotation, name)).toEqual([day0, day0 + 1, day0 + 2])
  const d = await t.secrets.describeSecret(caller, { secretId: 'daily/a' })
  expect(d.nextRotationDate).toBe(Date.UTC(2026, 0, 5))
  expect(d.lastRotatedDate).toBe(Date.UTC(2026, 0, 4, 1)) // the first tick of that day's window
  await scheduler.stop()
})

it('two nodes sharing the database: each secret still rotates once per day', async () => {
  t.clock.set(Date.UTC(2026, 0, 1, 10))
  await configure()
  const b = await secondNode()
  const s1 = createScheduler({ db: t.db.db, clock: t.clock, nodeId: 'node-a', jobs: [rotationJob(t.rotation)] })
  const s2 = createScheduler({ db: b.db.db, clock: t.clock, nodeId: 'node-b', jobs: [rotationJob(b.rotation)] })
  for (let i = 0; i < 3 * 8; i++) {
    t.clock.advance(3 * MS.hour)
    await Promise.all([s1.tick(), s2.tick()])
  }
  const day0 = Date.UTC(2026, 0, 2) / MS.day
  for (const name of SECRETS) expect(await successDays(t.rotation, name)).toEqual([day0, day0 + 1, day0 + 2])
  await Promise.all([s1.stop(), s2.stop()])
})

it('two nodes doing the due work at the same instant give each secret one attempt', async () => {
  t.clock.set(Date.UTC(2026, 0, 1, 10))
  await configure()
  const b = await secondNode()
  t.clock.set(Date.UTC(2026, 0, 2, 0, 5))
  const [ra, rb] = await Promise.all([t.rotation.runDue(t.clock.now()), b.rotation.runDue(t.clock.now())])
  expect(ra + rb).toBe(SECRETS.length)
  for (const name of SECRETS) {
    const { attempts } = await t.rotation.listRotationAttempts(caller, { secretId: name })
    expect(attempts.map((a) => a.outcome)).toEqual(['succeeded'])
  }
})
