import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MAX_BATCH } from '../../../../src/kms/audit/index.ts'
import { type AuditHarness, createAuditHarness, record } from './support.ts'

let h: AuditHarness
beforeEach(async () => {
  h = await createAuditHarness()
})
afterEach(async () => {
  await h.dispose()
})

const count = async () => Number((await h.db.db.selectFrom('audit_records').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)

describe('group commit', () => {
  it('many concurrent appends land in few transactions, and every one resolves after its commit', async () => {
    const n = 1000
    const done: boolean[] = []
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        h.log.append(record(h.clock)).then(() => {
          done[i] = true
        }),
      ),
    )
    expect(done.filter(Boolean)).toHaveLength(n)
    expect(await count()).toBe(n)
    const stats = h.log.stats()
    expect(stats.records).toBe(n)
    expect(stats.transactions).toBeLessThanOrEqual(Math.ceil(n / MAX_BATCH) + 1)
    expect((await h.log.verify()).valid).toBe(true)
  })

  it('sync mode: a resolved append is already in the database', async () => {
    await h.log.append(record(h.clock, { requestId: 'visible-now' }))
    const row = await h.db.db.selectFrom('audit_records').select('request_id').where('request_id', '=', 'visible-now').executeTakeFirst()
    expect(row?.request_id).toBe('visible-now')
  })

  it('a failing write rejects every waiting request, and the chain has no hole afterwards', async () => {
    // Occupy the next sequence number of this chain, so its next transaction fails.
    await h.db.db
      .insertInto('audit_records')
      .values({ node: h.log.node, seq: 1, time: 0, request_id: 'x', account: null, recipient_account: 'x', principal_arn: null, access_key_id: null, source_ip: null, user_agent: null, region: null, service: 'kms', operation: 'x', via_service: null, resources: '[]', params: '{}', error_code: null, error_message: null, prev_hash: 'x', hash: 'x' })
      .execute()
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => h.log.append(record(h.clock))))
    expect(results.every((r) => r.status === 'rejected')).toBe(true)
    expect(h.log.stats().failures).toBeGreaterThan(0)
    await h.db.db.deleteFrom('audit_records').where('request_id', '=', 'x').execute()
    await h.log.append(record(h.clock, { requestId: 'after' }))
    const rows = await h.db.db.selectFrom('audit_records').select(['seq', 'request_id']).execute()
    expect(rows).toEqual([{ seq: 1, request_id: 'after' }])
    expect((await h.log.verify()).valid).toBe(true)
  })

  it('async mode: append does not wait; after a failed write, callers wait until a write succeeds and nothing is lost', async () => {
    const log = await h.open({ mode: 'async' })
    await log.append(record(h.clock, { requestId: 'a1' }))
    await log.flush()
    const blocker = { node: log.node, seq: 2, time: 0, request_id: 'x', account: null, recipient_account: 'x', principal_arn: null, access_key_id: null, source_ip: null, user_agent: null, region: null, service: 'kms', operation: 'x', via_service: null, resources: '[]', params: '{}', error_code: null, error_message: null, prev_hash: 'x', hash: 'x' }
    await h.db.db.insertInto('audit_records').values(blocker).execute()
    // Resolves at once although its write will fail.
    await log.append(record(h.clock, { requestId: 'a2' }))
    await log.flush()
    expect(log.stats().failures).toBeGreaterThanOrEqual(1)
    // Degraded: this caller waits for the commit, which fails again.
    await expect(log.append(record(h.clock, { requestId: 'a3' }))).rejects.toThrow()
    await h.db.db.deleteFrom('audit_records').where('request_id', '=', 'x').execute()
    await log.append(record(h.clock, { requestId: 'a4' }))
    await log.flush()
    const ids = (await h.db.db.selectFrom('audit_records').select('request_id').where('node', '=', log.node).orderBy('seq').execute()).map((r) => r.request_id)
    // a2 was acknowledged, so it is kept and retried; a3's caller got an error, so it is not.
    expect(ids).toEqual(['a1', 'a2', 'a4'])
    expect((await log.verify({ node: log.node })).valid).toBe(true)
  })
})

describe('checkpoints', () => {
  const checkpoints = () => h.db.db.selectFrom('audit_checkpoints').selectAll().orderBy('seq').execute()

  it('every N records', async () => {
    const log = await h.open({ checkpointEveryRecords: 10 })
    for (let i = 0; i < 25; i++) await log.append(record(h.clock))
    expect((await checkpoints()).filter((c) => c.node === log.node).map((c) => Number(c.seq))).toEqual([10, 20])
  })

  it('every T by the injected clock, only when records arrived', async () => {
    const log = await h.open({ checkpointEveryMs: 60_000 })
    await log.append(record(h.clock))
    h.clock.advance(59_000)
    await log.append(record(h.clock))
    expect(await checkpoints()).toHaveLength(0)
    h.clock.advance(1_000)
    await log.append(record(h.clock))
    expect((await checkpoints()).map((c) => Number(c.seq))).toEqual([3])
    // Idle: nothing new, no checkpoint.
    h.clock.advance(120_000)
    await log.checkpoint()
    expect(await checkpoints()).toHaveLength(1)
  })

  it('close writes a final checkpoint of the chain head', async () => {
    const log = await h.open()
    for (let i = 0; i < 3; i++) await log.append(record(h.clock))
    await log.close()
    expect((await checkpoints()).filter((c) => c.node === log.node).map((c) => Number(c.seq))).toEqual([3])
    await expect(log.append(record(h.clock))).rejects.toThrow()
  })

  it('the signing key is generated once, kept wrapped, and shared by later nodes', async () => {
    const a = h.log.publicKey()
    const b = (await h.open()).publicKey()
    expect(b.rawHex).toBe(a.rawHex)
    expect(a.pem).toMatch(/^-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA/)
    const stored = await h.db.db.selectFrom('meta').selectAll().where('key', 'like', 'audit.%').execute()
    expect(stored.map((r) => r.key).sort()).toEqual(['audit.public-key', 'audit.signing-key'])
    expect(stored.find((r) => r.key === 'audit.public-key')?.value).toBe(a.rawHex)
  })
})
