import { createCipheriv, createDecipheriv } from 'node:crypto'
import { ArcaError, isArcaError, randomBytes } from '../../core/index.ts'
import type { Caller, Kms } from '../../kms/index.ts'
import type { SecretValue } from './value.ts'

/**
 * Each version's value is sealed with AES-256-GCM under its own data key from the KMS core
 * (GenerateDataKey AES_256 under the secret's key, encryption context {SecretARN, SecretVersionId},
 * as AWS). The AAD binds the ciphertext to the secret's ARN and the version id, so a blob
 * moved to another row or secret fails to open. Data keys are wiped after use.
 *
 * Stored value layout: IV (12) | ciphertext | tag (16).
 */
export type SecretsKms = Pick<Kms, 'generateDataKey' | 'decrypt' | 'awsManagedKey'>

const IV_LENGTH = 12
const TAG_LENGTH = 16
const AAD_PREFIX = 'arca:secret-value:v1'

export interface SealedVersion {
  dataKey: Uint8Array
  value: Uint8Array
  kmsKeyArn: string
  defaultKey: boolean
}

export interface SecretRef {
  arn: string
  account: string
  region: string
  /** As stored: NULL = the account's alias/aws/secretsmanager key. */
  kmsKeyId: string | null
}

/** The caller as Secrets Manager acts for it with KMS (`kms:ViaService`). */
export function viaSecretsManager(caller: Caller, region: string): Caller {
  return { ...caller, viaService: `secretsmanager.${region}.amazonaws.com` }
}

function aad(arn: string, versionId: string): Uint8Array {
  return new TextEncoder().encode(`${AAD_PREFIX}\0${arn}\0${versionId}`)
}

const context = (arn: string, versionId: string) => ({ SecretARN: arn, SecretVersionId: versionId })

/** KMS trouble as Secrets Manager reports it: AccessDenied stays, everything else is Encryption/DecryptionFailure. */
function kmsFailure(e: unknown, code: 'EncryptionFailure' | 'DecryptionFailure'): ArcaError {
  if (isArcaError(e) && (e.code === 'AccessDenied' || e.code === 'NotAuthorized'))
    return new ArcaError('AccessDenied', `Access to KMS is not allowed. ${e.message}`, { cause: e })
  if (isArcaError(e) && e.code === 'Sealed') return e
  const what = code === 'EncryptionFailure' ? 'encrypt' : 'decrypt'
  const detail = isArcaError(e) && e.message ? ` KMS said: ${e.message}` : ''
  return new ArcaError(code, `Secrets Manager can't ${what} the protected secret text using the provided KMS key.${detail}`, { cause: e })
}

export async function sealVersion(kms: SecretsKms, caller: Caller, secret: SecretRef, versionId: string, value: SecretValue): Promise<SealedVersion> {
  const via = viaSecretsManager(caller, secret.region)
  let keyId = secret.kmsKeyId
  let key: Awaited<ReturnType<SecretsKms['generateDataKey']>>
  try {
    if (keyId === null) keyId = (await kms.awsManagedKey({ account: secret.account, region: secret.region }, 'secretsmanager')).arn
    key = await kms.generateDataKey(via, { keyId, keySpec: 'AES_256', encryptionContext: context(secret.arn, versionId) })
  } catch (e) {
    throw kmsFailure(e, 'EncryptionFailure')
  }
  try {
    const iv = randomBytes(IV_LENGTH)
    const cipher = createCipheriv('aes-256-gcm', key.plaintext, iv)
    cipher.setAAD(aad(secret.arn, versionId))
    const body = cipher.update(value.bytes)
    cipher.final()
    const out = new Uint8Array(IV_LENGTH + body.length + TAG_LENGTH)
    out.set(iv, 0)
    out.set(body, IV_LENGTH)
    out.set(cipher.getAuthTag(), IV_LENGTH + body.length)
    body.fill(0)
    return { dataKey: key.ciphertextBlob, value: out, kmsKeyArn: key.keyId, defaultKey: secret.kmsKeyId === null }
  } finally {
    key.plaintext.fill(0)
  }
}

export interface StoredVersion {
  versionId: string
  kind: 'string' | 'binary'
  dataKey: Uint8Array
  value: Uint8Array
}

/** Opens a stored version; the caller's kms:Decrypt on the key applies (via Secrets Manager). */
export async function openVersion(kms: SecretsKms, caller: Caller, secret: Pick<SecretRef, 'arn' | 'region'>, v: StoredVersion): Promise<SecretValue> {
  let key: Uint8Array
  try {
    key = (await kms.decrypt(viaSecretsManager(caller, secret.region), { ciphertextBlob: v.dataKey, encryptionContext: context(secret.arn, v.versionId) })).plaintext
  } catch (e) {
    throw kmsFailure(e, 'DecryptionFailure')
  }
  try {
    if (v.value.length < IV_LENGTH + TAG_LENGTH || key.length !== 32) throw new Error('malformed stored value')
    const decipher = createDecipheriv('aes-256-gcm', key, v.value.subarray(0, IV_LENGTH))
    decipher.setAAD(aad(secret.arn, v.versionId))
    decipher.setAuthTag(v.value.subarray(v.value.length - TAG_LENGTH))
    const head = decipher.update(v.value.subarray(IV_LENGTH, v.value.length - TAG_LENGTH))
    decipher.final()
    const bytes = new Uint8Array(head.length)
    bytes.set(head)
    head.fill(0)
    return { kind: v.kind, bytes }
  } catch (e) {
    throw new ArcaError('DecryptionFailure', "Secrets Manager can't decrypt the protected secret text: the stored value does not belong to this secret version.", { cause: e })
  } finally {
    key.fill(0)
  }
}
