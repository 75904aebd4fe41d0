import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MS } from '../../../src/core/index.ts'
import type { Caller } from '../../../src/kms/index.ts'
import { ACCOUNT, type KmsHarness, REGION, caller, createKmsHarness, otherCaller, utf8 } from '../../support/kms-core.ts'

const EU = 'eu-west-1'
const AP = 'ap-southeast-2'
const at = (region: string): Caller => ({ ...caller, region })
const arnIn = (region: string, id: string) => `arn:aws:kms:${region}:${ACCOUNT}:key/${id}`

let h: KmsHarness
beforeEach(async () => {
  h = await createKmsHarness()
})
afterEach(async () => {
  await h.dispose()
})

const code = async (p: Promise<unknown>) => {
  try {
    await p
  } catch (e) {
    return (e as { code?: string }).code
  }
  return 'no error'
}

const primaryKey = async () => (await h.kms.createKey(caller, { multiRegion: true, description: 'primary' })).keyMetadata

describe('ReplicateKey', () => {
  it('makes a replica with the same id and material, its own policy, description and tags', async () => {
    const p = await primaryKey()
    expect(p.keyId).toMatch(/^mrk-[0-9a-f]{32}$/)
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }] })
    const out = await h.kms.replicateKey(caller, { keyId: p.arn, replicaRegion: EU, description: 'replica', policy, tags: [{ tagKey: 'env', tagValue: 'eu' }] })
    expect(out.replicaPolicy).toBe(policy)
    expect(out.replicaTags).toEqual([{ tagKey: 'env', tagValue: 'eu' }])
    expect(out.replicaKeyMetadata).toMatchObject({
      keyId: p.keyId,
      arn: arnIn(EU, p.keyId),
      keyState: 'Enabled',
      enabled: true,
      description: 'replica',
      multiRegion: true,
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
      origin: 'AWS_KMS',
      currentKeyMaterialId: p.currentKeyMaterialId,
      multiRegionConfiguration: {
        multiRegionKeyType: 'REPLICA',
        primaryKey: { arn: p.arn, region: REGION },
        replicaKeys: [{ arn: arnIn(EU, p.keyId), region: EU }],
      },
    })
    const primary = (await h.kms.describeKey(caller, { keyId: p.keyId })).keyMetadata
    expect(primary.description).toBe('primary')
    expect(primary.multiRegionConfiguration).toEqual({
      multiRegionKeyType: 'PRIMARY',
      primaryKey: { arn: p.arn, region: REGION },
      replicaKeys: [{ arn: arnIn(EU, p.keyId), region: EU }],
    })
    expect((await h.kms.getKeyPolicy(at(EU), { keyId: p.keyId })).policy).toBe(policy)
    expect((await h.kms.listResourceTags(at(EU), { keyId: p.keyId })).tags).toEqual([{ tagKey: 'env', tagValue: 'eu' }])
    expect((await h.kms.listResourceTags(caller, { keyId: p.keyId })).tags).toEqual([])
    expect((await h.kms.listKeys(at(EU), {})).keys.map((k) => k.keyId)).toEqual([p.keyId])
  })

  it('refuses what AWS refuses', async () => {
    const p = await primaryKey()
    const single = (await h.kms.createKey(caller, {})).keyMetadata
    expect(await code(h.kms.replicateKey(caller, { keyId: single.keyId, replicaRegion: EU }))).toBe('UnsupportedOperation')
    expect(await code(h.kms.replicateKey(caller, { keyId: p.keyId, replicaRegion: REGION }))).toBe('Validation')
    expect(await code(h.kms.replicateKey(caller, { keyId: p.keyId, replicaRegion: 'Mars' }))).toBe('Validation')
    expect(await code(h.kms.replicateKey(caller, { keyId: p.keyId, replicaRegion: '' }))).toBe('Validation')
    expect(await code(h.kms.replicateKey(caller, { keyId: `alias/none`, replicaRegion: EU }))).toBe('NotFound')
    await h.kms.replicateKey(caller, { keyId: p.keyId, replicaRegion: EU })
    expect(await code(h.kms.replicateKey(caller, { keyId: p.keyId, replicaRegion: EU }))).toBe('AlreadyExists')
    expect(await code(h.kms.replicateKey(at(EU), { keyId: p.keyId, replicaRegion: AP }))).toBe('UnsupportedOperation')
    expect(await code(h.kms.replicateKey(otherCaller, { keyId: p.arn, replicaRegion: AP }))).toBe('AccessDenied')
    expect(await code(h.kms.replicateKey(caller, { keyId: p.keyId, replicaRegion: AP, tags: [{ tagKey: 'aws:x', tagValue: '' }] }))).toBe('Tag')
    expect(await code(h.kms.replicateKey(caller, { keyId: p.keyId, replicaRegion: AP, policy: '{' }))).toBe('MalformedPolicyDocument')
    await h.kms.scheduleKeyDeletion(at(EU), { keyId: p.keyId, pendingWindowInDays: 7 })
    await h.kms.scheduleKeyDeletion(caller, { keyId: p.keyId, pendingWindowInDays: 7 })
    expect(await code(h.kms.replicateKey(caller, { keyId: p.keyId, replicaRegion: AP }))).toBe('InvalidState')
  })

  it('lets a ciphertext made in one region decrypt in the other, both ways', async () => {
    const p = await primaryKey()
    await h.kms.replicateKey(caller, { keyId: p.keyId, replicaRegion: EU })
    const context = { purpose: 'mrk' }
    const here = await h.kms.encrypt(caller, { keyId: p.keyId, plaintext: utf8('from us-east-1'), encryptionContext: context })
    const there = await h.kms.decrypt(at(EU), { ciphertextBlob: here.ciphertextBlob, encryptionContext: context })
    expect(Buffer.from(there.plaintext).toString()).toBe('from us-east-1')
    expect(there.keyId).toBe(arnIn(EU, p.keyId))
    const back = await h.kms.encrypt(at(EU), { keyId: p.keyId, plaintext: utf8('from eu-west-1') })
    expect(Buffer.from((await h.kms.decrypt(caller, { ciphertextBlob: back.ciphertextBlob })).plaintext).toString()).toBe('from eu-west-1')
    // A region without a replica holds no such key.
    expect(await code(h.kms.decrypt(at(AP), { ciphertextBlob: back.ciphertextBlob }))).toBe('InvalidCiphertext')
    // Disabling the replica does not touch the primary: key state is per region.
    await h.kms.disableKey(at(EU), { keyId: p.keyId })
    expect(await code(h.kms.decrypt(at(EU), { ciphertextBlob: back.ciphertextBlob }))).toBe('Disabled')
    await h.kms.decrypt(caller, { ciphertextBlob: back.ciphertextBlob })
  })

  it('shares rotation: rotating the primary rotates every region; a replica cannot rotate', async () => {
    const p = await primaryKey()
    await h.kms.replicateKey(caller, { keyId: p.keyId, replicaRegion: EU })
    const old = await h.kms.encrypt(at(EU), { keyId: p.keyId, plaintext: utf8('v1') })
    await h.kms.rotateKeyOnDemand(caller, { keyId: p.keyId })
    const primary = (await h.kms.describeKey(caller, { keyId: p.keyId })).keyMetadata
    const replica = (await h.kms.describeKey(at(EU), { keyId: p.keyId })).keyMetadata
    expect(primary.currentKeyMaterialId).not.toBe(p.currentKeyMaterialId)
    expect(replica.currentKeyMaterialId).toBe(primary.currentKeyMaterialId)
    const fresh = await h.kms.encrypt(caller, { keyId: p.keyId, plaintext: utf8('v2') })
    const opened = await h.kms.decrypt(at(EU), { ciphertextBlob: fresh.ciphertextBlob })
    expect(opened.keyMaterialId).toBe(primary.currentKeyMaterialId)
    expect(Buffer.from((await h.kms.decrypt(caller, { ciphertextBlob: old.ciphertextBlob })).plaintext).toString()).toBe('v1')
    expect(await code(h.kms.rotateKeyOnDemand(at(EU), { keyId: p.keyId }))).toBe('UnsupportedOperation')
    expect(await code(h.kms.enableKeyRotation(at(EU), { keyId: p.keyId }))).toBe('UnsupportedOperation')
  })

  it('keeps grants per region', async () => {
    const p = await primaryKey()
    await h.kms.replicateKey(caller, { keyId: p.keyId, replicaRegion: EU })
    await h.kms.createGrant(caller, { keyId: p.keyId, granteePrincipal: `arn:aws:iam::${ACCOUNT}:user/alice`, operations: ['Decrypt'] })
    expect((await h.kms.listGrants(caller, { keyId: p.keyId })).grants).toHaveLength(1)
    expect((await h.kms.listGrants(at(EU), { keyId: p.keyId })).grants).toHaveLength(0)
  })
})

describe('UpdatePrimaryRegion', () => {
  it('swaps the primary role, and the rotation schedule moves with it', async () => {
    const p = await primaryKey()
    await h.kms.enableKeyRotation(caller, { keyId: p.keyId, rotationPeriodInDays: 90 })
    await h.kms.replicateKey(caller, { keyId: p.keyId, replicaRegion: EU })
    await h.kms.replicateKey(caller, { keyId: p.keyId, replicaRegion: AP })
    await h.kms.updatePrimaryRegion(caller, { keyId: p.arn, primaryRegion: EU })
    for (const region of [REGION, EU, AP]) {
      const m = (await h.kms.describeKey(at(region), { keyId: p.keyId })).keyMetadata
      expect(m.multiRegionConfiguration).toEqual({
        multiRegionKeyType: region === EU ? 'PRIMARY' : 'REPLICA',
        primaryKey: { arn: arnIn(EU, p.keyId), region: EU },
        replicaKeys: [AP, REGION].map((r) => ({ arn: arnIn(r, p.keyId), region: r })),
      })
      expect(m.keyState).toBe('Enabled')
    }
    expect(await code(h.kms.replicateKey(caller, { keyId: p.keyId, replicaRegion: 'ca-central-1' }))).toBe('UnsupportedOperation')
    await h.kms.replicateKey(at(EU), { keyId: p.keyId, replicaRegion: 'ca-central-1' })
    expect((await h.kms.getKeyRotationStatus(at(EU), { keyId: p.keyId })).keyRotationEnabled).toBe(true)
    h.clock.advance(91 * MS.day)
    expect(await h.kms.jobs.rotateDueKeys()).toBe(1)
    const rotations = await h.kms.listKeyRotations(at(EU), { keyId: p.keyId })
    expect(rotations.rotations.map((r) => r.rotationType)).toEqual(['AUTOMATIC'])
    const primary = (await h.kms.describeKey(at(EU), { keyId: p.keyId })).keyMetadata
    expect((await h.kms.describeKey(caller, { keyId: p.keyId })).keyMetadata.currentKeyMaterialId).toBe(primary.currentKeyMaterialId)
  })

  it('refuses what AWS refuses', async () => {
    const p = await primaryKey()
    const single = (await h.kms.createKey(caller, {})).keyMetadata
    expect(await code(h.kms.updatePrimaryRegion(caller, { keyId: single.keyId, primaryRegion: EU }))).toBe('UnsupportedOperation')
    expect(await code(h.kms.updatePrimaryRegion(caller, { keyId: p.keyId, primaryRegion: EU }))).toBe('NotFound')
    await h.kms.replicateKey(caller, { keyId: p.keyId, replicaRegion: EU })
    expect(await code(h.kms.updatePrimaryRegion(at(EU), { keyId: p.keyId, primaryRegion: REGION }))).toBe('UnsupportedOperation')
    expect(await code(h.kms.updatePrimaryRegion(caller, { keyId: p.keyId, primaryRegion: REGION }))).toBe('Validation')
    expect(await code(h.kms.updatePrimaryRegion(caller, { keyId: p.keyId, primaryRegion: 'nowhere' }))).toBe('Validation')
    await h.kms.scheduleKeyDeletion(at(EU), { keyId: p.keyId, pendingWindowInDays: 7 })
    expect(await code(h.kms.updatePrimaryRegion(caller, { keyId: p.keyId, primaryRegion: EU }))).toBe('InvalidState')
  })
})

describe('deleting multi-Region keys', () => {
  it('holds a primary in PendingReplicaDeletion until its replicas are gone, then runs its window', async () => {
    const p = await primaryKey()
    await h.kms.replicateKey(caller, { keyId: p.keyId, replicaRegion: EU })
    const out = await h.kms.scheduleKeyDeletion(caller, { keyId: p.keyId, pendingWindowInDays: 10 })
    expect(out).toEqual({ keyId: p.arn, keyState: 'PendingReplicaDeletion', pendingWindowInDays: 10 })
    const waiting = (await h.kms.describeKey(caller, { keyId: p.keyId })).keyMetadata
    expect(waiting).toMatchObject({ keyState: 'PendingReplicaDeletion', enabled: false, pendingDeletionWindowInDays: 10 })
    expect(waiting.deletionDate).toBeUndefined()
    expect(await code(h.kms.encrypt(caller, { keyId: p.keyId, plaintext: utf8('x') }))).toBe('InvalidState')
    h.clock.advance(60 * MS.day)
    expect(await h.kms.jobs.deleteDueKeys()).toBe(0)

    await h.kms.scheduleKeyDeletion(at(EU), { keyId: p.keyId, pendingWindowInDays: 7 })
    h.clock.advance(7 * MS.day)
    expect(await h.kms.jobs.deleteDueKeys()).toBe(1)
    expect(await code(h.kms.describeKey(at(EU), { keyId: p.keyId }))).toBe('NotFound')
    const released = (await h.kms.describeKey(caller, { keyId: p.keyId })).keyMetadata
    expect(released.keyState).toBe('PendingDeletion')
    expect(released.deletionDate?.getTime()).toBe(h.clock.now() + 10 * MS.day)
    expect(released.multiRegionConfiguration?.replicaKeys).toEqual([])

    h.clock.advance(10 * MS.day - 1)
    expect(await h.kms.jobs.deleteDueKeys()).toBe(0)
    h.clock.advance(1)
    expect(await h.kms.jobs.deleteDueKeys()).toBe(1)
    expect(await code(h.kms.describeKey(caller, { keyId: p.keyId }))).toBe('NotFound')
    const material = await h.db.db.selectFrom('kms_key_material').select('version').where('key_id', '=', p.keyId).execute()
    expect(material).toEqual([])
  })

  it('keeps the shared material while any region still holds the key', async () => {
    const p = await primaryKey()
    await h.kms.replicateKey(caller, { keyId: p.keyId, replicaRegion: EU })
    const blob = (await h.kms.encrypt(caller, { keyId: p.keyId, plaintext: utf8('kept') })).ciphertextBlob
    await h.kms.scheduleKeyDeletion(at(EU), { keyId: p.keyId, pendingWindowInDays: 7 })
    h.clock.advance(7 * MS.day)
    expect(await h.kms.jobs.deleteDueKeys()).toBe(1)
    expect(Buffer.from((await h.kms.decrypt(caller, { ciphertextBlob: blob })).plaintext).toString()).toBe('kept')
    expect((await h.kms.describeKey(caller, { keyId: p.keyId })).keyMetadata.keyState).toBe('Enabled')
  })

  it('cancels PendingReplicaDeletion to Disabled, as any cancelled deletion', async () => {
    const p = await primaryKey()
    await h.kms.replicateKey(caller, { keyId: p.keyId, replicaRegion: EU })
    await h.kms.scheduleKeyDeletion(caller, { keyId: p.keyId })
    expect(await code(h.kms.scheduleKeyDeletion(caller, { keyId: p.keyId }))).toBe('InvalidState')
    await h.kms.cancelKeyDeletion(caller, { keyId: p.keyId })
    const m = (await h.kms.describeKey(caller, { keyId: p.keyId })).keyMetadata
    expect(m.keyState).toBe('Disabled')
    expect(m.pendingDeletionWindowInDays).toBeUndefined()
  })
})

describe('registration', () => {
  it('serves the grant and multi-Region operations by name (the AWS face dispatches on these)', () => {
    for (const name of ['replicateKey', 'updatePrimaryRegion', 'createGrant', 'listGrants', 'listRetirableGrants', 'retireGrant', 'revokeGrant'] as const)
      expect(h.kms.operationNames).toContain(name)
  })
})
