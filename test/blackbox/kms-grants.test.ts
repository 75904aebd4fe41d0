/**
 * Grants and multi-Region keys through the real @aws-sdk/client-kms, including a grantee
 * without identity policies using a key only through its grant.
 */
import {
  CreateGrantCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  InvalidGrantIdException,
  InvalidGrantTokenException,
  type KMSClient,
  KMSServiceException,
  ListGrantsCommand,
  ListKeysCommand,
  ListRetirableGrantsCommand,
  NotFoundException,
  ReplicateKeyCommand,
  RetireGrantCommand,
  RevokeGrantCommand,
  UnsupportedOperationException,
  UpdatePrimaryRegionCommand,
  paginateListGrants,
} from '@aws-sdk/client-kms'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adminApi, kmsClient, sdkError } from '../support/aws.ts'
import { TEST_ACCOUNT, TEST_REGION, type TestServer, startTestServer } from '../support/server.ts'

let t: TestServer
let kms: KMSClient
let west: KMSClient
const ADMIN = `arn:aws:iam::${TEST_ACCOUNT}:user/admin`
const APP = `arn:aws:iam::${TEST_ACCOUNT}:role/app`
const enc = new TextEncoder()

beforeAll(async () => {
  t = await startTestServer()
  kms = kmsClient(t)
  west = kmsClient(t, { region: 'eu-west-1' })
})
afterAll(async () => {
  kms?.destroy()
  west?.destroy()
  await t?.stop()
})

async function clientError(p: Promise<unknown>): Promise<KMSServiceException> {
  const e = await sdkError(p)
  expect(e).toBeInstanceOf(KMSServiceException)
  expect(e.$metadata.httpStatusCode).toBe(400)
  expect(e.$metadata.requestId).toBeTruthy()
  return e as unknown as KMSServiceException
}

describe('grants', () => {
  it('CreateGrant, ListGrants (paginator), ListRetirableGrants, RetireGrant and RevokeGrant', async () => {
    const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!
    const g1 = await kms.send(
      new CreateGrantCommand({
        KeyId: keyId,
        GranteePrincipal: APP,
        RetiringPrincipal: ADMIN,
        Operations: ['Encrypt', 'Decrypt'],
        Constraints: { EncryptionContextSubset: { app: 'web' } },
        Name: 'web',
      }),
    )
    expect(g1.GrantId).toMatch(/^[0-9a-f]{64}$/)
    expect(typeof g1.GrantToken).toBe('string')
    // same name and parameters: the same grant id (a retry), a new token
    const again = await kms.send(
      new CreateGrantCommand({ KeyId: keyId, GranteePrincipal: APP, RetiringPrincipal: ADMIN, Operations: ['Decrypt', 'Encrypt'], Constraints: { EncryptionContextSubset: { app: 'web' } }, Name: 'web' }),
    )
    expect(again.GrantId).toBe(g1.GrantId)
    const g2 = await kms.send(new CreateGrantCommand({ KeyId: keyId, GranteePrincipal: APP, Operations: ['GenerateDataKey'] }))
    const g3 = await kms.send(new CreateGrantCommand({ KeyId: keyId, GranteePrincipal: ADMIN, Operations: ['DescribeKey'] }))

    const listed = await kms.send(new ListGrantsCommand({ KeyId: keyId }))
    expect(listed.Grants!.map((g) => g.GrantId).sort()).toEqual([g1.GrantId, g2.GrantId, g3.GrantId].sort())
    const web = listed.Grants!.find((g) => g.GrantId === g1.GrantId)!
    expect(web).toMatchObject({
      KeyId: `arn:aws:kms:${TEST_REGION}:${TEST_ACCOUNT}:key/${keyId}`,
      Name: 'web',
      GranteePrincipal: APP,
      RetiringPrincipal: ADMIN,
      IssuingAccount: `arn:aws:iam::${TEST_ACCOUNT}:root`,
      Constraints: { EncryptionContextSubset: { app: 'web' } },
    })
    expect([...web.Operations!].sort()).toEqual(['Decrypt', 'Encrypt'])
    expect(web.CreationDate).toBeInstanceOf(Date)

    const paged: string[] = []
    for await (const page of paginateListGrants({ client: kms, pageSize: 2 }, { KeyId: keyId })) paged.push(...page.Grants!.map((g) => g.GrantId!))
    expect(paged.sort()).toEqual([g1.GrantId, g2.GrantId, g3.GrantId].sort())
    const byGrantee = await kms.send(new ListGrantsCommand({ KeyId: keyId, GranteePrincipal: ADMIN }))
    expect(byGrantee.Grants!.map((g) => g.GrantId)).toEqual([g3.GrantId])

    const retirable = await kms.send(new ListRetirableGrantsCommand({ RetiringPrincipal: ADMIN }))
    expect(retirable.Grants!.map((g) => g.GrantId)).toContain(g1.GrantId)

    // a fresh grant token is usable at once
    const e = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: enc.encode('x'), EncryptionContext: { app: 'web' }, GrantTokens: [g1.GrantToken!] }))
    expect(e.CiphertextBlob!.length).toBeGreaterThan(0)

    await kms.send(new RetireGrantCommand({ GrantToken: g1.GrantToken }))
    await kms.send(new RetireGrantCommand({ KeyId: keyId, GrantId: g2.GrantId }))
    await kms.send(new RevokeGrantCommand({ KeyId: keyId, GrantId: g3.GrantId }))
    expect((await kms.send(new ListGrantsCommand({ KeyId: keyId }))).Grants).toEqual([])
  })

  it('grant errors: InvalidGrantTokenException, InvalidGrantIdException, NotFoundException, ValidationException', async () => {
    const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!
    let e = await clientError(kms.send(new RetireGrantCommand({ GrantToken: 'not-a-token' })))
    expect(e).toBeInstanceOf(InvalidGrantTokenException)
    e = await clientError(kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: enc.encode('x'), GrantTokens: ['not-a-token'] })))
    expect(e).toBeInstanceOf(InvalidGrantTokenException)
    e = await clientError(kms.send(new RevokeGrantCommand({ KeyId: keyId, GrantId: 'bad id' })))
    expect(e).toBeInstanceOf(InvalidGrantIdException)
    e = await clientError(kms.send(new RevokeGrantCommand({ KeyId: keyId, GrantId: 'a'.repeat(64) })))
    expect(e).toBeInstanceOf(NotFoundException)
    // Sign on a symmetric key
    e = await clientError(kms.send(new CreateGrantCommand({ KeyId: keyId, GranteePrincipal: APP, Operations: ['Sign'] })))
    expect(e.name).toBe('ValidationException')
    e = await clientError(kms.send(new CreateGrantCommand({ KeyId: keyId, GranteePrincipal: APP, Operations: ['Fly' as never] })))
    expect(e.name).toBe('ValidationException')
  })

  it('a grantee without identity policies may use the key through the grant, within its constraints, until it is revoked', async () => {
    const made = await adminApi(t, 'POST', '/users', { name: 'grantee' })
    expect(made.status).toBe(201)
    const key = await adminApi(t, 'POST', '/users/grantee/access-keys')
    const app = kmsClient(t, { credentials: { accessKeyId: key.json.accessKeyId as string, secretAccessKey: key.json.secretAccessKey as string } })
    try {
      const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!
      const arn = `arn:aws:kms:${TEST_REGION}:${TEST_ACCOUNT}:key/${keyId}`
      let e = await sdkError(app.send(new EncryptCommand({ KeyId: arn, Plaintext: enc.encode('x'), EncryptionContext: { app: 'web' } })))
      expect(e.name).toBe('AccessDeniedException')

      const g = await kms.send(
        new CreateGrantCommand({ KeyId: keyId, GranteePrincipal: made.json.arn as string, Operations: ['Encrypt', 'Decrypt'], Constraints: { EncryptionContextSubset: { app: 'web' } } }),
      )
      const ct = (await app.send(new EncryptCommand({ KeyId: arn, Plaintext: enc.encode('granted'), EncryptionContext: { app: 'web', extra: '1' } }))).CiphertextBlob!
      expect(new TextDecoder().decode((await app.send(new DecryptCommand({ CiphertextBlob: ct, EncryptionContext: { app: 'web', extra: '1' } }))).Plaintext)).toBe('granted')
      e = await sdkError(app.send(new EncryptCommand({ KeyId: arn, Plaintext: enc.encode('x'), EncryptionContext: { app: 'other' } })))
      expect(e.name).toBe('AccessDeniedException')
      e = await sdkError(app.send(new DescribeKeyCommand({ KeyId: arn })))
      expect(e.name).toBe('AccessDeniedException')

      await kms.send(new RevokeGrantCommand({ KeyId: keyId, GrantId: g.GrantId }))
      e = await sdkError(app.send(new DecryptCommand({ CiphertextBlob: ct, EncryptionContext: { app: 'web', extra: '1' } })))
      expect(e.name).toBe('AccessDeniedException')
      expect(e.$metadata.httpStatusCode).toBe(400)
    } finally {
      app.destroy()
    }
  })
})

describe('multi-Region keys', () => {
  it('ReplicateKey puts the same key in another region; a ciphertext of one region decrypts in the other', async () => {
    const primary = (await kms.send(new CreateKeyCommand({ MultiRegion: true, Description: 'mrk' }))).KeyMetadata!
    expect(primary.KeyId).toMatch(/^mrk-[0-9a-f]{32}$/)
    expect(primary).toMatchObject({ MultiRegion: true, MultiRegionConfiguration: { MultiRegionKeyType: 'PRIMARY', PrimaryKey: { Arn: primary.Arn, Region: TEST_REGION } } })

    const rep = await kms.send(new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: 'eu-west-1', Description: 'replica' }))
    const replicaArn = `arn:aws:kms:eu-west-1:${TEST_ACCOUNT}:key/${primary.KeyId}`
    expect(rep.ReplicaKeyMetadata).toMatchObject({ KeyId: primary.KeyId, Arn: replicaArn, MultiRegion: true, Description: 'replica' })
    expect(rep.ReplicaKeyMetadata!.MultiRegionConfiguration!.MultiRegionKeyType).toBe('REPLICA')
    expect(JSON.parse(rep.ReplicaPolicy!).Version).toBe('2012-10-17')

    const inWest = (await west.send(new DescribeKeyCommand({ KeyId: primary.KeyId }))).KeyMetadata!
    expect(inWest.Arn).toBe(replicaArn)
    expect((await west.send(new ListKeysCommand({}))).Keys!.map((k) => k.KeyId)).toContain(primary.KeyId)
    const desc = (await kms.send(new DescribeKeyCommand({ KeyId: primary.KeyId }))).KeyMetadata!
    expect(desc.MultiRegionConfiguration!.ReplicaKeys).toEqual([{ Arn: replicaArn, Region: 'eu-west-1' }])

    const ct = (await kms.send(new EncryptCommand({ KeyId: primary.KeyId, Plaintext: enc.encode('across regions'), EncryptionContext: { a: 'b' } }))).CiphertextBlob!
    const d = await west.send(new DecryptCommand({ CiphertextBlob: ct, EncryptionContext: { a: 'b' } }))
    expect(new TextDecoder().decode(d.Plaintext)).toBe('across regions')
    expect(d.KeyId).toBe(replicaArn)
    const back = (await west.send(new EncryptCommand({ KeyId: primary.KeyId, Plaintext: enc.encode('back') }))).CiphertextBlob!
    expect(new TextDecoder().decode((await kms.send(new DecryptCommand({ CiphertextBlob: back }))).Plaintext)).toBe('back')

    // the same region again, or a non-primary: refused
    let e = await clientError(kms.send(new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: 'eu-west-1' })))
    expect(e.name).toBe('AlreadyExistsException')
    e = await clientError(west.send(new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: 'ap-south-1' })))
    expect(e).toBeInstanceOf(UnsupportedOperationException)
  })

  it('UpdatePrimaryRegion hands the primary role to the replica', async () => {
    const primary = (await kms.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!
    await kms.send(new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: 'eu-west-1' }))
    await kms.send(new UpdatePrimaryRegionCommand({ KeyId: primary.KeyId, PrimaryRegion: 'eu-west-1' }))
    const east = (await kms.send(new DescribeKeyCommand({ KeyId: primary.KeyId }))).KeyMetadata!
    const westMd = (await west.send(new DescribeKeyCommand({ KeyId: primary.KeyId }))).KeyMetadata!
    expect(westMd.MultiRegionConfiguration!.MultiRegionKeyType).toBe('PRIMARY')
    expect(east.MultiRegionConfiguration!.MultiRegionKeyType).toBe('REPLICA')
    expect(east.MultiRegionConfiguration!.PrimaryKey!.Region).toBe('eu-west-1')
  })

  it('a single-Region key cannot be replicated: UnsupportedOperationException', async () => {
    const id = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!
    const e = await clientError(kms.send(new ReplicateKeyCommand({ KeyId: id, ReplicaRegion: 'eu-west-1' })))
    expect(e).toBeInstanceOf(UnsupportedOperationException)
    expect(e.message).toBe(`arn:aws:kms:${TEST_REGION}:${TEST_ACCOUNT}:key/${id} is not a multi-Region key.`)
  })
})
