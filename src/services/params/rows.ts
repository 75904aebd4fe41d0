import type { Kysely, Selectable } from 'kysely'
import { ArcaError } from '../../core/index.ts'
import type { Schema, SsmParameterTable, SsmParameterVersionTable } from '../../store/index.ts'
import type { Scope } from './names.ts'

export type ParameterRow = Selectable<SsmParameterTable>
export type VersionRow = Selectable<SsmParameterVersionTable>

export function notFound(name: string): ArcaError {
  return new ArcaError('NotFound', `Parameter ${name} not found.`)
}

export function versionNotFound(name: string, selector: string): ArcaError {
  return new ArcaError('VersionNotFound', `Systems Manager could not find version ${selector} of ${name}. Verify the version and try again.`)
}

export function parameterRow(db: Kysely<Schema>, scope: Scope, name: string): Promise<ParameterRow | undefined> {
  return db.selectFrom('ssm_parameters').selectAll().where('account', '=', scope.account).where('region', '=', scope.region).where('name', '=', name).executeTakeFirst()
}

export function latestVersion(db: Kysely<Schema>, scope: Scope, name: string): Promise<VersionRow | undefined> {
  return db
    .selectFrom('ssm_parameter_versions')
    .selectAll()
    .where('account', '=', scope.account)
    .where('region', '=', scope.region)
    .where('name', '=', name)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst()
}

export function versionRow(db: Kysely<Schema>, scope: Scope, name: string, version: number): Promise<VersionRow | undefined> {
  return db
    .selectFrom('ssm_parameter_versions')
    .selectAll()
    .where('account', '=', scope.account)
    .where('region', '=', scope.region)
    .where('name', '=', name)
    .where('version', '=', version)
    .executeTakeFirst()
}

export async function labelledVersion(db: Kysely<Schema>, scope: Scope, name: string, label: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('ssm_parameter_labels')
    .select('version')
    .where('account', '=', scope.account)
    .where('region', '=', scope.region)
    .where('name', '=', name)
    .where('label', '=', label)
    .executeTakeFirst()
  return row?.version
}

export async function exists(db: Kysely<Schema>, scope: Scope, name: string): Promise<boolean> {
  const row = await db.selectFrom('ssm_parameters').select('version').where('account', '=', scope.account).where('region', '=', scope.region).where('name', '=', name).executeTakeFirst()
  return row !== undefined
}

/**
 * The version a reference names: the newest, `:<version>` or `:<label>`. Tries each candidate
 * name (an ARN `…:parameter/foo` may mean `foo` or `/foo`).
 */
export async function resolveVersion(db: Kysely<Schema>, scope: Scope, names: readonly string[], selector: string | undefined): Promise<{ name: string; row: VersionRow }> {
  for (const name of names) {
    if (selector === undefined) {
      const row = await latestVersion(db, scope, name)
      if (row) return { name, row }
      continue
    }
    const version = /^\d+$/.test(selector) ? Number(selector) : await labelledVersion(db, scope, name, selector)
    const row = version === undefined ? undefined : await versionRow(db, scope, name, version)
    if (row) return { name, row }
    if (await exists(db, scope, name)) throw versionNotFound(name, selector)
  }
  throw notFound(names[names.length - 1]!)
}

export const parseJsonList = (text: string | null): string[] => (text ? (JSON.parse(text) as string[]) : [])
