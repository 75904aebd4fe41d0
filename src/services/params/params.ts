import type { Caller } from '../../kms/index.ts'
import { getParametersByPath } from './by-path.ts'
import { ValueCipher } from './cipher.ts'
import { deleteParameter, deleteParameters } from './delete.ts'
import { describeParameters } from './describe.ts'
import { labelParameterVersion, listLabels, unlabelParameterVersion } from './labels.ts'
import { runDueParameterPolicies } from './policy-job.ts'
import { putParameter, putParameters } from './put.ts'
import { getParameter, getParameterHistory, getParameters } from './read.ts'
import { addTagsToResource, listTagsForResource, removeTagsFromResource } from './tags.ts'
import type { ParamsContext, ParamsDeps, PutParameterInput, WriteCondition } from './types.ts'

const operations = {
  putParameter,
  getParameter,
  getParameters,
  getParametersByPath,
  getParameterHistory,
  deleteParameter,
  deleteParameters,
  describeParameters,
  labelParameterVersion,
  unlabelParameterVersion,
  addTagsToResource,
  removeTagsFromResource,
  listTagsForResource,
}

type Operations = typeof operations
type Bound<F> = F extends (ctx: ParamsContext, caller: Caller, input: infer I, ...rest: infer R) => infer O ? (caller: Caller, input: I, ...rest: R) => O : never

/** Parameter Store's operations, named after AWS's (camelCase), each taking the caller first. */
export type ParamsOperations = { [K in keyof Operations]: Bound<Operations[K]> }
export type ParamsOperationName = keyof Operations

export interface Params extends ParamsOperations {
  /** Many puts in one transaction, all or none (imports and seeding); each checked as PutParameter. */
  putParameters(caller: Caller, inputs: PutParameterInput[]): Promise<{ version: number; tier: string }[]>
  /** Every label of a parameter and the version it names (REST). */
  listLabels(caller: Caller, input: { name: string }): Promise<{ labels: { label: string; version: number }[] }>
  /** The scheduler's job: fires due parameter policies once each; returns how many acted. */
  runDueParameterPolicies(now?: number): Promise<number>
  /** Forgets every cached data key. */
  clearCaches(): void
  /** How many unwrapped data keys are cached (for tests of the cache's bounds and invalidation). */
  readonly cachedDataKeys: number
  readonly operationNames: readonly ParamsOperationName[]
}

export type { PutParameterInput, WriteCondition }

/** Builds the Parameter Store service over the database and the KMS core. */
export function createParams(deps: ParamsDeps): Params {
  const ctx: ParamsContext = {
    db: deps.db,
    cipher: new ValueCipher(deps.kms, deps.clock, deps.cache),
    clock: deps.clock,
    authorize: deps.authorize,
    events: deps.events,
    ...(deps.referenceResolver ? { referenceResolver: deps.referenceResolver } : {}),
  }
  const bound = {} as Record<string, unknown>
  for (const [name, fn] of Object.entries(operations)) {
    bound[name] = (caller: Caller, input: unknown, ...rest: unknown[]) => (fn as (c: ParamsContext, caller: Caller, i: unknown, ...r: unknown[]) => unknown)(ctx, caller, input ?? {}, ...rest)
  }
  return {
    ...(bound as ParamsOperations),
    putParameters: (caller, inputs) => putParameters(ctx, caller, inputs),
    listLabels: (caller, input) => listLabels(ctx, caller, input),
    runDueParameterPolicies: (now) => runDueParameterPolicies(ctx, now),
    clearCaches: () => ctx.cipher.clear(),
    get cachedDataKeys() {
      return ctx.cipher.cachedKeys
    },
    operationNames: Object.keys(operations) as ParamsOperationName[],
  }
}
