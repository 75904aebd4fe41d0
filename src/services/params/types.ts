import type { Kysely } from 'kysely'
import type { Clock } from '../../core/index.ts'
import type { Caller } from '../../kms/index.ts'
import type { Schema } from '../../store/index.ts'
import type { Authorize, EventSink } from '../shared/index.ts'
import type { CipherKms, ValueCipher } from './cipher.ts'

export type ParameterType = 'String' | 'StringList' | 'SecureString'
export type ParameterTier = 'Standard' | 'Advanced' | 'Intelligent-Tiering'

/** A Secrets Manager secret as `/aws/reference/secretsmanager/<id>` returns it. */
export interface ReferencedSecret {
  arn: string
  name: string
  /** SecretString, or SecretBinary as base64. */
  value: string
  versionId: string
  createdDate: number
  /** DescribeSecret's answer as JSON text (GetParameter's SourceResult). */
  sourceResult?: string
}

/**
 * The seam to Secrets Manager: GetSecretValue on the caller's behalf (its own authorization),
 * undefined when there is no such secret or version. Absent until secrets exist.
 */
export type ReferenceResolver = (caller: Caller, ref: { secretId: string; versionId?: string; versionStage?: string }) => Promise<ReferencedSecret | undefined>

export interface ParamsDeps {
  db: Kysely<Schema>
  kms: CipherKms
  clock: Clock
  authorize: Authorize
  events: EventSink
  referenceResolver?: ReferenceResolver
  /** The cache of unwrapped String/StringList data keys. */
  cache?: { ttlMs?: number; maxEntries?: number }
}

/** What every operation module works with. */
export interface ParamsContext {
  db: Kysely<Schema>
  cipher: ValueCipher
  clock: Clock
  authorize: Authorize
  events: EventSink
  referenceResolver?: ReferenceResolver
}

export interface Tag {
  key: string
  value: string
}

export interface PolicyOut {
  policyText: string
  policyType: string
  policyStatus: string
}

/** A parameter as the read operations return it (AWS `Parameter`, camelCase; dates epoch ms). */
export interface ParameterOut {
  name: string
  type: string
  value: string
  version: number
  selector?: string
  sourceResult?: string
  lastModifiedDate: number
  arn: string
  dataType: string
}

export interface ParameterHistoryOut {
  name: string
  type: string
  keyId?: string
  lastModifiedDate: number
  lastModifiedUser: string
  description?: string
  value: string
  allowedPattern?: string
  version: number
  labels: string[]
  tier: string
  policies: PolicyOut[]
  dataType: string
}

export interface ParameterMetadataOut {
  name: string
  arn: string
  type: string
  keyId?: string
  lastModifiedDate: number
  lastModifiedUser: string
  description?: string
  allowedPattern?: string
  version: number
  tier: string
  policies: PolicyOut[]
  dataType: string
}

export interface StringFilter {
  key: string
  option?: string
  values?: string[]
}

export interface PutParameterInput {
  name: string
  value: string
  type?: string
  description?: string
  keyId?: string
  overwrite?: boolean
  allowedPattern?: string
  tags?: Tag[]
  tier?: string
  policies?: string
  dataType?: string
}

/** Arca's compare-and-set (REST If-Match): the newest version must be this (0: must not exist). */
export interface WriteCondition {
  expectedVersion?: number
}
