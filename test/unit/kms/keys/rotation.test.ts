import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MS } from '../../../../src/core/index.ts'
import type { KmsEvent } from '../../../../src/kms/index.ts'
import { type KmsHarness, caller, createKmsHarness, utf8 } from '../../../support/kms-core.ts'

let h: KmsHarness
const events: KmsEvent[] = []
beforeEach(async () => {
  events.length = 0
  h = await createKmsHarness({ recordEvent: async (_db, e) => void events.push(e) })
})
afterEach(async () => {
  await h.dispose()
})

describe('automatic rotation', () => {
  it('enables with AWS bounds and reports the next rotation date', async () => {
    const { keyId } = (await h.kms.createKey(caller, {})).keyMetadata
    expect(await h.kms.getKeyRotationStatus(caller, { keyId })).toEqual({ keyId: expect.stringContaining(keyId), keyRotationEnabled: false })
    await expect(h.kms.enableKeyRotation(caller, { keyId, rotationPeriodInDays: 89 })).rejects.toMatchObject({ code: 'Validation' })
    await expect(h.kms.enableKeyRotation(caller, { keyId, rotationPeriodInDays: 2561 })).rejects.toMatchObject({ code: 'Validation' })
    await h.kms.enableKeyRotation(caller, { keyId })
    const s = await h.kms.getKeyRotationStatus(caller, { keyId })
    expect(s).toMatchObject({ keyRotationEnabled: true, rotationPeriodInDays: 365 })
    expect(s.nextRotationDate!.getTime()).toBe(h.clock.now() + 365 * MS.day)
    await h.kms.disableKeyRotation(caller, { keyId })
    expect((await h.kms.getKeyRotationStatus(caller, { keyId })).keyRotationEnabled).toBe(false)
  })

  it('rotates when due by the clock, keeps old ciphertexts decrypting, and catches up after downtime', async () => {
    const { keyId } = (await h.kms.createKey(caller, {})).keyMetadata
    const before = (await h.kms.encrypt(caller, { keyId, plaintext: utf8('v1 secret'), encryptionContext: { a: '1' } })).ciphertextBlob
    await h.kms.enableKeyRotation(caller, { keyId, rotationPeriodInDays: 90 })
    h.clock.advance(89 * MS.day)
    expect(await h.kms.jobs.rotateDueKeys()).toBe(0)
    h.clock.advance(1 * MS.day)
    expect(await h.kms.jobs.rotateDueKeys()).toBe(1)
    expect(await h.kms.jobs.rotateDueKeys()).toBe(0)
    expect(events.filter((e) => e.detailType === 'KMS CMK Rotation')).toHaveLength(1)
    const after = (await h.kms.encrypt(caller, { keyId, plaintext: utf8('v2 secret') })).ciphertextBlob
    expect(new TextDecoder().decode((await h.kms.decrypt(caller, { ciphertextBlob: before, encryptionContext: { a: '1' } })).plaintext)).toBe('v1 secret')
    expect(new TextDecoder().decode((await h.kms.decrypt(caller, { ciphertextBlob: after })).plaintext)).toBe('v2 secret')
    // Down for a year: one catch-up rotation, then the schedule continues from now.
    h.clock.advance(365 * MS.day)
    const kms = await h.restart()
    expect(await kms.jobs.rotateDueKeys()).toBe(1)
    const s = await kms.getKeyRotationStatus(caller, { keyId })
    expect(s.nextRotationDate!.getTime()).toBe(h.clock.now() + 90 * MS.day)
    const list = await kms.listKeyRotations(caller, { keyId })
    expect(list.rotations.map((r) => r.rotationType)).toEqual(['AUTOMATIC', 'AUTOMATIC'])
    const all = await kms.listKeyRotations(caller, { keyId, includeKeyMaterial: 'ALL_KEY_MATERIAL' })
    expect(all.rotations).toHaveLength(3)
    expect(all.rotations.filter((r) => r.keyMaterialState === 'CURRENT')).toHaveLength(1)
  })

  it('does not rotate disabled or pending-deletion keys', async () => {
    const a = (await h.kms.createKey(caller, {})).keyMetadata.keyId
    const b = (await h.kms.createKey(caller, {})).keyMetadata.keyId
    await h.kms.enableKeyRotation(caller, { keyId: a, rotationPeriodInDays: 90 })
    await h.kms.enableKeyRotation(caller, { keyId: b, rotationPeriodInDays: 90 })
    await h.kms.disableKey(caller, { keyId: a })
    await h.kms.scheduleKeyDeletion(caller, { keyId: b, pendingWindowInDays: 30 })
    expect((await h.kms.getKeyRotationStatus(caller, { keyId: b })).keyRotationEnabled).toBe(false)
    h.clock.advance(91 * MS.day)
    expect(await h.kms.jobs.rotateDueKeys()).toBe(0)
  })
})

describe('on-demand rotation', () => {
  it('rotates at once, leaves the schedule alone, and stops at AWS’s limit', async () => {
    const { keyId } = (await h.kms.createKey(caller, {})).keyMetadata
    await h.kms.enableKeyRotation(caller, { keyId })
    const next = (await h.kms.getKeyRotationStatus(caller, { keyId })).nextRotationDate
    const blob = (await h.kms.encrypt(caller, { keyId, plaintext: utf8('x') })).ciphertextBlob
    const m1 = (await h.kms.describeKey(caller, { keyId })).keyMetadata.currentKeyMaterialId
    await h.kms.rotateKeyOnDemand(caller, { keyId })
    h.clock.advance(2000)
    const m2 = (await h.kms.describeKey(caller, { keyId })).keyMetadata.currentKeyMaterialId
    expect(m2).not.toBe(m1)
    expect((await h.kms.getKeyRotationStatus(caller, { keyId })).nextRotationDate).toEqual(next)
    expect((await h.kms.decrypt(caller, { ciphertextBlob: blob })).plaintext).toEqual(utf8('x'))
    for (let i = 1; i < 25; i++) await h.kms.rotateKeyOnDemand(caller, { keyId })
    await expect(h.kms.rotateKeyOnDemand(caller, { keyId })).rejects.toMatchObject({ code: 'LimitExceeded' })
    const page = await h.kms.listKeyRotations(caller, { keyId, limit: 10 })
    expect(page).toMatchObject({ truncated: true })
    expect(page.rotations.every((r) => r.rotationType === 'ON_DEMAND')).toBe(true)
  })

  it('refuses keys that cannot rotate', async () => {
    const rsa = (await h.kms.createKey(caller, { keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY' })).keyMetadata.keyId
    await expect(h.kms.rotateKeyOnDemand(caller, { keyId: rsa })).rejects.toMatchObject({ code: 'UnsupportedOperation' })
    await expect(h.kms.enableKeyRotation(caller, { keyId: rsa })).rejects.toMatchObject({ code: 'UnsupportedOperation' })
    const managed = await h.kms.awsManagedKey(caller, 'secretsmanager')
    await expect(h.kms.rotateKeyOnDemand(caller, { keyId: managed.keyId })).rejects.toMatchObject({ code: 'UnsupportedOperation' })
  })
})
