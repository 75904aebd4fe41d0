import { kmsKeyArn } from '../../core/index.ts'
import { type KeySpec, type KeyUsage, specInfo } from '../crypto/index.ts'
import type { KeyMetadata } from '../types.ts'
import type { KeyRecord } from './record.ts'

/** The KeyMetadata structure AWS returns for a key. */
export function toKeyMetadata(key: KeyRecord, extra: { currentKeyMaterialId?: string; replicaRegions?: string[] } = {}): KeyMetadata {
  const info = specInfo(key.spec as KeySpec, key.usage as KeyUsage)
  const m: KeyMetadata = {
    awsAccountId: key.account,
    keyId: key.id,
    arn: key.arn,
    creationDate: new Date(key.createdAt),
    enabled: key.state === 'Enabled',
    description: key.description,
    keyUsage: key.usage,
    keyState: key.state,
    origin: key.origin,
    keyManager: key.keyManager,
    customerMasterKeySpec: key.spec,
    keySpec: key.spec,
    multiRegion: key.multiRegion,
  }
  if (info.encryptionAlgorithms) m.encryptionAlgorithms = info.encryptionAlgorithms
  if (info.signingAlgorithms) m.signingAlgorithms = info.signingAlgorithms
  if (info.macAlgorithms) m.macAlgorithms = info.macAlgorithms
  if (info.keyAgreementAlgorithms) m.keyAgreementAlgorithms = info.keyAgreementAlgorithms
  if (key.state === 'PendingDeletion' || key.state === 'PendingReplicaDeletion') {
    if (key.deletionDate !== null) m.deletionDate = new Date(key.deletionDate)
    if (key.pendingWindowDays !== null) m.pendingDeletionWindowInDays = key.pendingWindowDays
  }
  if (key.origin === 'EXTERNAL') {
    m.expirationModel = key.expirationModel ?? undefined
    if (key.validTo !== null) m.validTo = new Date(key.validTo)
    if (m.expirationModel === undefined) delete m.expirationModel
  }
  if (extra.currentKeyMaterialId) m.currentKeyMaterialId = extra.currentKeyMaterialId
  if (key.multiRegion && key.primaryRegion) {
    const regions = extra.replicaRegions ?? []
    m.multiRegionConfiguration = {
      multiRegionKeyType: key.primaryRegion === key.region ? 'PRIMARY' : 'REPLICA',
      primaryKey: { arn: kmsKeyArn(key.primaryRegion, key.account, key.id), region: key.primaryRegion },
      replicaKeys: regions.map((r) => ({ arn: kmsKeyArn(r, key.account, key.id), region: r })),
    }
  }
  return m
}
