import { ArcaError } from '../../core/index.ts'
import type { Caller } from '../../kms/index.ts'
import type { BatchError, Secrets, SecretsOperationName } from '../../services/secrets/index.ts'
import type { Rotation } from '../../services/rotation/index.ts'
import { camelCase } from './codec.ts'
import { awsError } from './errors.ts'

/** Secrets Manager operations AWS has that Arca answers with InvalidRequestException for now. */
const UNSUPPORTED: Record<string, string> = {
  RotateSecret: 'RotateSecret is not supported by Arca yet: secret rotation is not available in this version.',
  CancelRotateSecret: 'CancelRotateSecret is not supported by Arca yet: secret rotation is not available in this version.',
  ReplicateSecretToRegions: 'ReplicateSecretToRegions is not supported by Arca: secrets are not replicated between Regions.',
  RemoveRegionsFromReplication: 'RemoveRegionsFromReplication is not supported by Arca: secrets are not replicated between Regions.',
  StopReplicationToReplica: 'StopReplicationToReplica is not supported by Arca: secrets are not replicated between Regions.',
}

// AWS-API.md §5.1: the SDKs and the CLI fill ClientRequestToken; a raw request must send one.
const NEEDS_TOKEN = new Set(['PutSecretValue', 'CreateSecret', 'UpdateSecret'])

function hasValue(input: Record<string, unknown>): boolean {
  return (input.secretString !== undefined && input.secretString !== null) || (input.secretBinary !== undefined && input.secretBinary !== null)
}

/** Dispatches one `secretsmanager.*` operation to the secrets service (rotation ones to the rotation service). */
export function secretsManagerHandler(
  secrets: Secrets,
  rotation?: Pick<Rotation, 'rotateSecret' | 'cancelRotateSecret'>,
): (operation: string, caller: Caller, input: Record<string, unknown>) => Promise<unknown> {
  const known = new Map<string, SecretsOperationName>(secrets.operationNames.map((n) => [n.charAt(0).toUpperCase() + n.slice(1), n]))
  return async (operation, caller, input) => {
    if (rotation && operation === 'RotateSecret') {
      if (input.clientRequestToken === undefined)
        throw new ArcaError('InvalidRequest', 'You must provide a ClientRequestToken value. We recommend a UUID-type value.', { field: 'clientRequestToken' })
      return rotation.rotateSecret(caller, input as never)
    }
    if (rotation && operation === 'CancelRotateSecret') return rotation.cancelRotateSecret(caller, input as never)
    const name = known.get(operation)
    if (!name || camelCase(operation) !== name) {
      throw new ArcaError('UnsupportedOperation', UNSUPPORTED[operation] ?? `${operation} is not supported by Arca.`)
    }
    if (NEEDS_TOKEN.has(operation) && input.clientRequestToken === undefined && (operation === 'PutSecretValue' || hasValue(input)))
      throw new ArcaError('InvalidRequest', 'You must provide a ClientRequestToken value. We recommend a UUID-type value.', { field: 'clientRequestToken' })
    const fn = secrets[name] as (caller: Caller, input: unknown) => Promise<unknown>
    const out = await fn(caller, input)
    if (name === 'batchGetSecretValue') {
      const r = out as { errors: BatchError[] }
      return { ...r, errors: r.errors.map((e) => ({ secretId: e.secretId, errorCode: awsError(e.errorCode, 'secretsmanager').type, message: e.message })) }
    }
    return out
  }
}
