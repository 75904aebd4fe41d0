import { ArcaError } from '../../core/index.ts'
import type { Caller } from '../../kms/index.ts'
import { recordChange } from './events.ts'
import { MAX_LABELS_PER_VERSION, MAX_LABEL_LENGTH } from './limits.ts'
import { checkName, parameterArn } from './names.ts'
import { notFound, versionNotFound } from './rows.ts'
import type { ParamsContext } from './types.ts'

// AWS: letters, digits, '.', '-', '_'; not starting with a digit, "aws" or "ssm" (any case).
const LABEL = /^[a-zA-Z0-9_.-]+$/
export function isValidLabel(label: string): boolean {
  return label.length >= 1 && label.length <= MAX_LABEL_LENGTH && LABEL.test(label) && !/^[0-9]/.test(label) && !/^(aws|ssm)/i.test(label)
}

/**
 * LabelParameterVersion: valid labels are attached to the version (moving from any other
 * version of the parameter); invalid ones are returned, not raised. The version row is touched
 * first, which both proves it exists and orders this against a put dropping it (put.ts).
 */
export async function labelParameterVersion(
  ctx: ParamsContext,
  caller: Caller,
  input: { name: string; parameterVersion?: number; labels: string[] },
): Promise<{ invalidLabels: string[]; parameterVersion: number }> {
  const name = checkName(caller, input.name)
  const arn = parameterArn(caller, name)
  await ctx.authorize(caller, 'ssm:LabelParameterVersion', arn)
  const valid = [...new Set(input.labels.filter(isValidLabel))]
  const invalidLabels = input.labels.filter((l) => !isValidLabel(l))
  const version = await ctx.db.transaction().execute(async (tx) => {
    const param = await tx.selectFrom('ssm_parameters').select(['version', 'type', 'description']).where('account', '=', caller.account).where('region', '=', caller.region).where('name', '=', name).executeTakeFirst()
    if (!param) throw notFound(name)
    const v = input.parameterVersion ?? param.version
    const touched = await tx
      .updateTable('ssm_parameter_versions')
      .set({ version: v })
      .where('account', '=', caller.account)
      .where('region', '=', caller.region)
      .where('name', '=', name)
      .where('version', '=', v)
      .executeTakeFirst()
    if (Number(touched.numUpdatedRows) !== 1) throw versionNotFound(name, String(v))
    if (valid.length === 0) return v
    for (const label of valid) {
      await tx
        .insertInto('ssm_parameter_labels')
        .values({ account: caller.account, region: caller.region, name, label, version: v })
        .onConflict((oc) => oc.columns(['account', 'region', 'name', 'label']).doUpdateSet({ version: v }))
        .execute()
    }
    const { n } = await tx
      .selectFrom('ssm_parameter_labels')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('account', '=', caller.account)
      .where('region', '=', caller.region)
      .where('name', '=', name)
      .where('version', '=', v)
      .executeTakeFirstOrThrow()
    if (Number(n) > MAX_LABELS_PER_VERSION)
      throw new ArcaError('VersionLabelLimitExceeded', `A parameter version can have maximum ${MAX_LABELS_PER_VERSION} labels. Move one or more labels to another version and try again.`)
    await recordChange(ctx.events, tx, caller, arn, { operation: 'LabelParameterVersion', name, type: param.type, description: param.description })
    return v
  })
  return { invalidLabels, parameterVersion: version }
}

/** UnlabelParameterVersion: removes the labels that are on that version; the others come back as InvalidLabels. */
export async function unlabelParameterVersion(
  ctx: ParamsContext,
  caller: Caller,
  input: { name: string; parameterVersion: number; labels: string[] },
): Promise<{ removedLabels: string[]; invalidLabels: string[] }> {
  const name = checkName(caller, input.name)
  const arn = parameterArn(caller, name)
  await ctx.authorize(caller, 'ssm:UnlabelParameterVersion', arn)
  if (typeof input.parameterVersion !== 'number') throw new ArcaError('Validation', 'ParameterVersion is required.', { field: 'parameterVersion' })
  return ctx.db.transaction().execute(async (tx) => {
    const param = await tx.selectFrom('ssm_parameters').select(['type', 'description']).where('account', '=', caller.account).where('region', '=', caller.region).where('name', '=', name).executeTakeFirst()
    if (!param) throw notFound(name)
    const v = input.parameterVersion
    const row = await tx.selectFrom('ssm_parameter_versions').select('version').where('account', '=', caller.account).where('region', '=', caller.region).where('name', '=', name).where('version', '=', v).executeTakeFirst()
    if (!row) throw versionNotFound(name, String(v))
    const removedLabels: string[] = []
    const invalidLabels: string[] = []
    for (const label of [...new Set(input.labels)]) {
      const r = await tx
        .deleteFrom('ssm_parameter_labels')
        .where('account', '=', caller.account)
        .where('region', '=', caller.region)
        .where('name', '=', name)
        .where('label', '=', label)
        .where('version', '=', v)
        .executeTakeFirst()
      ;(Number(r.numDeletedRows) === 1 ? removedLabels : invalidLabels).push(label)
    }
    if (removedLabels.length) await recordChange(ctx.events, tx, caller, arn, { operation: 'UnlabelParameterVersion', name, type: param.type, description: param.description })
    return { removedLabels, invalidLabels }
  })
}

/** Every label of a parameter with the version it names (REST `GET …/labels`). */
export async function listLabels(ctx: ParamsContext, caller: Caller, input: { name: string }): Promise<{ labels: { label: string; version: number }[] }> {
  const name = checkName(caller, input.name)
  await ctx.authorize(caller, 'ssm:GetParameterHistory', parameterArn(caller, name))
  const param = await ctx.db.selectFrom('ssm_parameters').select('version').where('account', '=', caller.account).where('region', '=', caller.region).where('name', '=', name).executeTakeFirst()
  if (!param) throw notFound(name)
  const rows = await ctx.db
    .selectFrom('ssm_parameter_labels')
    .select(['label', 'version'])
    .where('account', '=', caller.account)
    .where('region', '=', caller.region)
    .where('name', '=', name)
    .orderBy('label')
    .execute()
  return { labels: rows }
}
