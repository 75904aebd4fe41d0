import type { EncryptionContext } from './context.ts'

/** Who is asking, as every KMS operation sees it. Built by the API face or by a service. */
export interface Caller {
  /** The caller's own account (12 digits). */
  account: string
  /** `arn:aws:iam::{account}:user/{name}`, `…:role/{name}` or `…:root`. */
  principalArn: string
  /** The region the request addresses (the SigV4 scope region): resources live there. */
  region: string
  /** Set when a service calls on the caller's behalf, e.g. `ssm.us-east-1.amazonaws.com`. */
  viaService?: string
  sourceIp?: string
  userAgent?: string
  accessKeyId?: string
  grantTokens?: string[]
  /** Tags on the calling principal, for `aws:PrincipalTag/<k>`. */
  principalTags?: Record<string, string>
  secureTransport?: boolean
  /** The account's administrator: treated as holding an identity policy that allows everything. */
  admin?: boolean
  /** The caller's identity policy documents (JSON text), cached with its access key. */
  policies?: readonly string[]
}

/** A grant on a key, as the authorizer sees it (kms/grants owns storage). */
export interface Grant {
  grantId: string
  /** The key's id and region; grants belong to one key. */
  keyId: string
  region: string
  /** The key's account (the issuing account). */
  account: string
  name?: string
  granteePrincipal: string
  retiringPrincipal?: string
  /** Operation names as AWS spells them: `Decrypt`, `GenerateDataKey`, … */
  operations: string[]
  constraints?: {
    encryptionContextSubset?: Record<string, string>
    encryptionContextEquals?: Record<string, string>
  }
  creationDate: number
}

export type KeyState =
  | 'Creating'
  | 'Enabled'
  | 'Disabled'
  | 'PendingDeletion'
  | 'PendingImport'
  | 'PendingReplicaDeletion'
  | 'Unavailable'
  | 'Updating'

export type Origin = 'AWS_KMS' | 'EXTERNAL' | 'AWS_CLOUDHSM' | 'EXTERNAL_KEY_STORE'

export interface Tag {
  tagKey: string
  tagValue: string
}

export interface MultiRegionKey {
  arn: string
  region: string
}

export interface KeyMetadata {
  awsAccountId: string
  keyId: string
  arn: string
  creationDate: Date
  enabled: boolean
  description: string
  keyUsage: string
  keyState: KeyState
  deletionDate?: Date
  validTo?: Date
  origin: Origin
  expirationModel?: string
  keyManager: 'CUSTOMER' | 'AWS'
  customerMasterKeySpec: string
  keySpec: string
  encryptionAlgorithms?: string[]
  signingAlgorithms?: string[]
  macAlgorithms?: string[]
  keyAgreementAlgorithms?: string[]
  multiRegion: boolean
  multiRegionConfiguration?: {
    multiRegionKeyType: 'PRIMARY' | 'REPLICA'
    primaryKey: MultiRegionKey
    replicaKeys: MultiRegionKey[]
  }
  pendingDeletionWindowInDays?: number
  currentKeyMaterialId?: string
}

export interface Paged {
  limit?: number
  marker?: string
}

export interface PageOut {
  nextMarker?: string
  truncated: boolean
}

export type { EncryptionContext }
