import { ArcaError } from '../../core/index.ts'
import type { EncryptionContext } from '../context.ts'
import { type KmsContext, authorize } from '../context-deps.ts'
import * as crypto from '../crypto/index.ts'
import type { DataKeyPairSpec, KeySpec, KeyUsage, MessageType } from '../crypto/index.ts'
import { resolveKey } from '../keys/resolve.ts'
import { requireState } from '../keys/states.ts'
import type { KeyRecord } from '../keys/record.ts'
import type { Caller } from '../types.ts'
import {
  MAX_CIPHERTEXT,
  MAX_PLAINTEXT,
  MAX_PUBLIC_KEY,
  checkGrantTokens,
  dryRunError,
  inputContext,
  materialOf,
  optionalEnum,
  rejectRecipient,
  requireBlob,
  requireEnum,
  requireListed,
  requireSymmetric,
  requireUsage,
  withGrantTokens,
} from './checks.ts'
import { sealTo } from './envelope.ts'

// botocore enums (kms 2014-11-01): what the wire may carry; whether a key offers it is the crypto table's call.
const SIGNING_ALGORITHMS = [
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
  'ECDSA_SHA_256',
  'ECDSA_SHA_384',
  'ECDSA_SHA_512',
  'SM2DSA',
  'ML_DSA_SHAKE_256',
  'ED25519_SHA_512',
  'ED25519_PH_SHA_512',
] as const
const MESSAGE_TYPES = ['RAW', 'DIGEST', 'EXTERNAL_MU'] as const
const MAC_ALGORITHMS = ['HMAC_SHA_224', 'HMAC_SHA_256', 'HMAC_SHA_384', 'HMAC_SHA_512'] as const
const KEY_PAIR_SPECS = [
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'SM2',
  'ECC_NIST_EDWARDS25519',
] as const
const KEY_AGREEMENT_ALGORITHMS = ['ECDH'] as const

const info = (key: KeyRecord) => crypto.specInfo(key.spec as KeySpec, key.usage as KeyUsage)

/** resolve → authorize → state → usage: the common front of every operation on one named key. */
async function useKey(
  ctx: KmsContext,
  caller: Caller,
  input: { keyId: string; grantTokens?: string[] },
  operation: string,
  usage: KeyUsage | undefined,
  conditions: Record<string, string | boolean | undefined> = {},
): Promise<KeyRecord> {
  const tokens = checkGrantTokens(input.grantTokens)
  const { key, alias } = await resolveKey(ctx.store, caller, input.keyId)
  await authorize(ctx, withGrantTokens(caller, tokens), `kms:${operation}`, key, { requestAlias: alias, grantOperation: operation, conditions })
  requireState(key, 'use')
  if (usage) requireUsage(key, usage, operation)
  return key
}

export interface SignInput {
  keyId: string
  message: Uint8Array
  messageType?: string
  grantTokens?: string[]
  signingAlgorithm: string
  dryRun?: boolean
}

export async function sign(ctx: KmsContext, caller: Caller, input: SignInput): Promise<{ keyId: string; signature: Uint8Array; signingAlgorithm: string }> {
  const message = requireBlob('message', input.message, MAX_PLAINTEXT)
  const messageType: MessageType = optionalEnum('messageType', input.messageType, MESSAGE_TYPES) ?? 'RAW'
  const algorithm = requireEnum('signingAlgorithm', input.signingAlgorithm, SIGNING_ALGORITHMS)
  const key = await useKey(ctx, caller, input, 'Sign', 'SIGN_VERIFY', { 'kms:SigningAlgorithm': algorithm, 'kms:MessageType': messageType })
  requireListed(key, algorithm, info(key).signingAlgorithms)
  if (input.dryRun) throw dryRunError()
  const signature = crypto.sign(key.spec as KeySpec, await materialOf(ctx, key), algorithm, message, messageType)
  return { keyId: key.arn, signature, signingAlgorithm: algorithm }
}

export interface VerifyInput extends SignInput {
  signature: Uint8Array
}

/** A signature that does not verify is KMSInvalidSignatureException, never `signatureValid: false` (AWS). */
export async function verify(ctx: KmsContext, caller: Caller, input: VerifyInput): Promise<{ keyId: string; signatureValid: true; signingAlgorithm: string }> {
  const message = requireBlob('message', input.message, MAX_PLAINTEXT)
  const signature = requireBlob('signature', input.signature, MAX_CIPHERTEXT)
  const messageType: MessageType = optionalEnum('messageType', input.messageType, MESSAGE_TYPES) ?? 'RAW'
  const algorithm = requireEnum('signingAlgorithm', input.signingAlgorithm, SIGNING_ALGORITHMS)
  const key = await useKey(ctx, caller, input, 'Verify', 'SIGN_VERIFY', { 'kms:SigningAlgorithm': algorithm, 'kms:MessageType': messageType })
  requireListed(key, algorithm, info(key).signingAlgorithms)
  if (input.dryRun) throw dryRunError()
  if (!crypto.verify(key.spec as KeySpec, await materialOf(ctx, key), algorithm, message, messageType, signature))
    throw new ArcaError('KmsInvalidSignature', '')
  return { keyId: key.arn, signatureValid: true, signingAlgorithm: algorithm }
}

export interface GenerateMacInput {
  keyId: string
  message: Uint8Array
  macAlgorithm: string
  grantTokens?: string[]
  dryRun?: boolean
}

export async function generateMac(ctx: KmsContext, caller: Caller, input: GenerateMacInput): Promise<{ mac: Uint8Array; macAlgorithm: string; keyId: string }> {
  const message = requireBlob('message', input.message, MAX_PLAINTEXT)
  const algorithm = requireEnum('macAlgorithm', input.macAlgorithm, MAC_ALGORITHMS)
  const key = await useKey(ctx, caller, input, 'GenerateMac', 'GENERATE_VERIFY_MAC', { 'kms:MacAlgorithm': algorithm })
  requireListed(key, algorithm, info(key).macAlgorithms)
  if (input.dryRun) throw dryRunError()
  const mac = crypto.generateMac(key.spec as KeySpec, await materialOf(ctx, key), algorithm, message)
  return { mac, macAlgorithm: algorithm, keyId: key.arn }
}

/** A MAC that does not verify is KMSInvalidMacException, never `macValid: false` (AWS). */
export async function verifyMac(
  ctx: KmsContext,
  caller: Caller,
  input: GenerateMacInput & { mac: Uint8Array },
): Promise<{ keyId: string; macValid: true; macAlgorithm: string }> {
  const message = requireBlob('message', input.message, MAX_PLAINTEXT)
  const mac = requireBlob('mac', input.mac, MAX_CIPHERTEXT)
  const algorithm = requireEnum('macAlgorithm', input.macAlgorithm, MAC_ALGORITHMS)
  const key = await useKey(ctx, caller, input, 'VerifyMac', 'GENERATE_VERIFY_MAC', { 'kms:MacAlgorithm': algorithm })
  requireListed(key, algorithm, info(key).macAlgorithms)
  if (input.dryRun) throw dryRunError()
  if (!crypto.verifyMac(key.spec as KeySpec, await materialOf(ctx, key), algorithm, message, mac)) throw new ArcaError('KmsInvalidMac', '')
  return { keyId: key.arn, macValid: true, macAlgorithm: algorithm }
}

export interface GetPublicKeyOutput {
  keyId: string
  publicKey: Uint8Array
  customerMasterKeySpec: string
  keySpec: string
  keyUsage: string
  encryptionAlgorithms?: string[]
  signingAlgorithms?: string[]
  keyAgreementAlgorithms?: string[]
}

export async function getPublicKey(ctx: KmsContext, caller: Caller, input: { keyId: string; grantTokens?: string[] }): Promise<GetPublicKeyOutput> {
  const key = await useKey(ctx, caller, input, 'GetPublicKey', undefined)
  if (key.spec === 'SYMMETRIC_DEFAULT' || key.spec.startsWith('HMAC_'))
    throw new ArcaError('UnsupportedOperation', `${key.arn} key spec is ${key.spec} which is not valid for GetPublicKey: it is not an asymmetric KMS key.`)
  const out: GetPublicKeyOutput = {
    keyId: key.arn,
    publicKey: crypto.publicKeyDer(key.spec as KeySpec, await materialOf(ctx, key)),
    customerMasterKeySpec: key.spec,
    keySpec: key.spec,
    keyUsage: key.usage,
  }
  const algs = info(key)
  if (algs.encryptionAlgorithms) out.encryptionAlgorithms = algs.encryptionAlgorithms
  if (algs.signingAlgorithms) out.signingAlgorithms = algs.signingAlgorithms
  if (algs.keyAgreementAlgorithms) out.keyAgreementAlgorithms = algs.keyAgreementAlgorithms
  return out
}

export interface GenerateDataKeyPairInput {
  keyId: string
  keyPairSpec: string
  encryptionContext?: EncryptionContext
  grantTokens?: string[]
  recipient?: unknown
  dryRun?: boolean
}

export interface GenerateDataKeyPairOutput {
  privateKeyCiphertextBlob: Uint8Array
  privateKeyPlaintext: Uint8Array
  publicKey: Uint8Array
  keyId: string
  keyPairSpec: string
  keyMaterialId?: string
}

export async function generateDataKeyPair(ctx: KmsContext, caller: Caller, input: GenerateDataKeyPairInput): Promise<GenerateDataKeyPairOutput> {
  rejectRecipient(input.recipient)
  return dataKeyPair(ctx, caller, input, 'GenerateDataKeyPair')
}

export async function generateDataKeyPairWithoutPlaintext(
  ctx: KmsContext,
  caller: Caller,
  input: Omit<GenerateDataKeyPairInput, 'recipient'>,
): Promise<Omit<GenerateDataKeyPairOutput, 'privateKeyPlaintext'>> {
  const { privateKeyPlaintext, ...rest } = await dataKeyPair(ctx, caller, input, 'GenerateDataKeyPairWithoutPlaintext')
  privateKeyPlaintext.fill(0)
  return rest
}

async function dataKeyPair(ctx: KmsContext, caller: Caller, input: GenerateDataKeyPairInput, operation: string): Promise<GenerateDataKeyPairOutput> {
  const spec = requireEnum('keyPairSpec', input.keyPairSpec, KEY_PAIR_SPECS)
  if (spec === 'SM2') throw new ArcaError('UnsupportedOperation', 'KeyPairSpec SM2 is supported only in China Regions.', { field: 'keyPairSpec' })
  const context = inputContext(input.encryptionContext)
  const tokens = checkGrantTokens(input.grantTokens)
  const { key, alias } = await resolveKey(ctx.store, caller, input.keyId)
  await authorize(ctx, withGrantTokens(caller, tokens), `kms:${operation}`, key, {
    encryptionContext: context,
    requestAlias: alias,
    grantOperation: operation,
    conditions: { 'kms:DataKeyPairSpec': spec, 'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT' },
  })
  requireState(key, 'use')
  requireSymmetric(key, operation)
  if (input.dryRun) throw dryRunError()
  const pair = crypto.generateDataKeyPair(spec as DataKeyPairSpec)
  try {
    const sealed = await sealTo(ctx, key, 'SYMMETRIC_DEFAULT', pair.privateKey, context)
    const out: GenerateDataKeyPairOutput = {
      privateKeyCiphertextBlob: sealed.blob,
      privateKeyPlaintext: pair.privateKey,
      publicKey: pair.publicKey,
      keyId: key.arn,
      keyPairSpec: spec,
    }
    if (sealed.materialId) out.keyMaterialId = sealed.materialId
    return out
  } catch (e) {
    pair.privateKey.fill(0)
    throw e
  }
}

export interface DeriveSharedSecretInput {
  keyId: string
  keyAgreementAlgorithm: string
  publicKey: Uint8Array
  grantTokens?: string[]
  recipient?: unknown
  dryRun?: boolean
}

export async function deriveSharedSecret(
  ctx: KmsContext,
  caller: Caller,
  input: DeriveSharedSecretInput,
): Promise<{ keyId: string; sharedSecret: Uint8Array; keyAgreementAlgorithm: string; keyOrigin: string }> {
  const algorithm = requireEnum('keyAgreementAlgorithm', input.keyAgreementAlgorithm, KEY_AGREEMENT_ALGORITHMS)
  const peer = requireBlob('publicKey', input.publicKey, MAX_PUBLIC_KEY)
  rejectRecipient(input.recipient)
  const key = await useKey(ctx, caller, input, 'DeriveSharedSecret', 'KEY_AGREEMENT', { 'kms:KeyAgreementAlgorithm': algorithm })
  requireListed(key, algorithm, info(key).keyAgreementAlgorithms)
  if (input.dryRun) throw dryRunError()
  const sharedSecret = crypto.deriveSharedSecret(key.spec as KeySpec, await materialOf(ctx, key), algorithm, peer)
  return { keyId: key.arn, sharedSecret, keyAgreementAlgorithm: algorithm, keyOrigin: key.origin }
}
