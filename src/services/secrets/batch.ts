import { ArcaError, type ErrorCode, isArcaError } from '../../core/index.ts'
import type { Caller } from '../../kms/index.ts'
import type { SecretsDeps } from './context.ts'
import { MAX_BATCH_RESULTS, checkMaxResults } from './limits.ts'
import { type GetSecretValueOutput, getSecretValue } from './read.ts'
import { type Filter, scanSecrets } from './scan.ts'

export interface BatchGetSecretValueInput {
  secretIdList?: string[]
  filters?: Filter[]
  maxResults?: number
  nextToken?: string
}

/** A per-secret failure; `errorCode` is Arca's code (each face names it in its own terms). */
export interface BatchError {
  secretId: string
  errorCode: ErrorCode
  message: string
}

/**
 * BatchGetSecretValue (AWS-API.md §5.3): up to 20 secrets by id, or a page of the secrets that
 * match Filters; each secret is read as GetSecretValue (AWSCURRENT) with its own authorization,
 * and a secret that fails goes into Errors while the call succeeds.
 */
export async function batchGetSecretValue(
  deps: SecretsDeps,
  caller: Caller,
  input: BatchGetSecretValueInput,
): Promise<{ secretValues: GetSecretValueOutput[]; errors: BatchError[]; nextToken?: string }> {
  const hasList = Array.isArray(input.secretIdList)
  const hasFilters = Array.isArray(input.filters)
  if (hasList === hasFilters) throw new ArcaError('InvalidParameter', "Either 'SecretIdList' or 'Filters' must be provided, but not both.", { field: 'secretIdList' })
  const limit = checkMaxResults(input.maxResults, MAX_BATCH_RESULTS)
  if (hasList && (limit !== undefined || (input.nextToken !== undefined && input.nextToken !== null)))
    throw new ArcaError('InvalidParameter', 'MaxResults and NextToken can be used only with Filters.', { field: 'maxResults' })
  await deps.authorize(caller, 'secretsmanager:BatchGetSecretValue', '*')

  let ids: string[]
  let nextToken: string | undefined
  if (hasList) {
    const list = input.secretIdList!
    if (list.length === 0 || list.length > MAX_BATCH_RESULTS)
      throw new ArcaError('Validation', `1 validation error detected: Value at 'secretIdList' failed to satisfy constraint: Member must have length between 1 and ${MAX_BATCH_RESULTS}`, { field: 'secretIdList' })
    ids = [...new Set(list)]
  } else {
    await deps.authorize(caller, 'secretsmanager:ListSecrets', '*')
    const page = await scanSecrets(deps, caller, { filters: input.filters, limit: limit ?? MAX_BATCH_RESULTS, nextToken: input.nextToken })
    ids = page.rows.map((r) => r.arn)
    nextToken = page.nextToken
  }
  const secretValues: GetSecretValueOutput[] = []
  const errors: BatchError[] = []
  for (const secretId of ids) {
    try {
      secretValues.push(await getSecretValue(deps, caller, { secretId }))
    } catch (e) {
      if (!isArcaError(e) || e.code === 'Internal' || e.code === 'Sealed') throw e
      errors.push({ secretId, errorCode: e.code, message: e.message })
    }
  }
  return { secretValues, errors, ...(nextToken ? { nextToken } : {}) }
}
