import { sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../../../src/core/index.ts'
import { type EventInput, type Notify, createNotify } from '../../../../src/services/notify/index.ts'
import { createTestDatabase, rawDatabaseBytes, type TestDatabase } from '../../../support/db.ts'
import { testBarrier } from '../identity/support.ts'

const ACCOUNT = '111111111111'
const OTHER = '222222222222'

const change = (name: string, account = ACCOUNT): EventInput => ({
  source: 'aws.ssm',
  detailType: 'Parameter Store Change',
  account,
  region: 'us-east-1',
  resources: [`arn:aws:ssm:us-east-1:${account}:parameter${name}`],
  detail: { name, type: 'String', operation: 'Create' },
})

let t: TestDatabase
let clock: ManualClock
let notify: Notify

beforeEach(async () => {
  t = await createTestDatabase()
  clock = new ManualClock()
  notify = createNotify({ db: t.db, caps: t.caps, clock, barrier: testBarrier() })
})
afterEach(async () => {
  notify.close()
  await t.dispose()
})

describe('outbox', () => {
  it('writes an EventBridge envelope inside the caller transaction', async () => {
    const stored = await t.db.transaction().execute((tx) => notify.recordEvent(tx, change('/app/db-host')))
    expect(stored.seq).toBe(1)
    expect(stored.event).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      'detail-type': 'Parameter Store Change',
      source: 'aws.ssm',
      account: ACCOUNT,
      time: '2026-01-01T00:00:00Z',
      region: 'us-east-1',
      resources: [`arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/app/db-host`],
      detail: { name: '/app/db-host', type: 'String', operation: 'Create' },
    })
    const read = await notify.readEvents({ account: ACCOUNT, after: 0 })
    expect(read.events).toEqual([stored])
  })

  it('writes nothing when the change rolls back, and the sequence stays gap-free', async () => {
    await t.db.transaction().execute((tx) => notify.recordEvent(tx, change('/a')))
    await expect(
      t.db.transaction().execute(async (tx) => {
        await notify.recordEvent(tx, change('/rolled-back'))
        throw new Error('the change failed')
      }),
    ).rejects.toThrow('the change failed')
    await t.db.transaction().execute((tx) => notify.recordEvent(tx, change('/b')))
    const read = await notify.readEvents({ account: ACCOUNT, after: 0 })
    expect(read.events.map((e) => [e.seq, e.event.detail.name])).toEqual([
      [1, '/a'],
      [2, '/b'],
    ])
    expect(await notify.latestSeq()).toBe(2)
  })

  it('hands out sequence numbers in commit order under concurrent writers', async () => {
    // On PostgreSQL a second pool plays a second node; SQLite is one process's database (two
    // connections in one thread would wait on each other), so there writers share the connection.
    const other = t.caps.shared ? await t.reopen() : { db: t.db, caps: t.caps, close: async () => {} }
    try {
      const notify2 = createNotify({ db: other.db, caps: other.caps, clock, barrier: testBarrier() })
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => {
          const n = i % 2 === 0 ? notify : notify2
          const db = i % 2 === 0 ? t.db : other.db
          return db.transaction().execute((tx) => n.recordEvent(tx, change(`/p${i}`)))
        }),
      )
      const read = await notify.readEvents({ account: ACCOUNT, after: 0 })
      expect(read.events.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
      notify2.close()
    } finally {
      await other.close()
    }
  })

  it('on a shared database, a later writer waits for the earlier one to commit, so readers never see a gap', async (ctx) => {
    if (!t.caps.shared) ctx.skip()
    const other = await t.reopen()
    try {
      let release!: () => void
      const held = new Promise<void>((r) => (release = r))
      let recorded!: () => void
      const firstRecorded = new Promise<void>((r) => (recorded = r))
      // Node 1 records an event and keeps its transaction open.
      const first = t.db.transaction().execute(async (tx) => {
        const e = await notify.recordEvent(tx, change('/first'))
        recorded()
        await held
        return e
      })
      await firstRecorded
      // Node 2's event cannot take a number until node 1 commits.
      const notify2 = createNotify({ db: other.db, caps: other.caps, clock, barrier: testBarrier() })
      let secondDone = false
      const second = other.db.transaction().execute((tx) => notify2.recordEvent(tx, change('/second'))).finally(() => (secondDone = true))
      // Wait until PostgreSQL reports node 2's UPDATE of the sequence row as waiting on a lock.
      let sawWait = false
      for (let i = 0; i < 200 && !sawWait; i++) {
        const waiting = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like '%event_sequence%'`.execute(t.db)
        sawWait = waiting.rows[0].n > 0
        if (!sawWait) await new Promise((r) => setTimeout(r, 10))
      }
      expect(sawWait).toBe(true)
      expect(secondDone).toBe(false)
      expect((await notify.readEvents({ account: ACCOUNT, after: 0 })).events).toEqual([])
      release()
      expect((await first).seq).toBe(1)
      expect((await second).seq).toBe(2)
      expect((await notify.readEvents({ account: ACCOUNT, after: 0 })).events.map((e) => e.event.detail.name)).toEqual(['/first', '/second'])
      notify2.close()
    } finally {
      await other.close()
    }
  })

  it('never stores a secret value: detail is redacted before it is written', async () => {
    const secret = 'hunter2-very-secret-value'
    await notify.recordEvent(t.db, {
      source: 'aws.secretsmanager',
      detailType: 'Secrets Manager Secret Change',
      account: ACCOUNT,
      region: 'us-east-1',
      resources: [],
      detail: { 'secret-id': 'db', secretString: secret, nested: [{ password: secret, keep: 1 }], param: { type: 'SecureString', value: secret } },
    })
    const [e] = (await notify.readEvents({ account: ACCOUNT, after: 0 })).events
    expect(e.event.detail).toEqual({ 'secret-id': 'db', nested: [{ keep: 1 }], param: { type: 'SecureString' } })
    expect((await rawDatabaseBytes(t)).includes(secret)).toBe(false)
  })

  it('reads one account only, after a cursor, filtered by pattern', async () => {
    await notify.recordEvent(t.db, change('/a'))
    await notify.recordEvent(t.db, change('/b', OTHER))
    await notify.recordEvent(t.db, { ...change('/c'), source: 'aws.kms', detailType: 'KMS CMK Rotation', resources: ['arn:aws:kms:us-east-1:111111111111:key/k'] })
    await notify.recordEvent(t.db, change('/app/d'))
    const all = await notify.readEvents({ account: ACCOUNT, after: 0 })
    expect(all.events.map((e) => e.seq)).toEqual([1, 3, 4])
    expect((await notify.readEvents({ account: ACCOUNT, after: 3 })).events.map((e) => e.seq)).toEqual([4])
    expect((await notify.readEvents({ account: ACCOUNT, after: 0, pattern: { source: ['aws.kms'] } })).events.map((e) => e.seq)).toEqual([3])
    expect((await notify.readEvents({ account: ACCOUNT, after: 0, pattern: { resourcePrefix: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/app/` } })).events.map((e) => e.seq)).toEqual([4])
    expect((await notify.readEvents({ account: OTHER, after: 0 })).events.map((e) => e.seq)).toEqual([2])
  })

  it('refuses malformed events from a producer', async () => {
    await expect(notify.recordEvent(t.db, { ...change('/x'), account: 'nope' })).rejects.toMatchObject({ code: 'Internal' })
    await expect(notify.recordEvent(t.db, { ...change('/x'), source: 'aws.s3' as 'arca' })).rejects.toMatchObject({ code: 'Internal' })
    await expect(notify.recordEvent(t.db, { ...change('/x'), detail: { big: 'x'.repeat(300 * 1024) } })).rejects.toMatchObject({ code: 'Internal' })
    expect(await notify.latestSeq()).toBe(0)
  })
})

describe('pruning', () => {
  it('deletes events older than the retention period, and their deliveries', async () => {
    await notify.recordEvent(t.db, change('/old'))
    await notify.jobs.deliver()
    clock.advance(6 * 86_400_000)
    await notify.recordEvent(t.db, change('/new'))
    await notify.jobs.deliver()
    clock.advance(86_400_000 + 1)
    expect(await notify.jobs.prune()).toBe(1)
    expect((await notify.readEvents({ account: ACCOUNT, after: 0 })).events.map((e) => e.event.detail.name)).toEqual(['/new'])
    expect(await notify.oldestSeq()).toBe(2)
    expect(await notify.jobs.prune()).toBe(0)
  })
})
