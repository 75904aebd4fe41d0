import { ArcaError } from '../../core/index.ts'

// The tables below follow the AWS KMS Developer Guide ("Key spec reference") and the
// KeySpec / KeyUsageType / *AlgorithmSpec enums of botocore's kms/2014-11-01 model.
// SM2 (China Regions only) is deliberately absent.

export type KeySpec =
  | 'SYMMETRIC_DEFAULT'
  | 'HMAC_224'
  | 'HMAC_256'
  | 'HMAC_384'
  | 'HMAC_512'
  | 'RSA_2048'
  | 'RSA_3072'
  | 'RSA_4096'
  | 'ECC_NIST_P256'
  | 'ECC_NIST_P384'
  | 'ECC_NIST_P521'
  | 'ECC_SECG_P256K1'
  | 'ECC_NIST_EDWARDS25519'
  | 'ML_DSA_44'
  | 'ML_DSA_65'
  | 'ML_DSA_87'

export type KeyUsage = 'ENCRYPT_DECRYPT' | 'SIGN_VERIFY' | 'GENERATE_VERIFY_MAC' | 'KEY_AGREEMENT'

export type DataKeyPairSpec =
  | 'RSA_2048'
  | 'RSA_3072'
  | 'RSA_4096'
  | 'ECC_NIST_P256'
  | 'ECC_NIST_P384'
  | 'ECC_NIST_P521'
  | 'ECC_SECG_P256K1'
  | 'ECC_NIST_EDWARDS25519'

export type MessageType = 'RAW' | 'DIGEST' | 'EXTERNAL_MU'

export type RsaSpec = 'RSA_2048' | 'RSA_3072' | 'RSA_4096'
export type EcdsaSpec = 'ECC_NIST_P256' | 'ECC_NIST_P384' | 'ECC_NIST_P521' | 'ECC_SECG_P256K1'
export type MlDsaSpec = 'ML_DSA_44' | 'ML_DSA_65' | 'ML_DSA_87'
export type HmacSpec = 'HMAC_224' | 'HMAC_256' | 'HMAC_384' | 'HMAC_512'

export type Family = 'symmetric' | 'hmac' | 'rsa' | 'ecdsa' | 'eddsa' | 'mldsa'

export interface SpecInfo {
  spec: KeySpec
  /** Every KeyUsage AWS accepts for this spec. */
  usages: KeyUsage[]
  encryptionAlgorithms?: string[]
  signingAlgorithms?: string[]
  macAlgorithms?: string[]
  keyAgreementAlgorithms?: string[]
}

interface Row {
  family: Family
  usages: KeyUsage[]
  encryption?: string[]
  signing?: string[]
  mac?: string[]
  keyAgreement?: string[]
}

const RSA_ENCRYPTION = ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256']
const RSA_SIGNING = [
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
]
const rsa: Row = { family: 'rsa', usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'], encryption: RSA_ENCRYPTION, signing: RSA_SIGNING }
const nist = (alg: string): Row => ({ family: 'ecdsa', usages: ['SIGN_VERIFY', 'KEY_AGREEMENT'], signing: [alg], keyAgreement: ['ECDH'] })
const hmac = (alg: string): Row => ({ family: 'hmac', usages: ['GENERATE_VERIFY_MAC'], mac: [alg] })
const mldsa: Row = { family: 'mldsa', usages: ['SIGN_VERIFY'], signing: ['ML_DSA_SHAKE_256'] }

const TABLE: Record<KeySpec, Row> = {
  SYMMETRIC_DEFAULT: { family: 'symmetric', usages: ['ENCRYPT_DECRYPT'], encryption: ['SYMMETRIC_DEFAULT'] },
  HMAC_224: hmac('HMAC_SHA_224'),
  HMAC_256: hmac('HMAC_SHA_256'),
  HMAC_384: hmac('HMAC_SHA_384'),
  HMAC_512: hmac('HMAC_SHA_512'),
  RSA_2048: rsa,
  RSA_3072: rsa,
  RSA_4096: rsa,
  ECC_NIST_P256: nist('ECDSA_SHA_256'),
  ECC_NIST_P384: nist('ECDSA_SHA_384'),
  ECC_NIST_P521: nist('ECDSA_SHA_512'),
  ECC_SECG_P256K1: { family: 'ecdsa', usages: ['SIGN_VERIFY'], signing: ['ECDSA_SHA_256'] },
  ECC_NIST_EDWARDS25519: { family: 'eddsa', usages: ['SIGN_VERIFY'], signing: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'] },
  ML_DSA_44: mldsa,
  ML_DSA_65: mldsa,
  ML_DSA_87: mldsa,
}

/** Every key spec Arca supports, in botocore's order minus SM2. */
export const KEY_SPECS: readonly KeySpec[] = Object.freeze(Object.keys(TABLE) as KeySpec[])

export const DATA_KEY_PAIR_SPECS: readonly DataKeyPairSpec[] = Object.freeze([
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'ECC_NIST_EDWARDS25519',
] as const)

function row(spec: KeySpec): Row {
  const r = Object.hasOwn(TABLE, spec) ? TABLE[spec] : undefined
  if (r === undefined) throw new ArcaError('UnsupportedOperation', `KeySpec ${String(spec)} is not supported.`)
  return r
}

export function familyOf(spec: KeySpec): Family {
  return row(spec).family
}

export function isValidCombination(spec: KeySpec, usage: KeyUsage): boolean {
  const r = Object.hasOwn(TABLE, spec) ? TABLE[spec] : undefined
  return r !== undefined && r.usages.includes(usage)
}

export function specInfo(spec: KeySpec, usage: KeyUsage): SpecInfo {
  const r = row(spec)
  // AWS: CreateKey "KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048"
  if (!r.usages.includes(usage)) throw new ArcaError('Validation', `KeyUsage ${usage} is not compatible with KeySpec ${spec}`, { field: 'KeyUsage' })
  const info: SpecInfo = { spec, usages: [...r.usages] }
  if (usage === 'ENCRYPT_DECRYPT') info.encryptionAlgorithms = [...(r.encryption ?? [])]
  if (usage === 'SIGN_VERIFY') info.signingAlgorithms = [...(r.signing ?? [])]
  if (usage === 'GENERATE_VERIFY_MAC') info.macAlgorithms = [...(r.mac ?? [])]
  if (usage === 'KEY_AGREEMENT') info.keyAgreementAlgorithms = [...(r.keyAgreement ?? [])]
  return info
}

type AlgorithmKind = 'encryption' | 'signing' | 'mac' | 'keyAgreement'

/** Throws AWS's InvalidKeyUsageException unless `algorithm` is one the spec offers for that kind of operation. */
export function requireAlgorithm(spec: KeySpec, kind: AlgorithmKind, algorithm: string): void {
  const allowed = row(spec)[kind] ?? []
  // AWS: "Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224."
  if (!allowed.includes(algorithm)) throw new ArcaError('InvalidKeyUsage', `Algorithm ${String(algorithm)} is incompatible with key spec ${spec}.`)
}

// AWS: HMAC KMS keys are generated with a key of the hash's output length; imported HMAC
// material may be from that length up to the hash's block size (KMS Developer Guide, "Importing key material").
export const HMAC_KEY_BYTES: Record<HmacSpec, { generated: number; minImport: number; maxImport: number }> = {
  HMAC_224: { generated: 28, minImport: 28, maxImport: 64 },
  HMAC_256: { generated: 32, minImport: 32, maxImport: 64 },
  HMAC_384: { generated: 48, minImport: 48, maxImport: 128 },
  HMAC_512: { generated: 64, minImport: 64, maxImport: 128 },
}

// AWS: SYMMETRIC_DEFAULT is AES-256-GCM, so its material is a 256-bit key.
export const SYMMETRIC_KEY_BYTES = 32

// FIPS 204 §7.2 / AWS Sign: EXTERNAL_MU messages are the 64-byte representative μ.
export const EXTERNAL_MU_BYTES = 64
