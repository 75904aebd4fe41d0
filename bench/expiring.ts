/**
 * The expiring view and last-accessed tracking (issue 11), on SQLite.
 *   1. 100,000 pending moments, 1,000 due within 30 days: time of one page (100) of GET /v1/expiring's query.
 *   2. the per-read cost of the expiry hook (cached config, last-accessed written at most hourly).
 * Baseline (this machine, 2 shared cores): see README "Expiry"; target one page ≪ 50 ms, hook < 5 % of GetSecretValue.
 * Run: npx tsx bench/expiring.ts
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { MS, ManualClock, uuid } from '../src/core/index.ts'
import { migrateToLatest, openDatabase } from '../src/store/index.ts'
import { createExpiry } from '../src/services/expiry/index.ts'
import { noEvents } from '../src/services/shared/index.ts'

const ITEMS = 100_000
const DUE = 1_000
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arca-bench-expiring-'))
const db = await openDatabase({ url: path.join(dir, 'arca.db') })
await migrateToLatest(db.db)
const clock = new ManualClock(Date.parse('2030-01-01T00:00:00Z'))
const now = clock.now()
const account = '111111111111'
const rows = Array.from({ length: ITEMS }, (_, i) => {
  const due = i < DUE ? now + ((i % 29) + 1) * MS.day : now + (60 + (i % 300)) * MS.day
  const arn = `arn:aws:secretsmanager:us-east-1:${account}:secret:item-${i}-abcdef`
  return { id: uuid(), item_type: 'secret', arn, account, region: 'us-east-1', name: `item-${i}`, policy_type: 'Expiration', policy_text: '{}', action: 'notify', due_at: due, pending: 1, fired_at: null, late: 0 }
})
for (let i = 0; i < rows.length; i += 500) await db.db.insertInto('expiry_moments').values(rows.slice(i, i + 500)).execute()
const expiry = createExpiry({ db: db.db, clock, authorize: async () => {}, events: noEvents })
const caller = { account, region: 'us-east-1', principalArn: `arn:aws:iam::${account}:root`, admin: true }
for (let i = 0; i < 20; i++) await expiry.listExpiring(caller, { within: '30d', type: 'secret' })
const times: number[] = []
for (let i = 0; i < 200; i++) {
  const t0 = performance.now()
  const page = await expiry.listExpiring(caller, { within: '30d', type: 'secret' })
  times.push(performance.now() - t0)
  if (page.items.length !== 100) throw new Error('unexpected page size')
}
times.sort((a, b) => a - b)
console.log(`expiring view, ${ITEMS} items / ${DUE} due: one page p50 ${times[100]!.toFixed(2)} ms, p99 ${times[198]!.toFixed(2)} ms`)

// Per-read hook cost: a tracked item (config cached; the last-accessed write happens at most hourly).
const item = { arn: rows[0]!.arn, account, region: 'us-east-1', name: 'item-0' }
await db.db.insertInto('expiry_items').values({ item_type: 'secret', arn: item.arn, account, region: 'us-east-1', name: 'item-0', api_config: null, tag_config: JSON.stringify({ policies: [], action: 'notify', recoveryDays: 30 }), changed_at: now, accessed_at: now }).execute()
const N = 200_000
await expiry.secretHooks.beforeRead(item, now)
const t0 = performance.now()
for (let i = 0; i < N; i++) await expiry.secretHooks.beforeRead(item, now + (i % 1000))
const perRead = ((performance.now() - t0) / N) * 1000
console.log(`last-accessed hook: ${perRead.toFixed(2)} µs per GetSecretValue (compare with bench/http-secrets.ts per-request time)`)
await db.close()
fs.rmSync(dir, { recursive: true, force: true })
