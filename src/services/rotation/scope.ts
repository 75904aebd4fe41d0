import { ArcaError, isArcaError, toDate } from '../../core/index.ts'
import type { Caller } from '../../kms/index.ts'
import type { SecretsOperations } from '../secrets/index.ts'
import type { RotationSecretsClient } from './contract.ts'
import type { WireError } from './protocol.ts'
import type { Sanitiser } from './sanitise.ts'

/**
 * The host's side of a plugin's `context.secrets`: every call from the worker lands here, is
 * checked against the one-secret scope, runs on the secrets service as the rotation's caller,
 * and comes back with AWS's member names (PascalCase, Dates) and exception names. Every value
 * that passes either way is given to the sanitiser.
 */
export type ScopedSecrets = Pick<SecretsOperations, 'getSecretValue' | 'putSecretValue' | 'describeSecret' | 'updateSecretVersionStage' | 'getRandomPassword'>

export interface RotationTarget {
  arn: string
  name: string
  /** ClientRequestToken: the AWSPENDING version of this rotation. */
  token: string
  rotationToken: string
  /** SecretIds the plugin may read (AWSCURRENT etc.) besides this secret: the `masterarn` of its value. */
  readable: ReadonlySet<string>
}

const ROTATION_STAGES = new Set(['AWSCURRENT', 'AWSPENDING', 'AWSPREVIOUS'])

// ArcaError codes → the exception names the AWS SDK gives (the AWS face's table for secretsmanager).
const EXCEPTION: Partial<Record<string, string>> = {
  NotFound: 'ResourceNotFoundException',
  AlreadyExists: 'ResourceExistsException',
  InvalidRequest: 'InvalidRequestException',
  Conflict: 'InvalidRequestException',
  InvalidParameter: 'InvalidParameterException',
  Validation: 'ValidationException',
  AccessDenied: 'AccessDeniedException',
  DecryptionFailure: 'DecryptionFailure',
  EncryptionFailure: 'EncryptionFailure',
  LimitExceeded: 'LimitExceededException',
  VersionLabelLimitExceeded: 'LimitExceededException',
  PreconditionNotMet: 'PreconditionNotMetException',
}

export function wireError(e: unknown): WireError {
  if (isArcaError(e)) return { name: EXCEPTION[e.code] ?? 'InternalServiceError', message: e.message }
  return { name: 'InternalServiceError', message: 'The rotation host could not complete the request.' }
}

/** Name, full ARN, or partial ARN (without `-` and the 6 random characters). */
export function namesSecret(target: Pick<RotationTarget, 'arn' | 'name'>, id: unknown): boolean {
  return typeof id === 'string' && (id === target.arn || id === target.name || id === target.arn.slice(0, -7))
}

const camel = (k: string) => k.charAt(0).toLowerCase() + k.slice(1)
const pascal = (k: string) => (k === 'arn' ? 'ARN' : k.charAt(0).toUpperCase() + k.slice(1))

function toInput(input: unknown): Record<string, unknown> {
  if (!input || typeof input !== 'object') return {}
  return Object.fromEntries(Object.entries(input as Record<string, unknown>).map(([k, v]) => [camel(k), v]))
}

/** The service's camelCase output as the AWS SDK shows it. Map members keyed by version id keep their keys. */
function toOutput(v: unknown, key?: string): unknown {
  if (typeof v === 'number' && key?.endsWith('Date')) return toDate(v)
  if (Array.isArray(v)) return v.map((x) => toOutput(x))
  if (v instanceof Uint8Array || !v || typeof v !== 'object') return v
  if (key === 'versionIdsToStages') return v
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [pascal(k), toOutput(x, k)]))
}

function denied(message: string): ArcaError {
  return new ArcaError('AccessDenied', `A rotation plugin may only ${message}.`)
}

/** Handles one call from the worker. Resolves with the AWS-shaped output; rejects with a WireError. */
export function scopedCall(secrets: ScopedSecrets, caller: Caller, target: RotationTarget, sanitiser: Sanitiser) {
  return async (method: keyof RotationSecretsClient, raw: unknown): Promise<unknown> => {
    try {
      const input = toInput(raw)
      const own = (): Record<string, unknown> => {
        if (!namesSecret(target, input.secretId)) throw denied(`reach the secret it rotates (${target.arn})`)
        return { ...input, secretId: target.arn }
      }
      let out: unknown
      switch (method) {
        case 'getSecretValue': {
          const readable = typeof input.secretId === 'string' && target.readable.has(input.secretId)
          const r = await secrets.getSecretValue(caller, (readable ? input : own()) as never)
          sanitiser.add(r.secretString)
          sanitiser.add(r.secretBinary)
          out = r
          break
        }
        case 'putSecretValue': {
          const i = own()
          sanitiser.add(i.secretString as string | undefined)
          sanitiser.add(i.secretBinary as Uint8Array | undefined)
          const stages = i.versionStages
          if (!Array.isArray(stages) || stages.length !== 1 || stages[0] !== 'AWSPENDING') throw denied('write a value with VersionStages ["AWSPENDING"]')
          if (i.clientRequestToken !== target.token) throw denied(`write the version of this rotation (ClientRequestToken ${target.token})`)
          if (i.rotationToken !== undefined && i.rotationToken !== target.rotationToken) throw denied('write with the RotationToken of its event')
          const { rotationToken: _, ...rest } = i
          out = await secrets.putSecretValue(caller, rest as never)
          break
        }
        case 'describeSecret':
          out = await secrets.describeSecret(caller, own() as never)
          break
        case 'updateSecretVersionStage': {
          const i = own()
          if (typeof i.versionStage !== 'string' || !ROTATION_STAGES.has(i.versionStage)) throw denied('move the labels AWSCURRENT, AWSPENDING and AWSPREVIOUS')
          if (i.moveToVersionId !== undefined && i.moveToVersionId !== target.token) throw denied(`move labels to the version of this rotation (${target.token})`)
          out = await secrets.updateSecretVersionStage(caller, i as never)
          break
        }
        case 'getRandomPassword': {
          const r = await secrets.getRandomPassword(caller, input as never)
          sanitiser.add(r.randomPassword)
          out = r
          break
        }
        default:
          throw new ArcaError('InvalidRequest', `A rotation plugin cannot call ${String(method)}.`)
      }
      return toOutput(out)
    } catch (e) {
      throw wireError(e)
    }
  }
}
