import type { Kysely } from 'kysely'
import type { Schema } from '../../store/index.ts'
import type { Scope } from './names.ts'
import type { PolicyOut } from './types.ts'

/** The policies' current status (Pending, Finished) for some parameters, from the policy job's rows. */
export async function policyStatuses(db: Kysely<Schema>, scope: Scope, names: readonly string[]): Promise<{ of(name: string, text: string): PolicyOut }> {
  const rows = names.length
    ? await db
        .selectFrom('ssm_parameter_policies')
        .select(['name', 'text', 'type', 'status'])
        .where('account', '=', scope.account)
        .where('region', '=', scope.region)
        .where('name', 'in', [...names])
        .execute()
    : []
  return {
    of(name, text) {
      const row = rows.find((r) => r.name === name && r.text === text)
      const type = row?.type ?? (JSON.parse(text) as { Type: string }).Type
      // A policy of an older version that is no longer scheduled has done all it will do.
      return { policyText: text, policyType: type, policyStatus: row?.status ?? 'Finished' }
    },
  }
}
