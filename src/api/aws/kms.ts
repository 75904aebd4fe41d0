import { ArcaError } from '../../core/index.ts'
import type { Caller, Kms, KmsOperationName } from '../../kms/index.ts'
import { camelCase } from './codec.ts'

/** KMS operations AWS has that Arca answers with UnsupportedOperationException (custom key stores). */
const UNSUPPORTED = new Set([
  'ConnectCustomKeyStore',
  'CreateCustomKeyStore',
  'DeleteCustomKeyStore',
  'DescribeCustomKeyStores',
  'DisconnectCustomKeyStore',
  'UpdateCustomKeyStore',
])

/** Dispatches one TrentService operation to the KMS core. */
export function kmsHandler(kms: Kms): (operation: string, caller: Caller, input: Record<string, unknown>) => Promise<unknown> {
  const known = new Map<string, KmsOperationName>(kms.operationNames.map((n) => [n.charAt(0).toUpperCase() + n.slice(1), n]))
  return async (operation, caller, input) => {
    const name = known.get(operation)
    if (!name) {
      if (UNSUPPORTED.has(operation)) throw new ArcaError('UnsupportedOperation', `${operation} is not supported by Arca: custom key stores are not available.`)
      throw new ArcaError('UnsupportedOperation', `${operation} is not supported by Arca yet.`)
    }
    const fn = kms[name] as (caller: Caller, input: unknown) => Promise<unknown>
    return fn(caller, input)
  }
}

