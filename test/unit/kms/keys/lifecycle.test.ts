import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MS } from '../../../../src/core/index.ts'
import { ACCOUNT, type KmsHarness, REGION, caller, createKmsHarness, otherCaller } from '../../../support/kms-core.ts'

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

describe('CreateKey / DescribeKey', () => {
  it('creates a symmetric key with AWS default metadata', async () => {
    const { keyMetadata: m } = await h.kms.createKey(caller, {})
    expect(m.keyId).toMatch(/^[0-9a-f-]{36}$/)
    expect(m.arn).toBe(`arn:aws:kms:${REGION}:${ACCOUNT}:key/${m.keyId}`)
    expect(m).toMatchObject({
      awsAccountId: ACCOUNT,
      enabled: true,
      description: '',
      keyUsage: 'ENCRYPT_DECRYPT',
      keyState: 'Enabled',
      origin: 'AWS_KMS',
      keyManager: 'CUSTOMER',
      keySpec: 'SYMMETRIC_DEFAULT',
      customerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      encryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      multiRegion: false,
    })
    expect(m.creationDate.getTime()).toBe(h.clock.now())
    expect(m.currentKeyMaterialId).toMatch(/^[0-9a-f]{64}$/)
  })

  it('gives asymmetric and HMAC keys their algorithm lists', async () => {
    const ec = (await h.kms.createKey(caller, { keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY' })).keyMetadata
    expect(ec.signingAlgorithms).toEqual(['ECDSA_SHA_256'])
    const mac = (await h.kms.createKey(caller, { keySpec: 'HMAC_384', keyUsage: 'GENERATE_VERIFY_MAC' })).keyMetadata
    expect(mac.macAlgorithms).toEqual(['HMAC_SHA_384'])
  })

  it('refuses bad spec/usage input with ValidationException', async () => {
    expect(await code(h.kms.createKey(caller, { keySpec: 'RSA_2048' }))).toBe('Validation')
    expect(await code(h.kms.createKey(caller, { keySpec: 'HMAC_256', keyUsage: 'ENCRYPT_DECRYPT' }))).toBe('Validation')
    expect(await code(h.kms.createKey(caller, { keySpec: 'NOPE', keyUsage: 'SIGN_VERIFY' }))).toBe('Validation')
    expect(await code(h.kms.createKey(caller, { keySpec: 'RSA_2048', customerMasterKeySpec: 'RSA_3072', keyUsage: 'SIGN_VERIFY' }))).toBe('Validation')
    expect(await code(h.kms.createKey(caller, { description: 'x'.repeat(8193) }))).toBe('Validation')
    expect(await code(h.kms.createKey(caller, { customKeyStoreId: 'cks-1' }))).toBe('UnsupportedOperation')
    expect(await code(h.kms.createKey(caller, { policy: '{not json' }))).toBe('MalformedPolicyDocument')
    expect(await code(h.kms.createKey(caller, { policy: JSON.stringify({ Statement: [], pad: 'x'.repeat(33_000) }) }))).toBe('LimitExceeded')
  })

  it('makes EXTERNAL keys PendingImport and multi-Region keys mrk- ids', async () => {
    const ext = (await h.kms.createKey(caller, { origin: 'EXTERNAL' })).keyMetadata
    expect(ext).toMatchObject({ keyState: 'PendingImport', enabled: false, origin: 'EXTERNAL' })
    expect(ext.currentKeyMaterialId).toBeUndefined()
    const mrk = (await h.kms.createKey(caller, { multiRegion: true })).keyMetadata
    expect(mrk.keyId).toMatch(/^mrk-[0-9a-f]{32}$/)
    expect(mrk.multiRegionConfiguration).toMatchObject({ multiRegionKeyType: 'PRIMARY', primaryKey: { region: REGION }, replicaKeys: [] })
  })

  it('describes by id, key ARN, alias name and alias ARN', async () => {
    const { keyMetadata: m } = await h.kms.createKey(caller, {})
    await h.kms.createAlias(caller, { aliasName: 'alias/app', targetKeyId: m.keyId })
    for (const id of [m.keyId, m.arn, 'alias/app', `arn:aws:kms:${REGION}:${ACCOUNT}:alias/app`]) {
      expect((await h.kms.describeKey(caller, { keyId: id })).keyMetadata.keyId).toBe(m.keyId)
    }
  })

  it('answers unknown, malformed and foreign-region ids with NotFoundException', async () => {
    const { keyMetadata: m } = await h.kms.createKey(caller, {})
    await expect(h.kms.describeKey(caller, { keyId: 'not-a-key' })).rejects.toMatchObject({ code: 'NotFound', message: "Invalid keyId 'not-a-key'" })
    await expect(h.kms.describeKey(caller, { keyId: '11111111-2222-3333-4444-555555555555' })).rejects.toMatchObject({
      code: 'NotFound',
      message: `Key 'arn:aws:kms:${REGION}:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555' does not exist`,
    })
    await expect(h.kms.describeKey(caller, { keyId: 'alias/missing' })).rejects.toMatchObject({ code: 'NotFound', message: `Alias arn:aws:kms:${REGION}:${ACCOUNT}:alias/missing is not found.` })
    await expect(h.kms.describeKey(caller, { keyId: m.arn.replace(REGION, 'eu-west-1') })).rejects.toMatchObject({ code: 'NotFound', message: 'Invalid arn eu-west-1' })
    // Another region of the same account does not see the key by id.
    await expect(h.kms.describeKey({ ...caller, region: 'eu-west-1' }, { keyId: m.keyId })).rejects.toMatchObject({ code: 'NotFound' })
  })

  it('keeps accounts apart', async () => {
    const { keyMetadata: m } = await h.kms.createKey(caller, {})
    expect(await code(h.kms.describeKey(otherCaller, { keyId: m.keyId }))).toBe('NotFound')
    expect(await code(h.kms.describeKey(otherCaller, { keyId: m.arn }))).toBe('AccessDenied')
    expect((await h.kms.listKeys(otherCaller, {})).keys).toEqual([])
  })
})

describe('ListKeys', () => {
  it('pages with Limit and Marker', async () => {
    const ids = new Set<string>()
    for (let i = 0; i < 5; i++) ids.add((await h.kms.createKey(caller, {})).keyMetadata.keyId)
    const seen: string[] = []
    let marker: string | undefined
    let pages = 0
    do {
      const page = await h.kms.listKeys(caller, { limit: 2, marker })
      expect(page.keys.length).toBeLessThanOrEqual(2)
      seen.push(...page.keys.map((k) => k.keyId))
      expect(page.truncated).toBe(page.nextMarker !== undefined)
      marker = page.nextMarker
      pages++
    } while (marker)
    expect(pages).toBe(3)
    expect(new Set(seen)).toEqual(ids)
    await expect(h.kms.listKeys(caller, { marker: 'garbage' })).rejects.toMatchObject({ code: 'InvalidMarker' })
    await expect(h.kms.listKeys(caller, { limit: 1001 })).rejects.toMatchObject({ code: 'Validation' })
    await expect(h.kms.listKeys(caller, { limit: 0 })).rejects.toMatchObject({ code: 'Validation' })
  })
})

describe('Enable, disable, description', () => {
  it('moves between Enabled and Disabled and updates the description', async () => {
    const { keyMetadata: m } = await h.kms.createKey(caller, { description: 'one' })
    await h.kms.disableKey(caller, { keyId: m.keyId })
    expect((await h.kms.describeKey(caller, { keyId: m.keyId })).keyMetadata).toMatchObject({ keyState: 'Disabled', enabled: false })
    await h.kms.enableKey(caller, { keyId: m.arn })
    await h.kms.updateKeyDescription(caller, { keyId: m.keyId, description: 'two' })
    expect((await h.kms.describeKey(caller, { keyId: m.keyId })).keyMetadata).toMatchObject({ keyState: 'Enabled', description: 'two' })
    // Management operations take ids and ARNs, not aliases.
    await h.kms.createAlias(caller, { aliasName: 'alias/x', targetKeyId: m.keyId })
    expect(await code(h.kms.disableKey(caller, { keyId: 'alias/x' }))).toBe('NotFound')
  })
})

describe('ScheduleKeyDeletion / CancelKeyDeletion / deletion job', () => {
  it('schedules with AWS window bounds and cancels to Disabled', async () => {
    const { keyMetadata: m } = await h.kms.createKey(caller, {})
    expect(await code(h.kms.scheduleKeyDeletion(caller, { keyId: m.keyId, pendingWindowInDays: 6 }))).toBe('Validation')
    expect(await code(h.kms.scheduleKeyDeletion(caller, { keyId: m.keyId, pendingWindowInDays: 31 }))).toBe('Validation')
    const out = await h.kms.scheduleKeyDeletion(caller, { keyId: m.keyId })
    expect(out).toMatchObject({ keyId: m.arn, keyState: 'PendingDeletion', pendingWindowInDays: 30 })
    expect(out.deletionDate?.getTime()).toBe(h.clock.now() + 30 * MS.day)
    const d = (await h.kms.describeKey(caller, { keyId: m.keyId })).keyMetadata
    expect(d).toMatchObject({ keyState: 'PendingDeletion', enabled: false, pendingDeletionWindowInDays: 30 })
    expect(await code(h.kms.scheduleKeyDeletion(caller, { keyId: m.keyId }))).toBe('InvalidState')
    await h.kms.cancelKeyDeletion(caller, { keyId: m.keyId })
    expect((await h.kms.describeKey(caller, { keyId: m.keyId })).keyMetadata).toMatchObject({ keyState: 'Disabled', enabled: false })
    expect((await h.kms.describeKey(caller, { keyId: m.keyId })).keyMetadata.deletionDate).toBeUndefined()
    await expect(h.kms.cancelKeyDeletion(caller, { keyId: m.keyId })).rejects.toMatchObject({ code: 'InvalidState', message: `${m.arn} is not pending deletion.` })
  })

  it('deletes the key, its aliases and tags when the window ends, and not before', async () => {
    const { keyMetadata: m } = await h.kms.createKey(caller, { tags: [{ tagKey: 'team', tagValue: 'a' }] })
    await h.kms.createAlias(caller, { aliasName: 'alias/doomed', targetKeyId: m.keyId })
    await h.kms.scheduleKeyDeletion(caller, { keyId: m.keyId, pendingWindowInDays: 7 })
    h.clock.advance(7 * MS.day - 1)
    expect(await h.kms.jobs.deleteDueKeys()).toBe(0)
    h.clock.advance(1)
    expect(await h.kms.jobs.deleteDueKeys()).toBe(1)
    expect(await h.kms.jobs.deleteDueKeys()).toBe(0)
    h.clock.advance(2000) // past the key cache
    expect(await code(h.kms.describeKey(caller, { keyId: m.keyId }))).toBe('NotFound')
    expect((await h.kms.listAliases(caller, {})).aliases).toEqual([])
    const rows = await h.db.db.selectFrom('kms_key_material').selectAll().where('key_id', '=', m.keyId).execute()
    expect(rows).toEqual([])
  })

  it('catches up on deletions that fell due while the server was down', async () => {
    const a = (await h.kms.createKey(caller, {})).keyMetadata
    const b = (await h.kms.createKey(caller, {})).keyMetadata
    await h.kms.scheduleKeyDeletion(caller, { keyId: a.keyId, pendingWindowInDays: 7 })
    await h.kms.scheduleKeyDeletion(caller, { keyId: b.keyId, pendingWindowInDays: 20 })
    const kms = await h.restart()
    h.clock.advance(100 * MS.day)
    expect(await kms.jobs.deleteDueKeys()).toBe(2)
  })
})
