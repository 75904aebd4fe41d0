import { ArcaError } from '../../core/index.ts'
import type { Caller } from '../../kms/index.ts'
import type { Params, ParamsOperationName } from '../../services/params/index.ts'

/** Dispatches one AmazonSSM (Parameter Store) operation to the params service; input already validated and camelCased. */
export function ssmHandler(params: Pick<Params, ParamsOperationName | 'operationNames'>): (operation: string, caller: Caller, input: Record<string, unknown>) => Promise<unknown> {
  const known = new Map<string, ParamsOperationName>(params.operationNames.map((n) => [n.charAt(0).toUpperCase() + n.slice(1), n]))
  return async (operation, caller, input) => {
    const name = known.get(operation)
    if (!name) throw new ArcaError('UnsupportedOperation', `${operation} is not supported by Arca: only the Parameter Store operations of SSM are.`)
    const fn = params[name] as (caller: Caller, input: unknown) => Promise<unknown>
    return fn(caller, input)
  }
}
