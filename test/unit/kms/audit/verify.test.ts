import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type AuditLog, recordHash } from '../../../../src/kms/audit/index.ts'
import type { AuditRecordTable } from '../../../../src/store/index.ts'
import { type AuditHarness, createAuditHarness, record } from './support.ts'

let h: AuditHarness
let log: AuditLog
const N = 12

beforeEach(async () => {
  h = await createAuditHarness()
  log = await h.open({ checkpointEveryRecords: 5 })
  for (let i = 1; i <= N; i++) {
    h.clock.advance(1000)
    await log.append(record(h.clock, { requestId: `r${i}`, params: { keyId: `alias/k${i}` } }))
  }
  // Checkpoints at 5 and 10 by count, and 12 on close.
  await log.close()
})
afterEach(async () => {
  await h.dispose()
})

const rows = () => h.db.db.selectFrom('audit_records').selectAll().where('node', '=', log.node).orderBy('seq').execute()
const setSeq = (from: number, to: number) => h.db.db.updateTable('audit_records').set({ seq: to }).where('node', '=', log.node).where('seq', '=', from).execute()
const verify = () => log.verify({ node: log.node })

describe('verify', () => {
  it('an untouched chain is valid: every record and checkpoint checked', async () => {
    expect(await verify()).toEqual({ valid: true, checked: N, checkpoints: 3 })
    expect((await log.verify()).valid).toBe(true)
  })

  it('a changed record is named', async () => {
    await h.db.db.updateTable('audit_records').set({ error_code: null, params: '{"keyId":"alias/other"}' }).where('node', '=', log.node).where('seq', '=', 7).execute()
    expect(await verify()).toMatchObject({ valid: false, firstBadSequence: 7, node: log.node })
  })

  it.each(['time', 'principal_arn', 'operation', 'error_code', 'source_ip', 'resources', 'recipient_account'] as const)('a change of %s is detected', async (column) => {
    const value = column === 'time' ? 1 : column === 'resources' ? '["arn:aws:kms:us-east-1:111111111111:key/x"]' : 'forged'
    await h.db.db.updateTable('audit_records').set({ [column]: value }).where('node', '=', log.node).where('seq', '=', 3).execute()
    expect(await verify()).toMatchObject({ valid: false, firstBadSequence: 3 })
  })

  it('a removed record is named (a gap in the sequence)', async () => {
    await h.db.db.deleteFrom('audit_records').where('node', '=', log.node).where('seq', '=', 7).execute()
    const r = await verify()
    expect(r).toMatchObject({ valid: false, firstBadSequence: 7, checked: 6 })
    expect(r.reason).toMatch(/missing/)
  })

  it('a removed record with the later ones renumbered is named', async () => {
    await h.db.db.deleteFrom('audit_records').where('node', '=', log.node).where('seq', '=', 7).execute()
    for (let s = 8; s <= N; s++) await setSeq(s, s - 1)
    expect(await verify()).toMatchObject({ valid: false, firstBadSequence: 7 })
  })

  it('two swapped records are detected at the first of them', async () => {
    await setSeq(6, -1)
    await setSeq(7, 6)
    await setSeq(-1, 7)
    expect(await verify()).toMatchObject({ valid: false, firstBadSequence: 6 })
  })

  it('two records with swapped contents are detected at the first of them', async () => {
    const all = await rows()
    const [a, b] = [all[5]!, all[6]!]
    const contents = (r: AuditRecordTable) => ({ time: r.time, request_id: r.request_id, params: r.params, resources: r.resources })
    await h.db.db.updateTable('audit_records').set(contents(b)).where('node', '=', log.node).where('seq', '=', 6).execute()
    await h.db.db.updateTable('audit_records').set(contents(a)).where('node', '=', log.node).where('seq', '=', 7).execute()
    expect(await verify()).toMatchObject({ valid: false, firstBadSequence: 6 })
  })

  it('an inserted record, even one hashed into the chain correctly, is named', async () => {
    for (let s = N; s >= 7; s--) await setSeq(s, s + 1)
    const prev = (await rows())[5]!
    const forged = { ...prev, seq: 7, request_id: 'forged', prev_hash: prev.hash }
    forged.hash = recordHash(log.node, 7, prev.hash, forged)
    await h.db.db.insertInto('audit_records').values(forged).execute()
    const r = await verify()
    expect(r).toMatchObject({ valid: false, firstBadSequence: 7 })
    expect(r.reason).toMatch(/inserted/)
  })

  it('an appended forgery with a made-up hash is named', async () => {
    const last = (await rows()).at(-1)!
    await h.db.db.insertInto('audit_records').values({ ...last, seq: N + 1, request_id: 'forged', prev_hash: last.hash, hash: 'f'.repeat(64) }).execute()
    expect(await verify()).toMatchObject({ valid: false, firstBadSequence: N + 1 })
  })

  it('a chain re-hashed after a change is caught by the signed checkpoint', async () => {
    const all = await rows()
    let prevHash = all[1]!.hash
    for (const r of all.slice(2)) {
      const changed = r.seq === 3 ? { ...r, params: '{"keyId":"alias/evil"}' } : r
      const hash = recordHash(log.node, Number(r.seq), prevHash, changed)
      await h.db.db.updateTable('audit_records').set({ params: changed.params, prev_hash: prevHash, hash }).where('node', '=', log.node).where('seq', '=', r.seq).execute()
      prevHash = hash
    }
    const r = await verify()
    expect(r).toMatchObject({ valid: false, firstBadSequence: 1 })
    expect(r.reason).toMatch(/checkpoint/)
  })

  it('records removed from the end of a checkpointed chain are named', async () => {
    await h.db.db.deleteFrom('audit_records').where('node', '=', log.node).where('seq', '>=', 11).execute()
    expect(await verify()).toMatchObject({ valid: false, firstBadSequence: 11 })
  })

  it('a tampered checkpoint signature is detected', async () => {
    const cp = await h.db.db.selectFrom('audit_checkpoints').selectAll().where('node', '=', log.node).where('seq', '=', 10).executeTakeFirstOrThrow()
    const flipped = (cp.signature[0] === 'a' ? 'b' : 'a') + cp.signature.slice(1)
    await h.db.db.updateTable('audit_checkpoints').set({ signature: flipped }).where('node', '=', log.node).where('seq', '=', 10).execute()
    const r = await verify()
    expect(r).toMatchObject({ valid: false, firstBadSequence: 10 })
    expect(r.reason).toMatch(/signature/)
  })

  it('a checkpoint moved to cover other data fails its signature', async () => {
    await h.db.db.updateTable('audit_checkpoints').set({ time: 5 }).where('node', '=', log.node).where('seq', '=', 5).execute()
    expect(await verify()).toMatchObject({ valid: false, firstBadSequence: 5 })
  })

  it('a checkpoint signed by another key is detected', async () => {
    const cp = await h.db.db.selectFrom('audit_checkpoints').selectAll().where('node', '=', log.node).where('seq', '=', 5).executeTakeFirstOrThrow()
    await h.db.db.updateTable('audit_checkpoints').set({ signature: '0'.repeat(128) }).where('node', '=', log.node).where('seq', '=', Number(cp.seq)).execute()
    expect(await verify()).toMatchObject({ valid: false, firstBadSequence: 5 })
  })

  it('a time range is verified from its first record, linked to the record before it', async () => {
    const all = await rows()
    const from = Number(all[3]!.time)
    const to = Number(all[8]!.time)
    expect(await log.verify({ node: log.node, from, to })).toMatchObject({ valid: true, checked: 6 })
    await h.db.db.updateTable('audit_records').set({ hash: 'e'.repeat(64) }).where('node', '=', log.node).where('seq', '=', 3).execute()
    expect(await log.verify({ node: log.node, from, to })).toMatchObject({ valid: false, firstBadSequence: 4 })
  })
})
