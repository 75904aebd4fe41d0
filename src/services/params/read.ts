import { ArcaError, isArcaError } from '../../core/index.ts'
import type { Caller } from '../../kms/index.ts'
import { MAX_HISTORY_RESULTS } from './limits.ts'
import { SECRETS_REFERENCE_PREFIX, parameterArn, parseReference } from './names.ts'
import { policyStatuses } from './policy-status.ts'
import { type VersionRow, notFound, parseJsonList, resolveVersion } from './rows.ts'
import { decodeToken, encodeToken } from './tokens.ts'
import type { ParameterHistoryOut, ParameterOut, ParamsContext } from './types.ts'

/** A version's value as the caller may see it: plaintext, or a SecureString's ciphertext without WithDecryption. */
export function valueOf(ctx: ParamsContext, caller: Caller, arn: string, row: Pick<VersionRow, 'type' | 'version' | 'data_key' | 'value'>, withDecryption: boolean | undefined): Promise<string> | string {
  if (row.type === 'SecureString' && !withDecryption) return ctx.cipher.envelope(row)
  return ctx.cipher.open(caller, arn, row.version, row)
}

async function render(ctx: ParamsContext, caller: Caller, name: string, row: VersionRow, selector: string | undefined, withDecryption: boolean | undefined): Promise<ParameterOut> {
  const arn = parameterArn(caller, name)
  const out: ParameterOut = {
    name,
    type: row.type,
    value: await valueOf(ctx, caller, arn, row, withDecryption),
    version: row.version,
    lastModifiedDate: row.modified_at,
    arn,
    dataType: row.data_type,
  }
  if (selector !== undefined) out.selector = `:${selector}`
  return out
}

async function getOne(ctx: ParamsContext, caller: Caller, raw: string, withDecryption: boolean | undefined, action: string): Promise<ParameterOut> {
  if (raw.trim().startsWith(SECRETS_REFERENCE_PREFIX)) return reference(ctx, caller, raw.trim(), withDecryption)
  const ref = parseReference(caller, raw)
  await ctx.authorize(caller, action, parameterArn(caller, ref.names[0]!))
  const { name, row } = await resolveVersion(ctx.db, caller, ref.names, ref.selector)
  return render(ctx, caller, name, row, ref.selector, withDecryption)
}

/** GetParameter `{Name (name, ARN, name:version, name:label), WithDecryption}`. */
export async function getParameter(ctx: ParamsContext, caller: Caller, input: { name: string; withDecryption?: boolean }): Promise<{ parameter: ParameterOut }> {
  return { parameter: await getOne(ctx, caller, input.name, input.withDecryption, 'ssm:GetParameter') }
}

/** GetParameters: 1–10 names; missing or malformed ones (and missing versions) come back in InvalidParameters. */
export async function getParameters(ctx: ParamsContext, caller: Caller, input: { names: string[]; withDecryption?: boolean }): Promise<{ parameters: ParameterOut[]; invalidParameters: string[] }> {
  const parameters: ParameterOut[] = []
  const invalidParameters: string[] = []
  for (const raw of [...new Set(input.names)]) {
    try {
      parameters.push(await getOne(ctx, caller, raw, input.withDecryption, 'ssm:GetParameters'))
    } catch (e) {
      if (isArcaError(e) && ['NotFound', 'VersionNotFound', 'Validation', 'HierarchyLevelLimitExceeded'].includes(e.code)) invalidParameters.push(raw)
      else throw e
    }
  }
  return { parameters, invalidParameters }
}

/** `/aws/reference/secretsmanager/<id>[:<versionId or stage>]`: a Secrets Manager secret, through the resolver seam. */
async function reference(ctx: ParamsContext, caller: Caller, raw: string, withDecryption: boolean | undefined): Promise<ParameterOut> {
  await ctx.authorize(caller, 'ssm:GetParameter', parameterArn(caller, raw.replace(/:[^/]*$/, '')))
  if (!withDecryption) throw new ArcaError('Validation', 'WithDecryption flag must be True for retrieving a Secret Manager secret.', { field: 'withDecryption' })
  if (!ctx.referenceResolver)
    throw new ArcaError('Validation', 'Secrets Manager references (/aws/reference/secretsmanager/…) are not available on this Arca server yet.', { field: 'name' })
  const rest = raw.slice(SECRETS_REFERENCE_PREFIX.length)
  const colon = rest.lastIndexOf(':')
  const secretId = colon > 0 ? rest.slice(0, colon) : rest
  const selector = colon > 0 ? rest.slice(colon + 1) : undefined
  const isVersionId = selector !== undefined && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(selector)
  const secret = await ctx.referenceResolver(caller, { secretId, ...(selector === undefined ? {} : isVersionId ? { versionId: selector } : { versionStage: selector }) })
  if (!secret) throw notFound(raw)
  const out: ParameterOut = {
    name: `${SECRETS_REFERENCE_PREFIX}${secretId}`,
    type: 'SecureString',
    value: secret.value,
    version: 0,
    lastModifiedDate: secret.createdDate,
    arn: secret.arn,
    dataType: 'text',
  }
  if (selector !== undefined) out.selector = `:${selector}`
  if (secret.sourceResult !== undefined) out.sourceResult = secret.sourceResult
  return out
}

/** GetParameterHistory: every kept version, oldest first, 1–50 per page (default 50). */
export async function getParameterHistory(
  ctx: ParamsContext,
  caller: Caller,
  input: { name: string; withDecryption?: boolean; maxResults?: number; nextToken?: string },
): Promise<{ parameters: ParameterHistoryOut[]; nextToken?: string }> {
  const ref = parseReference(caller, input.name)
  if (ref.selector !== undefined) throw new ArcaError('Validation', 'GetParameterHistory takes a parameter name without a version or label selector.', { field: 'name' })
  await ctx.authorize(caller, 'ssm:GetParameterHistory', parameterArn(caller, ref.names[0]!))
  const max = input.maxResults ?? MAX_HISTORY_RESULTS
  for (const name of ref.names) {
    const binding = ['GetParameterHistory', caller.account, caller.region, name, Boolean(input.withDecryption)]
    const after = input.nextToken ? decodeToken<number>(binding, input.nextToken, 'number') : 0
    const rows = await ctx.db
      .selectFrom('ssm_parameter_versions')
      .selectAll()
      .where('account', '=', caller.account)
      .where('region', '=', caller.region)
      .where('name', '=', name)
      .where('version', '>', after)
      .orderBy('version')
      .limit(max + 1)
      .execute()
    if (rows.length === 0 && !input.nextToken) continue
    if (rows.length === 0 && !(await ctx.db.selectFrom('ssm_parameters').select('version').where('account', '=', caller.account).where('region', '=', caller.region).where('name', '=', name).executeTakeFirst())) continue
    const page = rows.slice(0, max)
    const labels = await ctx.db
      .selectFrom('ssm_parameter_labels')
      .select(['label', 'version'])
      .where('account', '=', caller.account)
      .where('region', '=', caller.region)
      .where('name', '=', name)
      .orderBy('label')
      .execute()
    const statuses = await policyStatuses(ctx.db, caller, [name])
    const arn = parameterArn(caller, name)
    const parameters: ParameterHistoryOut[] = []
    for (const row of page) {
      const h: ParameterHistoryOut = {
        name,
        type: row.type,
        lastModifiedDate: row.modified_at,
        lastModifiedUser: row.modified_by,
        value: await valueOf(ctx, caller, arn, row, input.withDecryption),
        version: row.version,
        labels: labels.filter((l) => l.version === row.version).map((l) => l.label),
        tier: row.tier,
        policies: parseJsonList(row.policies).map((text) => statuses.of(name, text)),
        dataType: row.data_type,
      }
      if (row.key_id !== null) h.keyId = row.key_id
      if (row.description !== null) h.description = row.description
      if (row.allowed_pattern !== null) h.allowedPattern = row.allowed_pattern
      parameters.push(h)
    }
    return rows.length > max ? { parameters, nextToken: encodeToken(binding, page[page.length - 1]!.version) } : { parameters }
  }
  throw notFound(ref.names[ref.names.length - 1]!)
}
