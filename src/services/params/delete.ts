import type { Kysely } from 'kysely'
import { ArcaError, isArcaError } from '../../core/index.ts'
import type { Caller } from '../../kms/index.ts'
import type { Schema } from '../../store/index.ts'
import { recordChange } from './events.ts'
import { type Scope, checkName, parameterArn, parseReference } from './names.ts'
import { notFound } from './rows.ts'
import type { ParamsContext, WriteCondition } from './types.ts'

/** Deletes every version, label and policy of a parameter, with its Change event, in one transaction. */
export async function deleteInTx(
  ctx: Pick<ParamsContext, 'events'>,
  tx: Kysely<Schema>,
  scope: Scope,
  name: string,
  cond: WriteCondition = {},
): Promise<{ type: string; description: string | null } | undefined> {
  let q = tx.deleteFrom('ssm_parameters').where('account', '=', scope.account).where('region', '=', scope.region).where('name', '=', name)
  if (cond.expectedVersion !== undefined) q = q.where('version', '=', cond.expectedVersion)
  const gone = await q.returning(['type', 'description', 'version']).executeTakeFirst()
  if (!gone) return undefined
  for (const t of ['ssm_parameter_versions', 'ssm_parameter_labels', 'ssm_parameter_policies'] as const) {
    await tx.deleteFrom(t).where('account', '=', scope.account).where('region', '=', scope.region).where('name', '=', name).execute()
  }
  await recordChange(ctx.events, tx, scope, parameterArn(scope, name), { operation: 'Delete', name, type: gone.type, description: gone.description })
  return gone
}

async function deleteNamed(ctx: ParamsContext, caller: Caller, raw: string, action: string, cond: WriteCondition): Promise<string> {
  const { names } = parseReference(caller, raw)
  const arn = parameterArn(caller, names[0]!)
  await ctx.authorize(caller, action, arn)
  for (const name of names) {
    const gone = await ctx.db.transaction().execute((tx) => deleteInTx(ctx, tx, caller, name, cond))
    if (gone) {
      ctx.cipher.forget(arn)
      return name
    }
  }
  if (cond.expectedVersion !== undefined) {
    for (const name of names) {
      const row = await ctx.db.selectFrom('ssm_parameters').select('version').where('account', '=', caller.account).where('region', '=', caller.region).where('name', '=', name).executeTakeFirst()
      if (row) throw new ArcaError('PreconditionNotMet', `Parameter ${name} is at version ${row.version}, not ${cond.expectedVersion}.`)
    }
  }
  throw notFound(names[names.length - 1]!)
}

/** DeleteParameter: all versions; ParameterNotFound when there is none. */
export async function deleteParameter(ctx: ParamsContext, caller: Caller, input: { name: string }, cond: WriteCondition = {}): Promise<Record<string, never>> {
  await deleteNamed(ctx, caller, input.name, 'ssm:DeleteParameter', cond)
  return {}
}

/** DeleteParameters: 1–10 names; those that do not exist (or are malformed) come back in InvalidParameters. */
export async function deleteParameters(ctx: ParamsContext, caller: Caller, input: { names: string[] }): Promise<{ deletedParameters: string[]; invalidParameters: string[] }> {
  const deletedParameters: string[] = []
  const invalidParameters: string[] = []
  for (const raw of [...new Set(input.names)]) {
    try {
      checkName(caller, raw.startsWith('arn:') ? 'x' : raw)
      await deleteNamed(ctx, caller, raw, 'ssm:DeleteParameters', {})
      deletedParameters.push(raw)
    } catch (e) {
      if (isArcaError(e) && (e.code === 'NotFound' || e.code === 'Validation' || e.code === 'HierarchyLevelLimitExceeded')) invalidParameters.push(raw)
      else throw e
    }
  }
  return { deletedParameters, invalidParameters }
}
