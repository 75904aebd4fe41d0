import { ArcaError } from '../core/index.ts'
import type { Authorizer } from './authorizer.ts'
import { type KmsContext, authzRequest } from './context-deps.ts'
import { resolveKey } from './keys/resolve.ts'
import type { Explanation } from './policy/index.ts'
import type { Caller, EncryptionContext } from './types.ts'

export interface ExplainInput {
  /** `kms:Decrypt`, or a bare operation name `Decrypt`. */
  action: string
  /** Key id, key ARN, alias or alias ARN; absent for account-level actions. */
  keyId?: string
  encryptionContext?: EncryptionContext
  conditions?: Record<string, string | string[] | number | boolean>
}

type Explaining = Authorizer & { explain?(req: Parameters<Authorizer['authorize']>[0]): Promise<Explanation> }

/** Which statement, grant or missing allow decides a KMS request, evaluated exactly as the request would be. */
export async function explainKmsRequest(ctx: KmsContext, caller: Caller, input: ExplainInput): Promise<Explanation> {
  const authorizer = ctx.authorizer as Explaining
  if (!authorizer.explain) throw new ArcaError('UnsupportedOperation', 'This authorizer cannot explain its decisions.')
  if (typeof input.action !== 'string' || !input.action) throw new ArcaError('Validation', 'action is required, e.g. "kms:Decrypt".', { field: 'action' })
  const op = input.action.replace(/^kms:/i, '')
  const action = `kms:${op}`
  const resolved = input.keyId ? await resolveKey(ctx.store, caller, input.keyId) : undefined
  const req = await authzRequest(ctx, caller, action, resolved?.key, {
    ...(resolved ? { grantOperation: op } : { resource: '*' }),
    ...(resolved?.alias ? { requestAlias: resolved.alias } : {}),
    ...(input.encryptionContext ? { encryptionContext: input.encryptionContext } : {}),
    ...(input.conditions ? { conditions: input.conditions } : {}),
  })
  return authorizer.explain(req)
}
