import { toDate } from '../../core/index.ts'
import { deleteInTx } from './delete.ts'
import { recordPolicyAction } from './events.ts'
import { type Scope, parameterArn } from './names.ts'
import { type PolicyType, storedPolicies } from './policies.ts'
import type { ParamsContext } from './types.ts'

// Arca: due policies handled per batch; the job loops until none is due.
const BATCH = 200

/**
 * The scheduler's job: every policy whose time has come acts once. Each due row is claimed by
 * compare-and-set on its `due_at` (set to null, status Finished) in the same transaction as
 * what it does — the Policy Action event, and for Expiration the deletion with its Change
 * event — so a policy fires exactly once however many nodes run the job, and one that came due
 * while Arca was down fires at the next run. NoChangeNotification is re-armed by the next put.
 * Returns how many policies acted.
 */
export async function runDueParameterPolicies(ctx: ParamsContext, now: number = ctx.clock.now()): Promise<number> {
  let fired = 0
  for (;;) {
    const due = await ctx.db
      .selectFrom('ssm_parameter_policies')
      .selectAll()
      .where('due_at', '<=', now)
      .orderBy('due_at')
      .limit(BATCH)
      .execute()
    if (due.length === 0) return fired
    for (const row of due) {
      const scope: Scope = { account: row.account, region: row.region }
      const done = await ctx.db.transaction().execute(async (tx) => {
        const claimed = await tx
          .updateTable('ssm_parameter_policies')
          .set({ due_at: null, status: 'Finished', fired_at: now })
          .where('account', '=', row.account)
          .where('region', '=', row.region)
          .where('name', '=', row.name)
          .where('idx', '=', row.idx)
          .where('due_at', '=', row.due_at)
          .executeTakeFirst()
        if (Number(claimed.numUpdatedRows) !== 1) return false
        const param = await tx.selectFrom('ssm_parameters').select(['type', 'policies']).where('account', '=', row.account).where('region', '=', row.region).where('name', '=', row.name).executeTakeFirst()
        if (!param) return false
        const arn = parameterArn(scope, row.name)
        const type = row.type as PolicyType
        await recordPolicyAction(ctx.events, tx, scope, arn, { name: row.name, type: param.type, policyType: type, policyText: row.text, reason: reason(type, row.text, row.created_at, now) })
        if (type === 'Expiration') await deleteInTx(ctx, tx, scope, row.name)
        return true
      })
      if (done) {
        fired++
        if (row.type === 'Expiration') ctx.cipher.forget(parameterArn(scope, row.name))
      }
    }
    if (due.length < BATCH) return fired
  }
}

function reason(type: PolicyType, text: string, createdAt: number, now: number): string {
  const [p] = storedPolicies([text])
  const created = toDate(createdAt).toISOString()
  switch (type) {
    case 'Expiration':
      return `The parameter was deleted by its Expiration policy at ${toDate(now).toISOString()}. This action was generated based on the policy created at ${created}.`
    case 'ExpirationNotification':
      return `The parameter will expire in ${p!.span}. This notification was generated based on the policy created at ${created}.`
    case 'NoChangeNotification':
      return `The parameter has not been changed for ${p!.span}. This notification was generated based on the policy created at ${created}.`
  }
}
