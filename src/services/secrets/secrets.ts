import type { Caller } from '../../kms/index.ts'
import { batchGetSecretValue } from './batch.ts'
import type { SecretsDeps } from './context.ts'
import { createSecret } from './create.ts'
import { deleteSecret, purgeDeletedSecrets, restoreSecret } from './delete.ts'
import { describeSecret, listSecretVersionIds, listSecrets } from './describe.ts'
import { type GetRandomPasswordInput, getRandomPassword } from './password.ts'
import { deleteResourcePolicy, getResourcePolicy, putResourcePolicy, validateResourcePolicy } from './policy.ts'
import { putSecretValue, updateSecret } from './put.ts'
import { getSecretValue } from './read.ts'
import { updateSecretVersionStage } from './stage.ts'
import { tagResource, untagResource } from './tags.ts'

const operations = {
  createSecret,
  getSecretValue,
  batchGetSecretValue,
  putSecretValue,
  updateSecret,
  describeSecret,
  listSecrets,
  listSecretVersionIds,
  updateSecretVersionStage,
  deleteSecret,
  restoreSecret,
  tagResource,
  untagResource,
  putResourcePolicy,
  getResourcePolicy,
  deleteResourcePolicy,
  validateResourcePolicy,
  getRandomPassword: async (deps: SecretsDeps, caller: Caller, input: GetRandomPasswordInput) => {
    await deps.authorize(caller, 'secretsmanager:GetRandomPassword', '*')
    return getRandomPassword(input)
  },
}

type Operations = typeof operations
type Bound<F> = F extends (deps: SecretsDeps, caller: Caller, input: infer I) => infer O ? (caller: Caller, input: I) => O : never

/** Every Secrets Manager operation Arca answers, named after AWS's, taking the caller and a camelCase input. */
export type SecretsOperations = { [K in keyof Operations]: Bound<Operations[K]> }
export type SecretsOperationName = keyof Operations

export interface Secrets extends SecretsOperations {
  /** The scheduler's job: purge secrets whose recovery window ended by `now`; returns how many. */
  purgeDeletedSecrets(now?: number): Promise<number>
  readonly operationNames: readonly SecretsOperationName[]
}

/** Builds the secrets service. The AWS handler, the REST routes and (later) rotation all call this one object. */
export function createSecrets(deps: SecretsDeps): Secrets {
  const bound = {} as Record<string, unknown>
  for (const [name, fn] of Object.entries(operations)) {
    bound[name] = (caller: Caller, input: unknown) => (fn as (d: SecretsDeps, c: Caller, i: unknown) => unknown)(deps, caller, input ?? {})
  }
  return {
    ...(bound as SecretsOperations),
    purgeDeletedSecrets: (now) => purgeDeletedSecrets(deps, now),
    operationNames: Object.keys(operations) as SecretsOperationName[],
  }
}
