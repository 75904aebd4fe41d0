/**
 * Key management through the real @aws-sdk/client-kms against a real server: key lifecycle,
 * listing with the SDK paginators, aliases, tags, rotation and key policies, with the error
 * classes the SDK must surface.
 */
import {
  AlreadyExistsException,
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  InvalidMarkerException,
  KMSInvalidStateException,
  type KMSClient,
  KMSServiceException,
  LimitExceededException,
  ListAliasesCommand,
  ListKeyPoliciesCommand,
  ListKeyRotationsCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  NotFoundException,
  PutKeyPolicyCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  TagException,
  TagResourceCommand,
  UnsupportedOperationException,
  UntagResourceCommand,
  UpdateAliasCommand,
  UpdateKeyDescriptionCommand,
  DryRunOperationException,
  paginateListAliases,
  paginateListKeys,
  DisabledException,
  EncryptCommand,
} from '@aws-sdk/client-kms'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { kmsClient, sdkError } from '../support/aws.ts'
import { TEST_ACCOUNT, TEST_REGION, type TestServer, startTestServer } from '../support/server.ts'

let t: TestServer
let kms: KMSClient

beforeAll(async () => {
  t = await startTestServer()
  kms = kmsClient(t)
})
afterAll(async () => {
  kms?.destroy()
  await t?.stop()
})

const DAY = 86_400_000
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const keyArn = (id: string) => `arn:aws:kms:${TEST_REGION}:${TEST_ACCOUNT}:key/${id}`

async function newKey(input: ConstructorParameters<typeof CreateKeyCommand>[0] = {}): Promise<string> {
  const out = await kms.send(new CreateKeyCommand(input))
  return out.KeyMetadata!.KeyId!
}

/** The SDK error of a failed call, with the checks every client error must pass. */
async function clientError(p: Promise<unknown>): Promise<KMSServiceException> {
  const e = await sdkError(p)
  expect(e).toBeInstanceOf(KMSServiceException)
  expect(e.$metadata.httpStatusCode).toBe(400)
  expect(e.$metadata.requestId).toMatch(UUID)
  expect(e.$fault).toBe('client')
  return e as unknown as KMSServiceException
}

describe('CreateKey and DescribeKey', () => {
  it('creates a symmetric key with AWS metadata and describes it by id, ARN, alias and alias ARN', async () => {
    const before = t.clock.now()
    const out = await kms.send(new CreateKeyCommand({ Description: 'first key', Tags: [{ TagKey: 'team', TagValue: 'core' }] }))
    const md = out.KeyMetadata!
    expect(md.KeyId).toMatch(UUID)
    expect(md).toMatchObject({
      AWSAccountId: TEST_ACCOUNT,
      Arn: keyArn(md.KeyId!),
      Enabled: true,
      Description: 'first key',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: 'Enabled',
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      KeySpec: 'SYMMETRIC_DEFAULT',
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      MultiRegion: false,
    })
    expect(md.CreationDate).toBeInstanceOf(Date)
    expect(Math.abs(md.CreationDate!.getTime() - before)).toBeLessThan(2000)

    await kms.send(new CreateAliasCommand({ AliasName: 'alias/first', TargetKeyId: md.KeyId }))
    for (const ref of [md.KeyId!, md.Arn!, 'alias/first', `arn:aws:kms:${TEST_REGION}:${TEST_ACCOUNT}:alias/first`]) {
      const d = await kms.send(new DescribeKeyCommand({ KeyId: ref }))
      expect(d.KeyMetadata!.Arn).toBe(md.Arn)
      expect(d.KeyMetadata!.CreationDate!.getTime()).toBe(md.CreationDate!.getTime())
    }
  })

  it('Description defaults to the empty string', async () => {
    const out = await kms.send(new CreateKeyCommand({}))
    expect(out.KeyMetadata!.Description).toBe('')
  })

  const combos: [string, string, Record<string, string[]>][] = [
    ['HMAC_224', 'GENERATE_VERIFY_MAC', { MacAlgorithms: ['HMAC_SHA_224'] }],
    ['HMAC_256', 'GENERATE_VERIFY_MAC', { MacAlgorithms: ['HMAC_SHA_256'] }],
    ['HMAC_384', 'GENERATE_VERIFY_MAC', { MacAlgorithms: ['HMAC_SHA_384'] }],
    ['HMAC_512', 'GENERATE_VERIFY_MAC', { MacAlgorithms: ['HMAC_SHA_512'] }],
    ['RSA_2048', 'ENCRYPT_DECRYPT', { EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] }],
    ['RSA_2048', 'SIGN_VERIFY', { SigningAlgorithms: ['RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512', 'RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512'] }],
    ['RSA_3072', 'ENCRYPT_DECRYPT', { EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] }],
    ['ECC_NIST_P256', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_256'] }],
    ['ECC_NIST_P256', 'KEY_AGREEMENT', { KeyAgreementAlgorithms: ['ECDH'] }],
    ['ECC_NIST_P384', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_384'] }],
    ['ECC_NIST_P384', 'KEY_AGREEMENT', { KeyAgreementAlgorithms: ['ECDH'] }],
    ['ECC_NIST_P521', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_512'] }],
    ['ECC_NIST_P521', 'KEY_AGREEMENT', { KeyAgreementAlgorithms: ['ECDH'] }],
    ['ECC_SECG_P256K1', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_256'] }],
    ['ECC_NIST_EDWARDS25519', 'SIGN_VERIFY', { SigningAlgorithms: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'] }],
    ['ML_DSA_44', 'SIGN_VERIFY', { SigningAlgorithms: ['ML_DSA_SHAKE_256'] }],
    ['ML_DSA_65', 'SIGN_VERIFY', { SigningAlgorithms: ['ML_DSA_SHAKE_256'] }],
    ['ML_DSA_87', 'SIGN_VERIFY', { SigningAlgorithms: ['ML_DSA_SHAKE_256'] }],
  ]
  it.each(combos)('creates %s for %s with its algorithms', async (spec, usage, algorithms) => {
    const out = await kms.send(new CreateKeyCommand({ KeySpec: spec as never, KeyUsage: usage as never }))
    expect(out.KeyMetadata).toMatchObject({ KeySpec: spec, CustomerMasterKeySpec: spec, KeyUsage: usage, KeyState: 'Enabled', ...algorithms })
    for (const k of ['EncryptionAlgorithms', 'SigningAlgorithms', 'MacAlgorithms', 'KeyAgreementAlgorithms']) {
      if (!(k in algorithms)) expect(out.KeyMetadata![k as 'MacAlgorithms']).toBeUndefined()
    }
  })

  it('accepts the old CustomerMasterKeySpec name', async () => {
    const out = await kms.send(new CreateKeyCommand({ CustomerMasterKeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }))
    expect(out.KeyMetadata!.KeySpec).toBe('HMAC_256')
  })

  it('Origin EXTERNAL makes a key pending import', async () => {
    const out = await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))
    expect(out.KeyMetadata).toMatchObject({ Origin: 'EXTERNAL', KeyState: 'PendingImport', Enabled: false })
  })

  it('refuses bad spec/usage pairs, missing usage and unknown enums with ValidationException', async () => {
    let e = await clientError(kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048' })))
    expect(e.name).toBe('ValidationException')
    expect(e.message).toBe('You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.')
    e = await clientError(kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'KEY_AGREEMENT' })))
    expect(e.name).toBe('ValidationException')
    expect(e.message).toBe('KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048')
    e = await clientError(kms.send(new CreateKeyCommand({ KeySpec: 'RSA_1024' as never })))
    expect(e.name).toBe('ValidationException')
    expect(e.message).toMatch(/^1 validation error detected: Value 'RSA_1024' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: \[/)
    e = await clientError(kms.send(new CreateKeyCommand({ Description: 'x'.repeat(8193) })))
    expect(e.name).toBe('ValidationException')
    expect(e.message).toMatch(/at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192/)
  })

  it('answers UnsupportedOperationException for custom key stores', async () => {
    const e = await clientError(kms.send(new CreateKeyCommand({ Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: 'cks-1234567890abcdef0' })))
    expect(e).toBeInstanceOf(UnsupportedOperationException)
  })

  it('DescribeKey of a predefined AWS alias creates the AWS managed key (as AWS does)', async () => {
    const md = (await kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/ssm' }))).KeyMetadata!
    expect(md).toMatchObject({ KeyManager: 'AWS', KeyState: 'Enabled', KeySpec: 'SYMMETRIC_DEFAULT' })
    const again = (await kms.send(new DescribeKeyCommand({ KeyId: `arn:aws:kms:${TEST_REGION}:${TEST_ACCOUNT}:alias/aws/ssm` }))).KeyMetadata!
    expect(again.KeyId).toBe(md.KeyId)
    const aliases = await kms.send(new ListAliasesCommand({ KeyId: md.KeyId }))
    expect(aliases.Aliases!.map((a) => a.AliasName)).toEqual(['alias/aws/ssm'])
    const e = await clientError(kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/nothing' })))
    expect(e).toBeInstanceOf(NotFoundException)
  })

  it('DescribeKey of a missing or malformed key: NotFoundException with AWS wording', async () => {
    const id = '00000000-0000-4000-8000-000000000000'
    let e = await clientError(kms.send(new DescribeKeyCommand({ KeyId: id })))
    expect(e).toBeInstanceOf(NotFoundException)
    expect(e.message).toBe(`Key '${keyArn(id)}' does not exist`)
    e = await clientError(kms.send(new DescribeKeyCommand({ KeyId: 'not-a-key' })))
    expect(e).toBeInstanceOf(NotFoundException)
    expect(e.message).toBe("Invalid keyId 'not-a-key'")
    e = await clientError(kms.send(new DescribeKeyCommand({ KeyId: 'alias/nope' })))
    expect(e).toBeInstanceOf(NotFoundException)
    expect(e.message).toBe(`Alias arn:aws:kms:${TEST_REGION}:${TEST_ACCOUNT}:alias/nope is not found.`)
  })
})

describe('ListKeys', () => {
  it('pages with Limit/Marker and the SDK paginator, covering every key once', async () => {
    for (let i = 0; i < 7; i++) await newKey({ Description: `page-${i}` })
    const first = await kms.send(new ListKeysCommand({ Limit: 3 }))
    expect(first.Keys).toHaveLength(3)
    expect(first.Truncated).toBe(true)
    expect(typeof first.NextMarker).toBe('string')
    for (const k of first.Keys!) expect(k.KeyArn).toBe(keyArn(k.KeyId!))

    const seen: string[] = []
    let pages = 0
    for await (const page of paginateListKeys({ client: kms, pageSize: 3 }, {})) {
      pages++
      expect(page.Keys!.length).toBeLessThanOrEqual(3)
      seen.push(...page.Keys!.map((k) => k.KeyId!))
      if (!page.Truncated) expect(page.NextMarker).toBeUndefined()
    }
    const all = await kms.send(new ListKeysCommand({ Limit: 1000 }))
    expect(all.Truncated).toBe(false)
    expect(all.NextMarker).toBeUndefined()
    expect(new Set(seen).size).toBe(seen.length)
    expect([...seen].sort()).toEqual(all.Keys!.map((k) => k.KeyId!).sort())
    expect(pages).toBe(Math.ceil(seen.length / 3))
    expect(seen.length).toBeGreaterThanOrEqual(7)
  })

  it('a bad marker is InvalidMarkerException; Limit out of range is ValidationException', async () => {
    const e = await clientError(kms.send(new ListKeysCommand({ Marker: 'garbage!!' })))
    expect(e).toBeInstanceOf(InvalidMarkerException)
    const v = await clientError(kms.send(new ListKeysCommand({ Limit: 1001 })))
    expect(v.name).toBe('ValidationException')
    expect(v.message).toBe("1 validation error detected: Value '1001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000")
  })
})

describe('key state changes', () => {
  it('UpdateKeyDescription, DisableKey, EnableKey', async () => {
    const id = await newKey()
    await kms.send(new UpdateKeyDescriptionCommand({ KeyId: id, Description: 'changed' }))
    expect((await kms.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!.Description).toBe('changed')

    await kms.send(new DisableKeyCommand({ KeyId: id }))
    let md = (await kms.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!
    expect(md).toMatchObject({ Enabled: false, KeyState: 'Disabled' })
    const e = await clientError(kms.send(new EncryptCommand({ KeyId: id, Plaintext: new Uint8Array([1]) })))
    expect(e).toBeInstanceOf(DisabledException)
    expect(e.message).toBe(`${keyArn(id)} is disabled.`)

    await kms.send(new EnableKeyCommand({ KeyId: id }))
    md = (await kms.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!
    expect(md).toMatchObject({ Enabled: true, KeyState: 'Enabled' })
  })

  it('ScheduleKeyDeletion then CancelKeyDeletion leaves the key Disabled', async () => {
    const id = await newKey()
    const now = t.clock.now()
    const s = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: id, PendingWindowInDays: 7 }))
    expect(s).toMatchObject({ KeyId: keyArn(id), KeyState: 'PendingDeletion', PendingWindowInDays: 7 })
    expect(Math.abs(s.DeletionDate!.getTime() - (now + 7 * DAY))).toBeLessThan(2000)
    const md = (await kms.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!
    expect(md).toMatchObject({ Enabled: false, KeyState: 'PendingDeletion', PendingDeletionWindowInDays: 7 })
    expect(md.DeletionDate!.getTime()).toBe(s.DeletionDate!.getTime())

    let e = await clientError(kms.send(new EncryptCommand({ KeyId: id, Plaintext: new Uint8Array([1]) })))
    expect(e).toBeInstanceOf(KMSInvalidStateException)
    expect(e.message).toBe(`${keyArn(id)} is pending deletion.`)
    e = await clientError(kms.send(new ScheduleKeyDeletionCommand({ KeyId: id })))
    expect(e).toBeInstanceOf(KMSInvalidStateException)

    const c = await kms.send(new CancelKeyDeletionCommand({ KeyId: id }))
    expect(c.KeyId).toBe(keyArn(id))
    const after = (await kms.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!
    expect(after).toMatchObject({ KeyState: 'Disabled', Enabled: false })
    expect(after.DeletionDate).toBeUndefined()

    e = await clientError(kms.send(new CancelKeyDeletionCommand({ KeyId: id })))
    expect(e).toBeInstanceOf(KMSInvalidStateException)
    expect(e.message).toBe(`${keyArn(id)} is not pending deletion.`)
  })

  it('PendingWindowInDays outside 7–30 is ValidationException; DryRun is DryRunOperationException', async () => {
    const id = await newKey()
    const e = await clientError(kms.send(new ScheduleKeyDeletionCommand({ KeyId: id, PendingWindowInDays: 6 })))
    expect(e.name).toBe('ValidationException')
    const d = await clientError(kms.send(new EncryptCommand({ KeyId: id, Plaintext: new Uint8Array([1]), DryRun: true })))
    expect(d).toBeInstanceOf(DryRunOperationException)
    expect(d.message).toBe('The request would have succeeded, but the DryRun option is set.')
  })
})

describe('aliases', () => {
  it('Create, Update, Delete and ListAliases (paginator and KeyId filter)', async () => {
    const a = await newKey()
    const b = await newKey()
    for (let i = 0; i < 5; i++) await kms.send(new CreateAliasCommand({ AliasName: `alias/pg-${i}`, TargetKeyId: a }))
    const byKey = await kms.send(new ListAliasesCommand({ KeyId: a }))
    expect(byKey.Aliases!.map((x) => x.AliasName).sort()).toEqual(['alias/pg-0', 'alias/pg-1', 'alias/pg-2', 'alias/pg-3', 'alias/pg-4'])
    expect(byKey.Truncated).toBe(false)
    for (const al of byKey.Aliases!) {
      expect(al.AliasArn).toBe(`arn:aws:kms:${TEST_REGION}:${TEST_ACCOUNT}:${al.AliasName}`)
      expect(al.TargetKeyId).toBe(a)
      expect(al.CreationDate).toBeInstanceOf(Date)
    }

    const names: string[] = []
    for await (const page of paginateListAliases({ client: kms, pageSize: 2 }, {})) {
      expect(page.Aliases!.length).toBeLessThanOrEqual(2)
      names.push(...page.Aliases!.map((x) => x.AliasName!))
    }
    expect(new Set(names).size).toBe(names.length)
    for (let i = 0; i < 5; i++) expect(names).toContain(`alias/pg-${i}`)

    await kms.send(new UpdateAliasCommand({ AliasName: 'alias/pg-0', TargetKeyId: b }))
    expect((await kms.send(new DescribeKeyCommand({ KeyId: 'alias/pg-0' }))).KeyMetadata!.KeyId).toBe(b)
    await kms.send(new DeleteAliasCommand({ AliasName: 'alias/pg-0' }))
    const e = await clientError(kms.send(new DescribeKeyCommand({ KeyId: 'alias/pg-0' })))
    expect(e).toBeInstanceOf(NotFoundException)
  })

  it('duplicates, bad names, reserved names and alias targets are refused', async () => {
    const a = await newKey()
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/dup', TargetKeyId: a }))
    let e = await clientError(kms.send(new CreateAliasCommand({ AliasName: 'alias/dup', TargetKeyId: a })))
    expect(e).toBeInstanceOf(AlreadyExistsException)
    expect(e.message).toBe(`An alias with the name arn:aws:kms:${TEST_REGION}:${TEST_ACCOUNT}:alias/dup already exists`)
    e = await clientError(kms.send(new CreateAliasCommand({ AliasName: 'noprefix', TargetKeyId: a })))
    expect(e.name).toBe('ValidationException')
    expect(e.message).toContain('Alias must start with the prefix "alias/"')
    e = await clientError(kms.send(new CreateAliasCommand({ AliasName: 'alias/aws/mine', TargetKeyId: a })))
    expect(e.name).toBe('AccessDeniedException')
    e = await clientError(kms.send(new CreateAliasCommand({ AliasName: 'alias/other', TargetKeyId: 'alias/dup' })))
    expect(e).toBeInstanceOf(NotFoundException)
    expect(e.message).toBe("Invalid keyId 'alias/dup'")
    e = await clientError(kms.send(new DeleteAliasCommand({ AliasName: 'alias/never' })))
    expect(e).toBeInstanceOf(NotFoundException)
    e = await clientError(kms.send(new ListAliasesCommand({ Marker: 'garbage!!' })))
    expect(e).toBeInstanceOf(InvalidMarkerException)
  })
})

describe('tags', () => {
  it('TagResource, ListResourceTags, UntagResource', async () => {
    const id = await newKey({ Tags: [{ TagKey: 'a', TagValue: '1' }] })
    await kms.send(new TagResourceCommand({ KeyId: id, Tags: [{ TagKey: 'b', TagValue: '2' }, { TagKey: 'a', TagValue: 'one' }] }))
    let tags = await kms.send(new ListResourceTagsCommand({ KeyId: id }))
    expect(tags.Tags!.map((x) => [x.TagKey, x.TagValue]).sort()).toEqual([['a', 'one'], ['b', '2']])
    expect(tags.Truncated).toBe(false)
    await kms.send(new UntagResourceCommand({ KeyId: id, TagKeys: ['a'] }))
    tags = await kms.send(new ListResourceTagsCommand({ KeyId: id }))
    expect(tags.Tags).toEqual([{ TagKey: 'b', TagValue: '2' }])
  })

  it('reserved prefixes, duplicates and too many tags are TagException', async () => {
    const id = await newKey()
    let e = await clientError(kms.send(new TagResourceCommand({ KeyId: id, Tags: [{ TagKey: 'aws:x', TagValue: '1' }] })))
    expect(e).toBeInstanceOf(TagException)
    e = await clientError(kms.send(new TagResourceCommand({ KeyId: id, Tags: [{ TagKey: 'd', TagValue: '1' }, { TagKey: 'd', TagValue: '2' }] })))
    expect(e).toBeInstanceOf(TagException)
    const many = Array.from({ length: 51 }, (_, i) => ({ TagKey: `k${i}`, TagValue: 'v' }))
    e = await clientError(kms.send(new TagResourceCommand({ KeyId: id, Tags: many })))
    expect(e).toBeInstanceOf(TagException)
  })
})

describe('per-key quotas under concurrent requests', () => {
  it('60 concurrent TagResource calls of one new tag each: exactly 50 succeed', async () => {
    const id = await newKey()
    const results = await Promise.allSettled(Array.from({ length: 60 }, (_, i) => kms.send(new TagResourceCommand({ KeyId: id, Tags: [{ TagKey: `t${i}`, TagValue: 'v' }] }))))
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(50)
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(TagException)
    const first = await kms.send(new ListResourceTagsCommand({ KeyId: id, Limit: 50 }))
    expect(first.Tags).toHaveLength(50)
    expect(first.Truncated).toBe(false)
  })

  it('60 concurrent CreateAlias calls for one key: exactly 50 succeed', async () => {
    const id = await newKey()
    const results = await Promise.allSettled(Array.from({ length: 60 }, (_, i) => kms.send(new CreateAliasCommand({ AliasName: `alias/quota-${i}`, TargetKeyId: id }))))
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(50)
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(LimitExceededException)
    expect((await kms.send(new ListAliasesCommand({ KeyId: id, Limit: 100 }))).Aliases).toHaveLength(50)
  })
})

describe('rotation', () => {
  it('Enable/Disable/GetKeyRotationStatus, RotateKeyOnDemand and ListKeyRotations', async () => {
    const id = await newKey()
    let st = await kms.send(new GetKeyRotationStatusCommand({ KeyId: id }))
    expect(st.KeyRotationEnabled).toBe(false)
    await kms.send(new EnableKeyRotationCommand({ KeyId: id, RotationPeriodInDays: 90 }))
    st = await kms.send(new GetKeyRotationStatusCommand({ KeyId: id }))
    expect(st).toMatchObject({ KeyId: keyArn(id), KeyRotationEnabled: true, RotationPeriodInDays: 90 })
    expect(Math.abs(st.NextRotationDate!.getTime() - (t.clock.now() + 90 * DAY))).toBeLessThan(2000)

    const r = await kms.send(new RotateKeyOnDemandCommand({ KeyId: id }))
    expect(r.KeyId).toBe(keyArn(id))
    const rotations = await kms.send(new ListKeyRotationsCommand({ KeyId: id }))
    expect(rotations.Rotations).toHaveLength(1)
    expect(rotations.Rotations![0]).toMatchObject({ KeyId: keyArn(id), RotationType: 'ON_DEMAND' })
    expect(rotations.Rotations![0]!.RotationDate).toBeInstanceOf(Date)
    expect(rotations.Truncated).toBe(false)

    await kms.send(new DisableKeyRotationCommand({ KeyId: id }))
    st = await kms.send(new GetKeyRotationStatusCommand({ KeyId: id }))
    expect(st.KeyRotationEnabled).toBe(false)

    const e = await clientError(kms.send(new EnableKeyRotationCommand({ KeyId: id, RotationPeriodInDays: 89 })))
    expect(e.name).toBe('ValidationException')
  })

  it('asymmetric and HMAC keys do not rotate: UnsupportedOperationException', async () => {
    const id = await newKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })
    const e = await clientError(kms.send(new EnableKeyRotationCommand({ KeyId: id })))
    expect(e).toBeInstanceOf(UnsupportedOperationException)
    const r = await clientError(kms.send(new RotateKeyOnDemandCommand({ KeyId: id })))
    expect(r).toBeInstanceOf(UnsupportedOperationException)
  })

  it('the 26th on-demand rotation is LimitExceededException', async () => {
    const id = await newKey()
    for (let i = 0; i < 25; i++) await kms.send(new RotateKeyOnDemandCommand({ KeyId: id }))
    const e = await clientError(kms.send(new RotateKeyOnDemandCommand({ KeyId: id })))
    expect(e).toBeInstanceOf(LimitExceededException)
    expect(e.message).toMatch(/^The on-demand rotations limit has been reached for the given keyId\./)
    const all = await kms.send(new ListKeyRotationsCommand({ KeyId: id, Limit: 10 }))
    expect(all.Rotations).toHaveLength(10)
    expect(all.Truncated).toBe(true)
  })

  it('rotation on a disabled key is DisabledException', async () => {
    const id = await newKey()
    await kms.send(new DisableKeyCommand({ KeyId: id }))
    const e = await clientError(kms.send(new EnableKeyRotationCommand({ KeyId: id })))
    expect(e).toBeInstanceOf(DisabledException)
  })
})

describe('key policies', () => {
  it('the default policy, ListKeyPolicies and PutKeyPolicy', async () => {
    const id = await newKey()
    const got = await kms.send(new GetKeyPolicyCommand({ KeyId: id, PolicyName: 'default' }))
    expect(got.PolicyName).toBe('default')
    const doc = JSON.parse(got.Policy!)
    expect(doc).toMatchObject({ Version: '2012-10-17', Id: 'key-default-1' })
    expect(doc.Statement[0]).toMatchObject({ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TEST_ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' })
    expect((await kms.send(new GetKeyPolicyCommand({ KeyId: id }))).Policy).toBe(got.Policy)

    const list = await kms.send(new ListKeyPoliciesCommand({ KeyId: id }))
    expect(list.PolicyNames).toEqual(['default'])
    expect(list.Truncated).toBe(false)

    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TEST_ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }],
    })
    await kms.send(new PutKeyPolicyCommand({ KeyId: id, PolicyName: 'default', Policy: policy }))
    expect(JSON.parse((await kms.send(new GetKeyPolicyCommand({ KeyId: id }))).Policy!)).toEqual(JSON.parse(policy))
  })

  it('a policy that is not JSON is MalformedPolicyDocumentException; another name is refused', async () => {
    const id = await newKey()
    const e = await clientError(kms.send(new PutKeyPolicyCommand({ KeyId: id, PolicyName: 'default', Policy: '{not json' })))
    expect(e.name).toBe('MalformedPolicyDocumentException')
    const n = await clientError(kms.send(new GetKeyPolicyCommand({ KeyId: id, PolicyName: 'other' })))
    expect(['NotFoundException', 'ValidationException']).toContain(n.name)
  })
})
