import { createCipheriv, createDecipheriv } from 'node:crypto'
import { ArcaError, type Clock, accountRootArn, isArcaError, randomBytes, toHex } from '../../core/index.ts'
import { type Caller, type Kms, TtlCache } from '../../kms/index.ts'
import { DATA_KEY_CACHE_ENTRIES, DATA_KEY_CACHE_TTL_MS } from './limits.ts'
import type { Scope } from './names.ts'

/**
 * Envelope encryption of every stored value (DESIGN.md "Parameters"):
 *
 * - each version gets its own 256-bit data key from the KMS core (GenerateDataKey, encryption
 *   context `{"PARAMETER_ARN": arn}`); its KMS ciphertext is stored beside the value;
 * - the value is AES-256-GCM under that key, stored as `01 | IV (12) | ciphertext | tag (16)`,
 *   with AAD `arca:ssm:v1 \0 arn \0 version`: a value moved to another row or version fails;
 * - SecureString: the data key comes from the parameter's KeyId (default `alias/aws/ssm`) and
 *   is generated and decrypted as the caller, with `kms:ViaService = ssm.<region>.amazonaws.com`,
 *   so key policies, grants and kms:Decrypt apply on every read — such data keys are never cached;
 * - String/StringList: the account's service key `alias/aws/ssm`, used by the service itself (the
 *   account's root as a system caller via ssm), so no user needs kms:Decrypt to read them; their
 *   unwrapped data keys are cached (bounded count and age, zeroed on eviction) per ARN, version
 *   and wrapped blob, since reading them needs no per-caller decision.
 *
 * SecureString read without WithDecryption: AWS returns the KMS ciphertext as base64; Arca returns
 * base64 of its envelope `02 | u16 BE data-key length | data-key ciphertext | sealed value`.
 */
const VALUE_FORMAT = 0x01
const ENVELOPE_FORMAT = 0x02
const IV_LENGTH = 12
const TAG_LENGTH = 16
const AAD_PREFIX = 'arca:ssm:v1'

export const ssmViaService = (region: string) => `ssm.${region}.amazonaws.com`

/** The service acting for an account (String/StringList values): not any user's permissions. */
export function serviceCaller(scope: Scope): Caller {
  return { account: scope.account, region: scope.region, principalArn: accountRootArn(scope.account), admin: true, viaService: ssmViaService(scope.region) }
}

const onBehalfOf = (caller: Caller): Caller => ({ ...caller, viaService: ssmViaService(caller.region) })

export interface DataKey {
  /** The KMS ciphertext of the key, stored with the version. */
  blob: Uint8Array
  plaintext: Uint8Array
}

export interface StoredValue {
  type: string
  data_key: Uint8Array
  value: Uint8Array
}

export type CipherKms = Pick<Kms, 'generateDataKey' | 'decrypt' | 'awsManagedKey'>

/** KMS refusals that mean "this KeyId is no good", which SSM reports as InvalidKeyId. */
const KEY_PROBLEMS = new Set(['NotFound', 'Disabled', 'InvalidState', 'InvalidArn', 'InvalidAliasName', 'InvalidKeyUsage', 'Validation', 'InvalidCiphertext', 'IncorrectKey'])

function asKeyError(e: unknown, keyId: string | undefined): unknown {
  if (isArcaError(e) && KEY_PROBLEMS.has(e.code)) return new ArcaError('InvalidKeyId', keyId ? `The KMS key ${keyId} can't be used: ${e.message}` : `The KMS key can't be used: ${e.message}`, { cause: e })
  return e
}

function aad(arn: string, version: number): Buffer {
  return Buffer.from(`${AAD_PREFIX}\0${arn}\0${version}`, 'utf8')
}

export function isManagedKeyId(scope: Scope, keyId: string): boolean {
  return keyId === 'alias/aws/ssm' || keyId === `arn:aws:kms:${scope.region}:${scope.account}:alias/aws/ssm`
}

export class ValueCipher {
  private readonly cache: TtlCache<Uint8Array>

  constructor(
    private readonly kms: CipherKms,
    clock: Clock,
    opts: { ttlMs?: number; maxEntries?: number } = {},
  ) {
    this.cache = new TtlCache(clock, opts.ttlMs ?? DATA_KEY_CACHE_TTL_MS, opts.maxEntries ?? DATA_KEY_CACHE_ENTRIES, (k) => k.fill(0))
  }

  /** A new data key: SecureString under `keyId` as the caller; otherwise the service key. */
  async newDataKey(caller: Caller, arn: string, secure: { keyId: string } | undefined): Promise<DataKey> {
    const context = { PARAMETER_ARN: arn }
    try {
      if (secure) {
        if (isManagedKeyId(caller, secure.keyId)) await this.kms.awsManagedKey(caller, 'ssm')
        const out = await this.kms.generateDataKey(onBehalfOf(caller), { keyId: secure.keyId, keySpec: 'AES_256', encryptionContext: context })
        return { blob: out.ciphertextBlob, plaintext: out.plaintext }
      }
      const managed = await this.kms.awsManagedKey(caller, 'ssm')
      const out = await this.kms.generateDataKey(serviceCaller(caller), { keyId: managed.arn, keySpec: 'AES_256', encryptionContext: context })
      return { blob: out.ciphertextBlob, plaintext: out.plaintext }
    } catch (e) {
      throw asKeyError(e, secure?.keyId)
    }
  }

  /** Seals `value` for this ARN and version under the data key (which the caller zeroes). */
  seal(key: Uint8Array, arn: string, version: number, value: string): Uint8Array {
    const iv = randomBytes(IV_LENGTH)
    const plain = Buffer.from(value, 'utf8')
    const out = new Uint8Array(1 + IV_LENGTH + plain.length + TAG_LENGTH)
    out[0] = VALUE_FORMAT
    out.set(iv, 1)
    const cipher = createCipheriv('aes-256-gcm', key, iv)
    cipher.setAAD(aad(arn, version))
    const body = cipher.update(plain)
    out.set(body, 1 + IV_LENGTH)
    cipher.final()
    out.set(cipher.getAuthTag(), 1 + IV_LENGTH + plain.length)
    body.fill(0)
    plain.fill(0)
    return out
  }

  /**
   * The plaintext of a stored version. SecureString: decrypted through the KMS core as the caller
   * (its kms:Decrypt is checked on every call); String/StringList: the cached service data key.
   */
  async open(caller: Caller, arn: string, version: number, row: StoredValue): Promise<string> {
    if (row.type === 'SecureString') {
      const key = await this.unwrap(onBehalfOf(caller), arn, row.data_key)
      try {
        return unseal(key, arn, version, row.value)
      } finally {
        key.fill(0)
      }
    }
    const id = `${arn}\0${version}\0${toHex(row.data_key.subarray(row.data_key.length - TAG_LENGTH))}`
    let key = this.cache.get(id)
    if (key === undefined) {
      key = await this.unwrap(serviceCaller(caller), arn, row.data_key)
      this.cache.set(id, key)
    }
    return unseal(key, arn, version, row.value)
  }

  /** What a SecureString read without WithDecryption returns: base64 of the stored envelope. */
  envelope(row: StoredValue): string {
    const out = Buffer.alloc(3 + row.data_key.length + row.value.length)
    out[0] = ENVELOPE_FORMAT
    out.writeUInt16BE(row.data_key.length, 1)
    out.set(row.data_key, 3)
    out.set(row.value, 3 + row.data_key.length)
    return out.toString('base64')
  }

  /** Drops the cached data keys of one parameter (all versions), e.g. when it is deleted. */
  forget(arn: string): void {
    const prefix = `${arn}\0`
    this.cache.deleteWhere((k) => k.startsWith(prefix))
  }

  clear(): void {
    this.cache.clear()
  }

  get cachedKeys(): number {
    return this.cache.size
  }

  private async unwrap(caller: Caller, arn: string, blob: Uint8Array): Promise<Uint8Array> {
    try {
      const out = await this.kms.decrypt(caller, { ciphertextBlob: blob, encryptionContext: { PARAMETER_ARN: arn } })
      return out.plaintext
    } catch (e) {
      throw asKeyError(e, undefined)
    }
  }
}

function unseal(key: Uint8Array, arn: string, version: number, sealed: Uint8Array): string {
  if (sealed.length < 1 + IV_LENGTH + TAG_LENGTH || sealed[0] !== VALUE_FORMAT) throw new ArcaError('Internal', 'a stored parameter value is malformed')
  const iv = sealed.subarray(1, 1 + IV_LENGTH)
  const tag = sealed.subarray(sealed.length - TAG_LENGTH)
  try {
    const d = createDecipheriv('aes-256-gcm', key, iv)
    d.setAAD(aad(arn, version))
    d.setAuthTag(tag)
    const a = d.update(sealed.subarray(1 + IV_LENGTH, sealed.length - TAG_LENGTH))
    const b = d.final()
    const text = b.length ? Buffer.concat([a, b]).toString('utf8') : a.toString('utf8')
    a.fill(0)
    return text
  } catch (e) {
    throw new ArcaError('Internal', 'a stored parameter value failed its integrity check', { cause: e })
  }
}
