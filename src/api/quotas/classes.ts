import { ArcaError } from '../../core/index.ts'

/** The operation classes that share one request quota, as AWS groups them. */
export type QuotaClass = 'kms-symmetric' | 'kms-asymmetric' | 'secrets-get' | 'ssm-get' | 'management'

export interface QuotaLimit {
  /** Requests per second, refilled continuously. */
  rate: number
  /** Requests that may arrive at once (the bucket's size). */
  burst: number
}

/**
 * AWS's default request quotas (per account and region), used when no ARCA_QUOTA_* is set:
 * - KMS "Cryptographic operations (symmetric) request rate": 5,500/s (the lowest regional value)
 * - KMS "Cryptographic operations (RSA) request rate": 500/s (ECC is 300/s; we keep one class)
 * - Secrets Manager GetSecretValue (with BatchGetSecretValue, DescribeSecret): 10,000/s
 * - SSM GetParameter / GetParameters / GetParametersByPath, standard throughput: 40/s
 * - everything else (management: CreateKey, PutParameter, CreateSecret, …): 100/s, a middle value
 *   of AWS's per-operation management quotas (5/s for CreateKey to 2,000/s for DescribeKey)
 * AWS publishes no burst sizes; we allow one second's worth.
 */
export const DEFAULT_QUOTAS: Readonly<Record<QuotaClass, QuotaLimit>> = {
  'kms-symmetric': { rate: 5500, burst: 5500 },
  'kms-asymmetric': { rate: 500, burst: 500 },
  'secrets-get': { rate: 10_000, burst: 10_000 },
  'ssm-get': { rate: 40, burst: 40 },
  management: { rate: 100, burst: 100 },
}

export const QUOTA_CLASSES = Object.keys(DEFAULT_QUOTAS) as QuotaClass[]

const KMS_SYMMETRIC = new Set(['Encrypt', 'Decrypt', 'ReEncrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'GenerateRandom', 'GenerateMac', 'VerifyMac'])
const KMS_ASYMMETRIC = new Set(['Sign', 'Verify', 'GetPublicKey', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext', 'DeriveSharedSecret'])
const SECRETS_GET = new Set(['GetSecretValue', 'BatchGetSecretValue', 'DescribeSecret'])
const SSM_GET = new Set(['GetParameter', 'GetParameters', 'GetParametersByPath'])

/** The quota an AWS operation counts against. */
export function quotaClassOf(service: string, operation: string): QuotaClass {
  if (service === 'kms') {
    if (KMS_SYMMETRIC.has(operation)) return 'kms-symmetric'
    if (KMS_ASYMMETRIC.has(operation)) return 'kms-asymmetric'
  }
  if (service === 'secretsmanager' && SECRETS_GET.has(operation)) return 'secrets-get'
  if (service === 'ssm' && SSM_GET.has(operation)) return 'ssm-get'
  return 'management'
}

/** The env name of a class's setting: `ARCA_QUOTA_KMS_SYMMETRIC`. */
export const quotaEnvName = (c: QuotaClass) => `ARCA_QUOTA_${c.toUpperCase().replace(/-/g, '_')}`

export interface QuotaSettings {
  enabled: boolean
  /** Each node enforces 1/nodes of every limit (a cluster of N nodes behind one balancer). */
  nodes: number
  limits: Record<QuotaClass, QuotaLimit>
}

/**
 * ARCA_QUOTAS=off disables; ARCA_QUOTA_<CLASS>=RATE or RATE/BURST overrides one class;
 * ARCA_QUOTA_NODES=N makes each node enforce its share.
 */
export function quotaSettings(env: Record<string, string | undefined>): QuotaSettings {
  const limits = { ...DEFAULT_QUOTAS }
  for (const c of QUOTA_CLASSES) {
    const raw = env[quotaEnvName(c)]
    if (raw === undefined) continue
    const m = /^(\d+(?:\.\d+)?)(?:\/(\d+))?$/.exec(raw.trim())
    if (!m || Number(m[1]) <= 0) throw new ArcaError('Validation', `${quotaEnvName(c)} must be RATE or RATE/BURST (requests per second, burst size), got '${raw}'`)
    const rate = Number(m[1])
    limits[c] = { rate, burst: m[2] ? Math.max(1, Number(m[2])) : Math.max(1, Math.ceil(rate)) }
  }
  const nodes = Number(env.ARCA_QUOTA_NODES ?? 1)
  if (!Number.isInteger(nodes) || nodes < 1) throw new ArcaError('Validation', `ARCA_QUOTA_NODES must be a whole number ≥ 1, got '${env.ARCA_QUOTA_NODES}'`)
  const off = (env.ARCA_QUOTAS ?? 'on').toLowerCase()
  if (off !== 'on' && off !== 'off') throw new ArcaError('Validation', `ARCA_QUOTAS must be on or off, got '${env.ARCA_QUOTAS}'`)
  return { enabled: off === 'on', nodes, limits }
}
