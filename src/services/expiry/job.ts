import type { Kysely } from 'kysely'
import { MS, toDate } from '../../core/index.ts'
import type { Schema } from '../../store/index.ts'
import { scheduleDeletionInTx, secretLive } from '../secrets/index.ts'
import type { EventSink } from '../shared/index.ts'
import { storedExpiryPolicies } from './grammar.ts'

/** The events (source `arca`); detail carries the ARN, the policy, the due time and the time left, never a value. */
export const NOTIFICATION_EVENT = 'Arca Expiry Notification'
export const EXPIRED_EVENT = 'Arca Item Expired'
// Arca: a moment fired more than this after its due time (the server was down) is marked late.
export const LATE_AFTER_MS = 5 * MS.minute
// Arca: due moments handled per batch; the job loops until none is due.
const BATCH = 200

export interface JobDeps {
  db: Kysely<Schema>
  events: EventSink
  /** Called after an item's configuration-dependent state may have changed (cache invalidation). */
  forget?: (arn: string) => void
}

type Moment = Awaited<ReturnType<typeof loadDue>>[number]

function loadDue(db: Kysely<Schema>, now: number) {
  return db.selectFrom('expiry_moments').selectAll().where('pending', '=', 1).where('due_at', '<=', now).orderBy('due_at').orderBy('id').limit(BATCH).execute()
}

/**
 * The scheduler's job: every due moment fires exactly once. It is claimed by compare-and-set on
 * `pending` in the same transaction as its outbox event (and, for an Expiration with the delete
 * action, the secret's scheduled deletion), so neither a restart nor a second node repeats it,
 * and one that came due while Arca was down fires at the next run, marked late.
 */
export async function runDueExpiry(deps: JobDeps, now: number): Promise<number> {
  let fired = 0
  for (;;) {
    const due = await loadDue(deps.db, now)
    for (const m of due) if (await fire(deps, m, now)) fired++
    if (due.length < BATCH) return fired
  }
}

async function fire(deps: JobDeps, m: Moment, now: number): Promise<boolean> {
  const late = now - m.due_at > LATE_AFTER_MS
  const done = await deps.db.transaction().execute(async (tx) => {
    const claimed = await tx.updateTable('expiry_moments').set({ pending: 0, fired_at: now, late: late ? 1 : 0 }).where('id', '=', m.id).where('pending', '=', 1).executeTakeFirst()
    if (Number(claimed.numUpdatedRows) !== 1) return false
    const at = { account: m.account, region: m.region, name: m.name }
    // A secret deleted (or scheduled for deletion) since has nothing left to notify about.
    if (m.item_type === 'secret' && !(await secretLive(tx, m.arn, at))) return true
    let action = m.action
    if (m.policy_type === 'Expiration' && m.action === 'delete' && m.item_type === 'secret') {
      const item = await tx.selectFrom('expiry_items').select(['api_config', 'tag_config']).where('item_type', '=', m.item_type).where('arn', '=', m.arn).executeTakeFirst()
      const days = (JSON.parse(item?.api_config ?? item?.tag_config ?? '{}') as { recoveryDays?: number }).recoveryDays ?? 30
      await scheduleDeletionInTx(deps, tx, m.arn, at, days, now)
      action = `delete (recovery window ${days} days)`
    }
    await deps.events.record(tx, {
      source: 'arca',
      detailType: m.policy_type === 'Expiration' ? EXPIRED_EVENT : NOTIFICATION_EVENT,
      account: m.account,
      region: m.region,
      resources: [m.arn],
      detail: {
        'item-type': m.item_type,
        name: m.name,
        arn: m.arn,
        'policy-type': m.policy_type,
        policy: m.policy_text,
        'due-at': toDate(m.due_at).toISOString(),
        'fired-at': toDate(now).toISOString(),
        ...timeLeft(m, now),
        late,
        action,
      },
    })
    return true
  })
  if (done) deps.forget?.(m.arn)
  return done
}

/** Seconds until the item expires (ExpirationNotification, Expiration); staleness notices have none. */
function timeLeft(m: Moment, now: number): { 'expires-at'?: string; 'time-left-seconds'?: number } {
  if (m.policy_type === 'Expiration') return { 'expires-at': toDate(m.due_at).toISOString(), 'time-left-seconds': 0 }
  if (m.policy_type !== 'ExpirationNotification') return {}
  const [p] = storedExpiryPolicies([m.policy_text])
  const expires = m.due_at + p!.offsetMs!
  return { 'expires-at': toDate(expires).toISOString(), 'time-left-seconds': Math.max(0, Math.round((expires - now) / 1000)) }
}
