import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ACCOUNT, type KmsHarness, REGION, caller, createKmsHarness } from '../../../support/kms-core.ts'

let h: KmsHarness
beforeEach(async () => {
  h = await createKmsHarness()
})
afterEach(async () => {
  await h.dispose()
})

describe('aliases', () => {
  it('creates, lists, repoints and deletes', async () => {
    const a = (await h.kms.createKey(caller, {})).keyMetadata
    const b = (await h.kms.createKey(caller, {})).keyMetadata
    await h.kms.createAlias(caller, { aliasName: 'alias/app', targetKeyId: a.keyId })
    await h.kms.createAlias(caller, { aliasName: 'alias/web', targetKeyId: a.arn })
    const listed = (await h.kms.listAliases(caller, {})).aliases
    expect(listed.map((x) => x.aliasName)).toEqual(['alias/app', 'alias/web'])
    expect(listed[0]).toMatchObject({ aliasArn: `arn:aws:kms:${REGION}:${ACCOUNT}:alias/app`, targetKeyId: a.keyId })
    await h.kms.updateAlias(caller, { aliasName: 'alias/app', targetKeyId: b.keyId })
    expect((await h.kms.describeKey(caller, { keyId: 'alias/app' })).keyMetadata.keyId).toBe(b.keyId)
    expect((await h.kms.listAliases(caller, { keyId: a.keyId })).aliases.map((x) => x.aliasName)).toEqual(['alias/web'])
    await h.kms.deleteAlias(caller, { aliasName: 'alias/app' })
    await expect(h.kms.describeKey(caller, { keyId: 'alias/app' })).rejects.toMatchObject({ code: 'NotFound' })
  })

  it('applies AWS name rules', async () => {
    const a = (await h.kms.createKey(caller, {})).keyMetadata
    await expect(h.kms.createAlias(caller, { aliasName: 'app', targetKeyId: a.keyId })).rejects.toMatchObject({
      code: 'Validation',
      message: 'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html',
    })
    await expect(h.kms.createAlias(caller, { aliasName: 'alias/aws/mine', targetKeyId: a.keyId })).rejects.toMatchObject({ code: 'NotAuthorized' })
    await expect(h.kms.createAlias(caller, { aliasName: 'alias/sp ace', targetKeyId: a.keyId })).rejects.toMatchObject({ code: 'Validation' })
    await expect(h.kms.createAlias(caller, { aliasName: `alias/${'x'.repeat(251)}`, targetKeyId: a.keyId })).rejects.toMatchObject({ code: 'Validation' })
    await h.kms.createAlias(caller, { aliasName: 'alias/dup', targetKeyId: a.keyId })
    await expect(h.kms.createAlias(caller, { aliasName: 'alias/dup', targetKeyId: a.keyId })).rejects.toMatchObject({
      code: 'AlreadyExists',
      message: `An alias with the name arn:aws:kms:${REGION}:${ACCOUNT}:alias/dup already exists`,
    })
    await expect(h.kms.createAlias(caller, { aliasName: 'alias/via-alias', targetKeyId: 'alias/dup' })).rejects.toMatchObject({ code: 'NotFound' })
    await expect(h.kms.deleteAlias(caller, { aliasName: 'alias/none' })).rejects.toMatchObject({ code: 'NotFound' })
  })

  it('refuses a 51st alias on one key', async () => {
    const a = (await h.kms.createKey(caller, {})).keyMetadata
    for (let i = 0; i < 50; i++) await h.kms.createAlias(caller, { aliasName: `alias/a${i}`, targetKeyId: a.keyId })
    await expect(h.kms.createAlias(caller, { aliasName: 'alias/a50', targetKeyId: a.keyId })).rejects.toMatchObject({ code: 'LimitExceeded' })
    const first = await h.kms.listAliases(caller, {})
    expect(first.aliases).toHaveLength(50)
    expect(first.truncated).toBe(false)
    const paged = await h.kms.listAliases(caller, { limit: 20 })
    expect(paged.truncated).toBe(true)
    const rest = await h.kms.listAliases(caller, { limit: 100, marker: paged.nextMarker })
    expect(rest.aliases).toHaveLength(30)
  })

  it('makes the AWS-managed key once per account and region', async () => {
    const one = await h.kms.awsManagedKey(caller, 'ssm')
    const two = await h.kms.awsManagedKey(caller, 'ssm')
    expect(two.keyId).toBe(one.keyId)
    const m = (await h.kms.describeKey(caller, { keyId: 'alias/aws/ssm' })).keyMetadata
    expect(m).toMatchObject({ keyId: one.keyId, keyManager: 'AWS' })
    await expect(h.kms.scheduleKeyDeletion(caller, { keyId: one.keyId })).rejects.toMatchObject({ code: 'UnsupportedOperation' })
    expect((await h.kms.awsManagedKey({ ...caller, region: 'eu-west-1' }, 'ssm')).keyId).not.toBe(one.keyId)
  })
})

describe('tags', () => {
  it('tags, overwrites, lists in pages and untags', async () => {
    const a = (await h.kms.createKey(caller, { tags: [{ tagKey: 'env', tagValue: 'prod' }] })).keyMetadata
    await h.kms.tagResource(caller, { keyId: a.keyId, tags: [{ tagKey: 'env', tagValue: 'dev' }, { tagKey: 'team', tagValue: 'x' }] })
    expect((await h.kms.listResourceTags(caller, { keyId: a.keyId })).tags).toEqual([
      { tagKey: 'env', tagValue: 'dev' },
      { tagKey: 'team', tagValue: 'x' },
    ])
    const page = await h.kms.listResourceTags(caller, { keyId: a.keyId, limit: 1 })
    expect(page).toMatchObject({ truncated: true, tags: [{ tagKey: 'env' }] })
    expect((await h.kms.listResourceTags(caller, { keyId: a.keyId, marker: page.nextMarker })).tags).toEqual([{ tagKey: 'team', tagValue: 'x' }])
    await h.kms.untagResource(caller, { keyId: a.keyId, tagKeys: ['env'] })
    expect((await h.kms.listResourceTags(caller, { keyId: a.keyId })).tags).toEqual([{ tagKey: 'team', tagValue: 'x' }])
  })

  it('raises TagException as AWS does', async () => {
    const a = (await h.kms.createKey(caller, {})).keyMetadata
    await expect(h.kms.tagResource(caller, { keyId: a.keyId, tags: [{ tagKey: 'aws:x', tagValue: '' }] })).rejects.toMatchObject({ code: 'Tag', message: 'Tags beginning with aws: are reserved' })
    await expect(h.kms.tagResource(caller, { keyId: a.keyId, tags: [{ tagKey: 'k', tagValue: '1' }, { tagKey: 'k', tagValue: '2' }] })).rejects.toMatchObject({ code: 'Tag', message: 'Duplicate tag keys' })
    const many = Array.from({ length: 30 }, (_, i) => ({ tagKey: `k${i}`, tagValue: 'v' }))
    await h.kms.tagResource(caller, { keyId: a.keyId, tags: many })
    const more = Array.from({ length: 21 }, (_, i) => ({ tagKey: `m${i}`, tagValue: 'v' }))
    await expect(h.kms.tagResource(caller, { keyId: a.keyId, tags: more })).rejects.toMatchObject({ code: 'Tag', message: 'Too many tags' })
    // The refused request changed nothing.
    expect((await h.kms.listResourceTags(caller, { keyId: a.keyId })).tags).toHaveLength(30)
  })
})

describe('AWS-managed key race between nodes', () => {
  it('the node that loses the race adopts the winner’s key instead of looping', async () => {
    const { createKms } = await import('../../../../src/kms/index.ts')
    const other = createKms({ db: h.db.db, barrier: h.seal, clock: h.clock })
    // This node caches "no such alias" first…
    await expect(h.kms.encrypt(caller, { keyId: 'alias/aws/ssm', plaintext: new Uint8Array([1]) })).rejects.toMatchObject({ code: 'NotFound' })
    // …then another node creates the managed key.
    const winner = await other.awsManagedKey(caller, 'ssm')
    const mine = await h.kms.awsManagedKey(caller, 'ssm')
    expect(mine.keyId).toBe(winner.keyId)
    const keys = await h.db.db.selectFrom('kms_keys').select('id').where('key_manager', '=', 'AWS').execute()
    expect(keys).toHaveLength(1)
  })
})
