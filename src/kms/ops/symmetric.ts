import { ArcaError, randomBytes, validationError } from '../../core/index.ts'
import type { EncryptionContext } from '../context.ts'
import { type KmsContext, authorize } from '../context-deps.ts'
import { resolveKey } from '../keys/resolve.ts'
import { requireState } from '../keys/states.ts'
import type { Caller } from '../types.ts'
import {
  ENCRYPTION_ALGORITHMS,
  MAX_CIPHERTEXT,
  MAX_NUMBER_OF_BYTES,
  MAX_PLAINTEXT,
  checkGrantTokens,
  dryRunError,
  inputContext,
  missing,
  optionalEnum,
  rejectRecipient,
  requireBlob,
  requireSymmetric,
  withGrantTokens,
} from './checks.ts'
import { checkEncryptable, keyForCiphertext, openFrom, sealTo } from './envelope.ts'

type EncryptionAlgorithm = (typeof ENCRYPTION_ALGORITHMS)[number]

export interface EncryptInput {
  keyId: string
  plaintext: Uint8Array
  encryptionContext?: EncryptionContext
  grantTokens?: string[]
  encryptionAlgorithm?: string
  dryRun?: boolean
}

export interface EncryptOutput {
  ciphertextBlob: Uint8Array
  keyId: string
  encryptionAlgorithm: string
}

export async function encrypt(ctx: KmsContext, caller: Caller, input: EncryptInput): Promise<EncryptOutput> {
  const plaintext = requireBlob('plaintext', input.plaintext, MAX_PLAINTEXT)
  const context = inputContext(input.encryptionContext)
  const algorithm = optionalEnum('encryptionAlgorithm', input.encryptionAlgorithm, ENCRYPTION_ALGORITHMS) ?? 'SYMMETRIC_DEFAULT'
  const tokens = checkGrantTokens(input.grantTokens)
  const { key, alias } = await resolveKey(ctx.store, caller, input.keyId)
  await authorize(ctx, withGrantTokens(caller, tokens), 'kms:Encrypt', key, {
    encryptionContext: context,
    requestAlias: alias,
    grantOperation: 'Encrypt',
    conditions: { 'kms:EncryptionAlgorithm': algorithm },
  })
  requireState(key, 'use')
  checkEncryptable(key, 'Encrypt', algorithm, plaintext.length, context)
  if (input.dryRun) throw dryRunError()
  const { blob } = await sealTo(ctx, key, algorithm, plaintext, context)
  return { ciphertextBlob: blob, keyId: key.arn, encryptionAlgorithm: algorithm }
}

export interface DecryptInput {
  ciphertextBlob?: Uint8Array
  encryptionContext?: EncryptionContext
  grantTokens?: string[]
  keyId?: string
  encryptionAlgorithm?: string
  recipient?: unknown
  dryRun?: boolean
  /** `IGNORE_CIPHERTEXT`: a dry run that checks only the caller's permission on KeyId. */
  dryRunModifiers?: string[]
}

export interface DecryptOutput {
  keyId: string
  plaintext: Uint8Array
  encryptionAlgorithm: string
  keyMaterialId?: string
}

export async function decrypt(ctx: KmsContext, caller: Caller, input: DecryptInput): Promise<DecryptOutput> {
  rejectRecipient(input.recipient)
  const context = inputContext(input.encryptionContext)
  const algorithm = optionalEnum('encryptionAlgorithm', input.encryptionAlgorithm, ENCRYPTION_ALGORITHMS) ?? 'SYMMETRIC_DEFAULT'
  const tokens = checkGrantTokens(input.grantTokens)
  const authz = (key: Parameters<typeof authorize>[3], alias: string | undefined) =>
    authorize(ctx, withGrantTokens(caller, tokens), 'kms:Decrypt', key, {
      encryptionContext: context,
      requestAlias: alias,
      grantOperation: 'Decrypt',
      conditions: { 'kms:EncryptionAlgorithm': algorithm },
    })
  // AWS: CiphertextBlob is required "in all cases except when DryRun is true and DryRunModifiers is set to IGNORE_CIPHERTEXT".
  if (input.dryRun && input.dryRunModifiers?.includes('IGNORE_CIPHERTEXT') && input.ciphertextBlob === undefined) {
    if (input.keyId === undefined) throw missing('keyId')
    const { key, alias } = await resolveKey(ctx.store, caller, input.keyId)
    await authz(key, alias)
    requireState(key, 'use')
    checkEncryptable(key, 'Decrypt', algorithm, undefined, context)
    throw dryRunError()
  }
  const blob = requireBlob('ciphertextBlob', input.ciphertextBlob, MAX_CIPHERTEXT)
  const found = await keyForCiphertext(ctx, caller, blob, input.keyId, algorithm)
  await authz(found.key, found.alias)
  requireState(found.key, 'use')
  checkEncryptable(found.key, 'Decrypt', algorithm, undefined, context)
  const opened = await openFrom(ctx, found, algorithm, blob, context)
  if (input.dryRun) {
    opened.plaintext.fill(0)
    throw dryRunError()
  }
  const out: DecryptOutput = { keyId: found.key.arn, plaintext: opened.plaintext, encryptionAlgorithm: algorithm }
  if (opened.materialId) out.keyMaterialId = opened.materialId
  return out
}

export interface ReEncryptInput {
  ciphertextBlob: Uint8Array
  sourceEncryptionContext?: EncryptionContext
  sourceKeyId?: string
  destinationKeyId: string
  destinationEncryptionContext?: EncryptionContext
  sourceEncryptionAlgorithm?: string
  destinationEncryptionAlgorithm?: string
  grantTokens?: string[]
  dryRun?: boolean
}

export interface ReEncryptOutput {
  ciphertextBlob: Uint8Array
  sourceKeyId: string
  keyId: string
  sourceEncryptionAlgorithm: string
  destinationEncryptionAlgorithm: string
  sourceKeyMaterialId?: string
  destinationKeyMaterialId?: string
}

/** Decrypts under the source key and encrypts under the destination without the plaintext leaving the KMS. */
export async function reEncrypt(ctx: KmsContext, caller: Caller, input: ReEncryptInput): Promise<ReEncryptOutput> {
  const blob = requireBlob('ciphertextBlob', input.ciphertextBlob, MAX_CIPHERTEXT)
  if (input.destinationKeyId === undefined || input.destinationKeyId === null) throw missing('destinationKeyId')
  const sourceContext = inputContext(input.sourceEncryptionContext, 'sourceEncryptionContext')
  const destinationContext = inputContext(input.destinationEncryptionContext, 'destinationEncryptionContext')
  const sourceAlgorithm = optionalEnum('sourceEncryptionAlgorithm', input.sourceEncryptionAlgorithm, ENCRYPTION_ALGORITHMS) ?? 'SYMMETRIC_DEFAULT'
  const destinationAlgorithm: EncryptionAlgorithm =
    optionalEnum('destinationEncryptionAlgorithm', input.destinationEncryptionAlgorithm, ENCRYPTION_ALGORITHMS) ?? 'SYMMETRIC_DEFAULT'
  const authCaller = withGrantTokens(caller, checkGrantTokens(input.grantTokens))

  const source = await keyForCiphertext(ctx, caller, blob, input.sourceKeyId, sourceAlgorithm)
  const destination = await resolveKey(ctx.store, caller, input.destinationKeyId)
  const sameKey = source.key.region === destination.key.region && source.key.id === destination.key.id
  await authorize(ctx, authCaller, 'kms:ReEncryptFrom', source.key, {
    encryptionContext: sourceContext,
    requestAlias: source.alias,
    grantOperation: 'ReEncryptFrom',
    conditions: { 'kms:EncryptionAlgorithm': sourceAlgorithm, 'kms:ReEncryptOnSameKey': sameKey },
  })
  await authorize(ctx, authCaller, 'kms:ReEncryptTo', destination.key, {
    encryptionContext: destinationContext,
    requestAlias: destination.alias,
    grantOperation: 'ReEncryptTo',
    conditions: { 'kms:EncryptionAlgorithm': destinationAlgorithm, 'kms:ReEncryptOnSameKey': sameKey },
  })
  requireState(source.key, 'use')
  requireState(destination.key, 'use')
  checkEncryptable(source.key, 'ReEncrypt', sourceAlgorithm, undefined, sourceContext)
  checkEncryptable(destination.key, 'ReEncrypt', destinationAlgorithm, undefined, destinationContext)

  const opened = await openFrom(ctx, source, sourceAlgorithm, blob, sourceContext)
  try {
    // The RSA cap can only be checked once the plaintext's length is known.
    checkEncryptable(destination.key, 'ReEncrypt', destinationAlgorithm, opened.plaintext.length, destinationContext)
    if (input.dryRun) throw dryRunError()
    const sealed = await sealTo(ctx, destination.key, destinationAlgorithm, opened.plaintext, destinationContext)
    const out: ReEncryptOutput = {
      ciphertextBlob: sealed.blob,
      sourceKeyId: source.key.arn,
      keyId: destination.key.arn,
      sourceEncryptionAlgorithm: sourceAlgorithm,
      destinationEncryptionAlgorithm: destinationAlgorithm,
    }
    if (opened.materialId) out.sourceKeyMaterialId = opened.materialId
    if (sealed.materialId) out.destinationKeyMaterialId = sealed.materialId
    return out
  } finally {
    opened.plaintext.fill(0)
  }
}

const DATA_KEY_SPECS = ['AES_256', 'AES_128'] as const
const DATA_KEY_BYTES: Record<(typeof DATA_KEY_SPECS)[number], number> = { AES_256: 32, AES_128: 16 }

export interface GenerateDataKeyInput {
  keyId: string
  encryptionContext?: EncryptionContext
  numberOfBytes?: number
  keySpec?: string
  grantTokens?: string[]
  recipient?: unknown
  dryRun?: boolean
}

export interface GenerateDataKeyOutput {
  ciphertextBlob: Uint8Array
  plaintext: Uint8Array
  keyId: string
  keyMaterialId?: string
}

export async function generateDataKey(ctx: KmsContext, caller: Caller, input: GenerateDataKeyInput): Promise<GenerateDataKeyOutput> {
  rejectRecipient(input.recipient)
  return dataKey(ctx, caller, input, 'GenerateDataKey')
}

export async function generateDataKeyWithoutPlaintext(
  ctx: KmsContext,
  caller: Caller,
  input: Omit<GenerateDataKeyInput, 'recipient'>,
): Promise<Omit<GenerateDataKeyOutput, 'plaintext'>> {
  const { plaintext, ...rest } = await dataKey(ctx, caller, input, 'GenerateDataKeyWithoutPlaintext')
  plaintext.fill(0)
  return rest
}

async function dataKey(ctx: KmsContext, caller: Caller, input: GenerateDataKeyInput, operation: string): Promise<GenerateDataKeyOutput> {
  const size = dataKeySize(input.numberOfBytes, input.keySpec)
  const context = inputContext(input.encryptionContext)
  const tokens = checkGrantTokens(input.grantTokens)
  const { key, alias } = await resolveKey(ctx.store, caller, input.keyId)
  await authorize(ctx, withGrantTokens(caller, tokens), `kms:${operation}`, key, {
    encryptionContext: context,
    requestAlias: alias,
    grantOperation: operation,
    conditions: { 'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT' },
  })
  requireState(key, 'use')
  requireSymmetric(key, operation)
  if (input.dryRun) throw dryRunError()
  const plaintext = randomBytes(size)
  const sealed = await sealTo(ctx, key, 'SYMMETRIC_DEFAULT', plaintext, context)
  const out: GenerateDataKeyOutput = { ciphertextBlob: sealed.blob, plaintext, keyId: key.arn }
  if (sealed.materialId) out.keyMaterialId = sealed.materialId
  return out
}

/** AWS: exactly one of KeySpec (AES_256|AES_128) and NumberOfBytes (1–1024). */
function dataKeySize(numberOfBytes: unknown, keySpec: unknown): number {
  const spec = optionalEnum('keySpec', keySpec, DATA_KEY_SPECS)
  const hasBytes = numberOfBytes !== undefined && numberOfBytes !== null
  if ((spec === undefined) === !hasBytes) throw new ArcaError('Validation', 'Please specify either number of bytes or key spec.')
  return spec !== undefined ? DATA_KEY_BYTES[spec] : checkNumberOfBytes(numberOfBytes)
}

function checkNumberOfBytes(n: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new ArcaError('Validation', 'NumberOfBytes must be an integer.', { field: 'numberOfBytes' })
  if (n < 1) throw validationError('numberOfBytes', n, 'Member must have value greater than or equal to 1')
  if (n > MAX_NUMBER_OF_BYTES) throw validationError('numberOfBytes', n, `Member must have value less than or equal to ${MAX_NUMBER_OF_BYTES}`)
  return n
}

export interface GenerateRandomInput {
  numberOfBytes?: number
  customKeyStoreId?: string
  recipient?: unknown
}

export async function generateRandom(ctx: KmsContext, caller: Caller, input: GenerateRandomInput): Promise<{ plaintext: Uint8Array }> {
  if (input.numberOfBytes === undefined || input.numberOfBytes === null) throw new ArcaError('Validation', 'NumberOfBytes is required.', { field: 'numberOfBytes' })
  const n = checkNumberOfBytes(input.numberOfBytes)
  if (input.customKeyStoreId !== undefined && input.customKeyStoreId !== null)
    throw new ArcaError('UnsupportedOperation', 'Custom key stores are not supported by Arca.', { field: 'customKeyStoreId' })
  rejectRecipient(input.recipient)
  await authorize(ctx, caller, 'kms:GenerateRandom', undefined, { resource: '*' })
  return { plaintext: randomBytes(n) }
}
