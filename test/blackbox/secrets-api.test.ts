/**
 * Secrets Manager through the real @aws-sdk/client-secrets-manager against a real server: every
 * operation Arca answers, the error classes the SDK must surface, SecretId forms (name, full
 * ARN, partial ARN and its ambiguity), ClientRequestToken idempotency and staging labels.
 */
import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DecryptionFailure,
  DeleteResourcePolicyCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  EncryptionFailure,
  GetRandomPasswordCommand,
  GetResourcePolicyCommand,
  GetSecretValueCommand,
  InvalidNextTokenException,
  InvalidParameterException,
  InvalidRequestException,
  ListSecretVersionIdsCommand,
  ListSecretsCommand,
  MalformedPolicyDocumentException,
  PublicPolicyException,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  RestoreSecretCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
  ValidateResourcePolicyCommand,
  paginateListSecrets,
} from '@aws-sdk/client-secrets-manager'
import { CreateKeyCommand, DisableKeyCommand, EnableKeyCommand, type KMSClient } from '@aws-sdk/client-kms'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { kmsClient, sdkError, signedFetch } from '../support/aws.ts'
import { secretsClient } from '../support/secrets.ts'
import { TEST_ACCOUNT, TEST_REGION, type TestServer, startTestServer } from '../support/server.ts'

let t: TestServer
let sm: SecretsManagerClient
let kms: KMSClient

beforeAll(async () => {
  t = await startTestServer()
  sm = secretsClient(t)
  kms = kmsClient(t)
})
afterAll(async () => {
  sm?.destroy()
  kms?.destroy()
  await t?.stop()
})

const token = (c: string) => c.repeat(36).slice(0, 36)
const sorted = (m: Record<string, string[]> | undefined) => Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [k, [...v].sort()]))

describe('CreateSecret and GetSecretValue', () => {
  it('creates with an ARN of the AWS form and reads AWSCURRENT by name, full ARN and partial ARN', async () => {
    const made = await sm.send(new CreateSecretCommand({ Name: 'app/db/password', SecretString: '{"password":"s3cr3t"}', Description: 'db' }))
    expect(made.ARN).toMatch(new RegExp(`^arn:aws:secretsmanager:${TEST_REGION}:${TEST_ACCOUNT}:secret:app/db/password-[A-Za-z0-9]{6}$`))
    expect(made.Name).toBe('app/db/password')
    expect(made.VersionId).toMatch(/^[0-9a-f-]{36}$/)
    for (const id of ['app/db/password', made.ARN!, made.ARN!.slice(0, -7)]) {
      const got = await sm.send(new GetSecretValueCommand({ SecretId: id }))
      expect(got).toMatchObject({ ARN: made.ARN, Name: 'app/db/password', VersionId: made.VersionId, SecretString: '{"password":"s3cr3t"}', VersionStages: ['AWSCURRENT'] })
      expect(got.CreatedDate).toBeInstanceOf(Date)
    }
  })

  it('stores binary values and returns them as bytes', async () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255])
    await sm.send(new CreateSecretCommand({ Name: 'bin', SecretBinary: bytes }))
    const got = await sm.send(new GetSecretValueCommand({ SecretId: 'bin' }))
    expect(got.SecretString).toBeUndefined()
    expect(Buffer.from(got.SecretBinary!)).toEqual(Buffer.from(bytes))
  })

  it('a secret without a value has no version: reads are ResourceNotFoundException naming the label', async () => {
    const made = await sm.send(new CreateSecretCommand({ Name: 'empty' }))
    expect(made.VersionId).toBeUndefined()
    const e = await sdkError(sm.send(new GetSecretValueCommand({ SecretId: 'empty' })))
    expect(e).toBeInstanceOf(ResourceNotFoundException)
    expect(e.message).toBe("Secrets Manager can't find the specified secret value for staging label: AWSCURRENT")
    expect(e.$metadata.httpStatusCode).toBe(400)
  })

  it('refuses bad input with the AWS error classes', async () => {
    expect(await sdkError(sm.send(new CreateSecretCommand({ Name: 'bad name!' })))).toMatchObject({ name: 'ValidationException' })
    expect(await sdkError(sm.send(new CreateSecretCommand({ Name: 'both', SecretString: 'a', SecretBinary: new Uint8Array([1]) })))).toBeInstanceOf(InvalidParameterException)
    const big = await sdkError(sm.send(new CreateSecretCommand({ Name: 'big', SecretString: 'x'.repeat(65_537) })))
    expect(big.name).toBe('ValidationException')
    expect(big.message).not.toContain('xxxx')
    await sm.send(new CreateSecretCommand({ Name: 'max', SecretString: 'x'.repeat(65_536) }))
    expect(await sdkError(sm.send(new CreateSecretCommand({ Name: 'max', SecretString: 'y' })))).toBeInstanceOf(ResourceExistsException)
    expect(await sdkError(sm.send(new CreateSecretCommand({ Name: 'tagged', Tags: [{ Key: 'aws:x', Value: 'y' }] })))).toBeInstanceOf(InvalidParameterException)
    const replica = await sdkError(sm.send(new CreateSecretCommand({ Name: 'replica', AddReplicaRegions: [{ Region: 'eu-west-1' }] })))
    expect(replica).toBeInstanceOf(InvalidRequestException)
    expect(replica.message).toMatch(/not supported/)
    expect(await sdkError(sm.send(new GetSecretValueCommand({ SecretId: 'nope' })))).toBeInstanceOf(ResourceNotFoundException)
    expect(await sdkError(sm.send(new RotateSecretCommand({ SecretId: 'max' })))).toBeInstanceOf(InvalidRequestException)
  })

  it('ClientRequestToken: same token and value is a no-op success; another value is ResourceExistsException', async () => {
    const tok = token('a')
    const first = await sm.send(new CreateSecretCommand({ Name: 'idem', SecretString: 'v1', ClientRequestToken: tok }))
    const again = await sm.send(new CreateSecretCommand({ Name: 'idem', SecretString: 'v1', ClientRequestToken: tok }))
    expect(again).toMatchObject({ ARN: first.ARN, VersionId: tok })
    expect(await sdkError(sm.send(new CreateSecretCommand({ Name: 'idem', SecretString: 'v2', ClientRequestToken: tok })))).toBeInstanceOf(ResourceExistsException)
    const put = await sm.send(new PutSecretValueCommand({ SecretId: 'idem', SecretString: 'v2', ClientRequestToken: token('b') }))
    const putAgain = await sm.send(new PutSecretValueCommand({ SecretId: 'idem', SecretString: 'v2', ClientRequestToken: token('b') }))
    expect(putAgain).toMatchObject({ VersionId: put.VersionId, VersionStages: ['AWSCURRENT'] })
    const diff = await sdkError(sm.send(new PutSecretValueCommand({ SecretId: 'idem', SecretString: 'v3', ClientRequestToken: token('b') })))
    expect(diff).toBeInstanceOf(ResourceExistsException)
    const versions = await sm.send(new ListSecretVersionIdsCommand({ SecretId: 'idem' }))
    expect(versions.Versions!.map((v) => v.VersionId).sort()).toEqual([token('a'), token('b')])
  })

  it('a raw request without ClientRequestToken is InvalidRequestException, as AWS', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'raw' }))
    const res = await signedFetch(t, { target: 'secretsmanager.PutSecretValue', service: 'secretsmanager', body: JSON.stringify({ SecretId: 'raw', SecretString: 'x' }) })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ __type: 'InvalidRequestException', Message: 'You must provide a ClientRequestToken value. We recommend a UUID-type value.' })
  })
})

describe('SecretId forms', () => {
  it('a partial ARN matches the whole name only; an ARN that is one secret\'s full ARN and another\'s partial ARN names the full-ARN one', async () => {
    const a = await sm.send(new CreateSecretCommand({ Name: 'pa', SecretString: 'A' }))
    const suffix = a.ARN!.slice(-6)
    const b = await sm.send(new CreateSecretCommand({ Name: `pa-${suffix}`, SecretString: 'B' }))
    await sm.send(new CreateSecretCommand({ Name: 'pa/child', SecretString: 'C' }))
    // a.ARN is also the partial ARN of b: AWS assumes a complete ARN.
    expect((await sm.send(new GetSecretValueCommand({ SecretId: a.ARN! }))).SecretString).toBe('A')
    expect((await sm.send(new GetSecretValueCommand({ SecretId: b.ARN! }))).SecretString).toBe('B')
    expect((await sm.send(new GetSecretValueCommand({ SecretId: b.ARN!.slice(0, -7) }))).SecretString).toBe('A')
    expect((await sm.send(new GetSecretValueCommand({ SecretId: `pa-${suffix}` }))).SecretString).toBe('B')
    // no prefix matching: "p" is nobody's partial ARN
    const prefix = a.ARN!.slice(0, -8)
    expect(await sdkError(sm.send(new GetSecretValueCommand({ SecretId: prefix })))).toBeInstanceOf(ResourceNotFoundException)
    // another Region's ARN names nothing here
    expect(await sdkError(sm.send(new GetSecretValueCommand({ SecretId: a.ARN!.replace(TEST_REGION, 'eu-west-1') })))).toBeInstanceOf(ResourceNotFoundException)
  })
})

describe('versions and staging labels', () => {
  it('PutSecretValue moves AWSCURRENT and the old current becomes AWSPREVIOUS; reads by VersionId and VersionStage', async () => {
    const v1 = await sm.send(new CreateSecretCommand({ Name: 'lbl', SecretString: 'one' }))
    const v2 = await sm.send(new PutSecretValueCommand({ SecretId: 'lbl', SecretString: 'two' }))
    expect(v2.VersionStages).toEqual(['AWSCURRENT'])
    const v3 = await sm.send(new PutSecretValueCommand({ SecretId: 'lbl', SecretString: 'three' }))
    const d = await sm.send(new DescribeSecretCommand({ SecretId: 'lbl' }))
    expect(sorted(d.VersionIdsToStages)).toEqual({ [v3.VersionId!]: ['AWSCURRENT'], [v2.VersionId!]: ['AWSPREVIOUS'] })
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'lbl', VersionStage: 'AWSPREVIOUS' }))).SecretString).toBe('two')
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'lbl', VersionId: v1.VersionId }))).SecretString).toBe('one')
    const mismatch = await sdkError(sm.send(new GetSecretValueCommand({ SecretId: 'lbl', VersionId: v1.VersionId, VersionStage: 'AWSCURRENT' })))
    expect(mismatch).toBeInstanceOf(InvalidRequestException)
    expect(mismatch.message).toBe('You provided a VersionStage that is not associated to the provided VersionId.')
    const noVersion = await sdkError(sm.send(new GetSecretValueCommand({ SecretId: 'lbl', VersionId: token('z') })))
    expect(noVersion.message).toBe(`Secrets Manager can't find the specified secret value for VersionId: ${token('z')}`)
    // deprecated versions are hidden unless IncludeDeprecated
    const listed = await sm.send(new ListSecretVersionIdsCommand({ SecretId: 'lbl' }))
    expect(listed.Versions!.map((v) => v.VersionId).sort()).toEqual([v2.VersionId, v3.VersionId].sort())
    const all = await sm.send(new ListSecretVersionIdsCommand({ SecretId: 'lbl', IncludeDeprecated: true }))
    expect(all.Versions).toHaveLength(3)
    expect(all.Versions!.every((v) => v.KmsKeyIds?.[0] === 'DefaultEncryptionKey')).toBe(true)
    const paged = await sm.send(new ListSecretVersionIdsCommand({ SecretId: 'lbl', IncludeDeprecated: true, MaxResults: 2 }))
    expect(paged.Versions).toHaveLength(2)
    const rest = await sm.send(new ListSecretVersionIdsCommand({ SecretId: 'lbl', IncludeDeprecated: true, MaxResults: 2, NextToken: paged.NextToken }))
    expect(rest.Versions).toHaveLength(1)
    expect(rest.NextToken).toBeUndefined()
    expect(await sdkError(sm.send(new ListSecretVersionIdsCommand({ SecretId: 'lbl', NextToken: 'garbage' })))).toBeInstanceOf(InvalidNextTokenException)
  })

  it('PutSecretValue with VersionStages moves only those labels', async () => {
    const v1 = await sm.send(new CreateSecretCommand({ Name: 'pend', SecretString: 'cur' }))
    const p = await sm.send(new PutSecretValueCommand({ SecretId: 'pend', SecretString: 'next', VersionStages: ['AWSPENDING'] }))
    expect(p.VersionStages).toEqual(['AWSPENDING'])
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'pend' }))).SecretString).toBe('cur')
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'pend', VersionStage: 'AWSPENDING' }))).SecretString).toBe('next')
    // finishSecret: move AWSCURRENT with RemoveFromVersionId, then drop AWSPENDING
    const refused = await sdkError(sm.send(new UpdateSecretVersionStageCommand({ SecretId: 'pend', VersionStage: 'AWSCURRENT', MoveToVersionId: p.VersionId })))
    expect(refused).toBeInstanceOf(InvalidParameterException)
    expect(refused.message).toContain(`currently attached to version ${v1.VersionId}`)
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: 'pend', VersionStage: 'AWSCURRENT', MoveToVersionId: p.VersionId, RemoveFromVersionId: v1.VersionId }))
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: 'pend', VersionStage: 'AWSPENDING', RemoveFromVersionId: p.VersionId }))
    const d = await sm.send(new DescribeSecretCommand({ SecretId: 'pend' }))
    expect(sorted(d.VersionIdsToStages)).toEqual({ [p.VersionId!]: ['AWSCURRENT'], [v1.VersionId!]: ['AWSPREVIOUS'] })
    const removeCurrent = await sdkError(sm.send(new UpdateSecretVersionStageCommand({ SecretId: 'pend', VersionStage: 'AWSCURRENT', RemoveFromVersionId: p.VersionId })))
    expect(removeCurrent).toBeInstanceOf(InvalidParameterException)
    expect(await sdkError(sm.send(new UpdateSecretVersionStageCommand({ SecretId: 'pend', VersionStage: 'X', MoveToVersionId: token('q') })))).toBeInstanceOf(ResourceNotFoundException)
    // a custom label
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: 'pend', VersionStage: 'blue', MoveToVersionId: v1.VersionId }))
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'pend', VersionStage: 'blue' }))).SecretString).toBe('cur')
  })

  it('UpdateSecret changes the description and makes a new AWSCURRENT version only with a value', async () => {
    const made = await sm.send(new CreateSecretCommand({ Name: 'upd', SecretString: 'a' }))
    const meta = await sm.send(new UpdateSecretCommand({ SecretId: 'upd', Description: 'new words' }))
    expect(meta.VersionId).toBeUndefined()
    const val = await sm.send(new UpdateSecretCommand({ SecretId: 'upd', SecretString: 'b' }))
    expect(val.VersionId).toBeDefined()
    const d = await sm.send(new DescribeSecretCommand({ SecretId: 'upd' }))
    expect(d.Description).toBe('new words')
    expect(sorted(d.VersionIdsToStages)).toEqual({ [val.VersionId!]: ['AWSCURRENT'], [made.VersionId!]: ['AWSPREVIOUS'] })
  })
})

describe('DescribeSecret, ListSecrets, tags', () => {
  it('describes every field AWS returns, with day-granular LastAccessedDate and no KmsKeyId for the default key', async () => {
    const made = await sm.send(new CreateSecretCommand({ Name: 'desc', SecretString: 'v', Description: 'd', Tags: [{ Key: 'team', Value: 'core' }] }))
    let d = await sm.send(new DescribeSecretCommand({ SecretId: made.ARN }))
    expect(d).toMatchObject({ ARN: made.ARN, Name: 'desc', Description: 'd', RotationEnabled: false, PrimaryRegion: TEST_REGION, Tags: [{ Key: 'team', Value: 'core' }] })
    expect(d.KmsKeyId).toBeUndefined()
    expect(d.LastAccessedDate).toBeUndefined()
    expect(d.DeletedDate).toBeUndefined()
    expect(d.CreatedDate).toBeInstanceOf(Date)
    expect(d.LastChangedDate).toBeInstanceOf(Date)
    await sm.send(new GetSecretValueCommand({ SecretId: 'desc' }))
    d = await sm.send(new DescribeSecretCommand({ SecretId: 'desc' }))
    expect(d.LastAccessedDate!.getTime() % 86_400_000).toBe(0)
    expect(d.LastAccessedDate!.getTime()).toBe(t.clock.now() - (t.clock.now() % 86_400_000))
  })

  it('tags and untags; ListSecrets filters by name, description, tag key/value, all and negation, sorts and pages', async () => {
    for (const n of ['ls/a', 'ls/b', 'ls/c']) {
      // ListSecrets sorts by CreatedDate: give each its own instant.
      t.clock.advance(1000)
      await sm.send(new CreateSecretCommand({ Name: n, Description: `Secret ${n.toUpperCase()}` }))
    }
    await sm.send(new TagResourceCommand({ SecretId: 'ls/a', Tags: [{ Key: 'env', Value: 'prod' }, { Key: 'owner', Value: 'x' }] }))
    await sm.send(new TagResourceCommand({ SecretId: 'ls/b', Tags: [{ Key: 'env', Value: 'dev' }] }))
    await sm.send(new UntagResourceCommand({ SecretId: 'ls/a', TagKeys: ['owner'] }))
    expect((await sm.send(new DescribeSecretCommand({ SecretId: 'ls/a' }))).Tags).toEqual([{ Key: 'env', Value: 'prod' }])
    const names = async (Filters: { Key: string; Values: string[] }[], SortOrder?: 'asc' | 'desc') =>
      (await sm.send(new ListSecretsCommand({ Filters: Filters as never, SortOrder }))).SecretList!.map((s) => s.Name)
    expect(await names([{ Key: 'name', Values: ['ls/'] }])).toEqual(['ls/a', 'ls/b', 'ls/c'])
    expect(await names([{ Key: 'name', Values: ['ls/'] }], 'desc')).toEqual(['ls/c', 'ls/b', 'ls/a'])
    expect(await names([{ Key: 'name', Values: ['LS/'] }])).toEqual([])
    expect(await names([{ Key: 'description', Values: ['secret ls/b'] }])).toEqual(['ls/b'])
    expect(await names([{ Key: 'tag-key', Values: ['env'] }])).toEqual(['ls/a', 'ls/b'])
    expect(await names([{ Key: 'tag-value', Values: ['prod'] }])).toEqual(['ls/a'])
    expect(await names([{ Key: 'name', Values: ['ls/'] }, { Key: 'tag-value', Values: ['!prod'] }])).toEqual(['ls/b', 'ls/c'])
    expect(await names([{ Key: 'all', Values: ['LS/C'] }])).toEqual(['ls/c'])
    const entry = (await sm.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: ['lbl'] }] }))).SecretList![0]!
    expect(Object.keys(entry.SecretVersionsToStages!)).toHaveLength(2)
    const pages: string[][] = []
    for await (const page of paginateListSecrets({ client: sm, pageSize: 2 }, { Filters: [{ Key: 'name', Values: ['ls/'] }] })) pages.push(page.SecretList!.map((s) => s.Name!))
    expect(pages.flat()).toEqual(['ls/a', 'ls/b', 'ls/c'])
    expect(pages[0]).toHaveLength(2)
    expect(await sdkError(sm.send(new ListSecretsCommand({ NextToken: 'nope' })))).toBeInstanceOf(InvalidNextTokenException)
  })
})

describe('BatchGetSecretValue', () => {
  it('by SecretIdList returns values and per-secret errors; by Filters pages', async () => {
    for (let i = 0; i < 3; i++) {
      t.clock.advance(1000)
      await sm.send(new CreateSecretCommand({ Name: `batch/${i}`, SecretString: `value-${i}` }))
    }
    const r = await sm.send(new BatchGetSecretValueCommand({ SecretIdList: ['batch/0', 'batch/2', 'batch/missing'] }))
    expect(r.SecretValues!.map((v) => v.SecretString)).toEqual(['value-0', 'value-2'])
    expect(r.Errors).toEqual([{ SecretId: 'batch/missing', ErrorCode: 'ResourceNotFoundException', Message: "Secrets Manager can't find the specified secret." }])
    const p1 = await sm.send(new BatchGetSecretValueCommand({ Filters: [{ Key: 'name', Values: ['batch/'] }], MaxResults: 2 }))
    expect(p1.SecretValues!.map((v) => v.Name)).toEqual(['batch/0', 'batch/1'])
    const p2 = await sm.send(new BatchGetSecretValueCommand({ Filters: [{ Key: 'name', Values: ['batch/'] }], MaxResults: 2, NextToken: p1.NextToken }))
    expect(p2.SecretValues!.map((v) => v.Name)).toEqual(['batch/2'])
    expect(await sdkError(sm.send(new BatchGetSecretValueCommand({ SecretIdList: ['a'], Filters: [{ Key: 'name', Values: ['b'] }] })))).toBeInstanceOf(InvalidParameterException)
  })
})

describe('KMS keys', () => {
  it('a customer key shows in DescribeSecret; a disabled key fails reads with DecryptionFailure and writes with EncryptionFailure, and the secret survives', async () => {
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!
    await sm.send(new CreateSecretCommand({ Name: 'cmk', SecretString: 'under-cmk', KmsKeyId: key }))
    expect((await sm.send(new DescribeSecretCommand({ SecretId: 'cmk' }))).KmsKeyId).toBe(key)
    expect((await sm.send(new ListSecretVersionIdsCommand({ SecretId: 'cmk' }))).Versions![0]!.KmsKeyIds).toEqual([key])
    await kms.send(new DisableKeyCommand({ KeyId: key }))
    expect(await sdkError(sm.send(new GetSecretValueCommand({ SecretId: 'cmk' })))).toBeInstanceOf(DecryptionFailure)
    expect(await sdkError(sm.send(new PutSecretValueCommand({ SecretId: 'cmk', SecretString: 'x' })))).toBeInstanceOf(EncryptionFailure)
    await kms.send(new EnableKeyCommand({ KeyId: key }))
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'cmk' }))).SecretString).toBe('under-cmk')
    const missing = await sdkError(sm.send(new CreateSecretCommand({ Name: 'cmk2', SecretString: 'x', KmsKeyId: 'alias/does-not-exist' })))
    expect(missing).toBeInstanceOf(EncryptionFailure)
  })
})

describe('resource policies', () => {
  const policy = (principal: unknown, condition?: unknown) =>
    JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: principal, Action: 'secretsmanager:GetSecretValue', Resource: '*', ...(condition ? { Condition: condition } : {}) }] })

  it('puts, gets, validates and deletes; BlockPublicPolicy refuses a policy open to everyone', async () => {
    const made = await sm.send(new CreateSecretCommand({ Name: 'pol', SecretString: 'v' }))
    expect((await sm.send(new GetResourcePolicyCommand({ SecretId: 'pol' }))).ResourcePolicy).toBeUndefined()
    const p = policy({ AWS: 'arn:aws:iam::222222222222:root' })
    await sm.send(new PutResourcePolicyCommand({ SecretId: 'pol', ResourcePolicy: p, BlockPublicPolicy: true }))
    expect(await sm.send(new GetResourcePolicyCommand({ SecretId: 'pol' }))).toMatchObject({ ARN: made.ARN, Name: 'pol', ResourcePolicy: p })
    expect(await sdkError(sm.send(new PutResourcePolicyCommand({ SecretId: 'pol', ResourcePolicy: policy('*'), BlockPublicPolicy: true })))).toBeInstanceOf(PublicPolicyException)
    expect(await sdkError(sm.send(new PutResourcePolicyCommand({ SecretId: 'pol', ResourcePolicy: policy({ AWS: '*' }), BlockPublicPolicy: true })))).toBeInstanceOf(PublicPolicyException)
    await sm.send(new PutResourcePolicyCommand({ SecretId: 'pol', ResourcePolicy: policy('*', { StringEquals: { 'aws:PrincipalAccount': '222222222222' } }), BlockPublicPolicy: true }))
    await sm.send(new PutResourcePolicyCommand({ SecretId: 'pol', ResourcePolicy: policy('*') }))
    expect(await sdkError(sm.send(new PutResourcePolicyCommand({ SecretId: 'pol', ResourcePolicy: '{"Statement": 5}' })))).toBeInstanceOf(MalformedPolicyDocumentException)
    const ok = await sm.send(new ValidateResourcePolicyCommand({ SecretId: 'pol', ResourcePolicy: p }))
    expect(ok).toMatchObject({ PolicyValidationPassed: true, ValidationErrors: [] })
    const open = await sm.send(new ValidateResourcePolicyCommand({ ResourcePolicy: policy('*') }))
    expect(open.PolicyValidationPassed).toBe(false)
    expect(open.ValidationErrors![0]!.CheckName).toBe('BLOCK_PUBLIC_POLICY')
    await sm.send(new DeleteResourcePolicyCommand({ SecretId: 'pol' }))
    expect((await sm.send(new GetResourcePolicyCommand({ SecretId: 'pol' }))).ResourcePolicy).toBeUndefined()
  })
})

describe('DeleteSecret and RestoreSecret', () => {
  it('a deleted secret refuses reads and writes, is described with DeletedDate, and comes back with RestoreSecret', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'del', SecretString: 'v' }))
    const del = await sm.send(new DeleteSecretCommand({ SecretId: 'del', RecoveryWindowInDays: 7 }))
    expect(del.DeletionDate!.getTime()).toBe(t.clock.now() + 7 * 86_400_000)
    const read = await sdkError(sm.send(new GetSecretValueCommand({ SecretId: 'del' })))
    expect(read).toBeInstanceOf(InvalidRequestException)
    expect(read.message).toBe("You can't perform this operation on the secret because it was marked for deletion.")
    expect(await sdkError(sm.send(new PutSecretValueCommand({ SecretId: 'del', SecretString: 'x' })))).toBeInstanceOf(InvalidRequestException)
    expect(await sdkError(sm.send(new TagResourceCommand({ SecretId: 'del', Tags: [{ Key: 'a', Value: 'b' }] })))).toBeInstanceOf(InvalidRequestException)
    expect(await sdkError(sm.send(new CreateSecretCommand({ Name: 'del', SecretString: 'x' })))).toBeInstanceOf(InvalidRequestException)
    expect(await sdkError(sm.send(new DeleteSecretCommand({ SecretId: 'del' })))).toBeInstanceOf(InvalidRequestException)
    expect((await sm.send(new DescribeSecretCommand({ SecretId: 'del' }))).DeletedDate).toBeInstanceOf(Date)
    expect((await sm.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: ['del'] }] }))).SecretList).toEqual([])
    expect((await sm.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: ['del'] }], IncludePlannedDeletion: true }))).SecretList).toHaveLength(1)
    await sm.send(new RestoreSecretCommand({ SecretId: 'del' }))
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'del' }))).SecretString).toBe('v')
    expect((await sm.send(new DescribeSecretCommand({ SecretId: 'del' }))).DeletedDate).toBeUndefined()
  })

  it('checks RecoveryWindowInDays and ForceDeleteWithoutRecovery; forced deletion frees the name at once', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'force', SecretString: 'v' }))
    for (const days of [6, 31]) expect(await sdkError(sm.send(new DeleteSecretCommand({ SecretId: 'force', RecoveryWindowInDays: days })))).toBeInstanceOf(InvalidParameterException)
    expect(await sdkError(sm.send(new DeleteSecretCommand({ SecretId: 'force', RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true })))).toBeInstanceOf(InvalidParameterException)
    await sm.send(new DeleteSecretCommand({ SecretId: 'force', ForceDeleteWithoutRecovery: true }))
    expect(await sdkError(sm.send(new DescribeSecretCommand({ SecretId: 'force' })))).toBeInstanceOf(ResourceNotFoundException)
    await sm.send(new CreateSecretCommand({ Name: 'force', SecretString: 'again' }))
    // forced deletion of a secret that does not exist succeeds
    await sm.send(new DeleteSecretCommand({ SecretId: 'never-was', ForceDeleteWithoutRecovery: true }))
  })
})

describe('GetRandomPassword', () => {
  it('defaults to 32 characters with every type; honours every option', async () => {
    const p = (await sm.send(new GetRandomPasswordCommand({}))).RandomPassword!
    expect(p).toHaveLength(32)
    for (const re of [/[a-z]/, /[A-Z]/, /[0-9]/, /[!-/:-@[-`{-~]/]) expect(p).toMatch(re)
    const only = (await sm.send(new GetRandomPasswordCommand({ PasswordLength: 200, ExcludeUppercase: true, ExcludeNumbers: true, ExcludePunctuation: true }))).RandomPassword!
    expect(only).toMatch(/^[a-z]{200}$/)
    const ex = (await sm.send(new GetRandomPasswordCommand({ PasswordLength: 300, ExcludeCharacters: 'abcABC123/@"\'\\' }))).RandomPassword!
    expect(ex).not.toMatch(/[abcABC123/@"'\\]/)
    const spaced = (await sm.send(new GetRandomPasswordCommand({ PasswordLength: 4096, IncludeSpace: true }))).RandomPassword!
    expect(spaced).toHaveLength(4096)
    expect(spaced).toContain(' ')
    expect(await sdkError(sm.send(new GetRandomPasswordCommand({ ExcludeLowercase: true, ExcludeUppercase: true, ExcludeNumbers: true, ExcludePunctuation: true })))).toBeInstanceOf(InvalidParameterException)
    expect(await sdkError(sm.send(new GetRandomPasswordCommand({ PasswordLength: 3 })))).toBeInstanceOf(InvalidParameterException)
    expect((await sm.send(new GetRandomPasswordCommand({ PasswordLength: 3, RequireEachIncludedType: false }))).RandomPassword).toHaveLength(3)
    expect(await sdkError(sm.send(new GetRandomPasswordCommand({ PasswordLength: 4097 })))).toMatchObject({ name: 'ValidationException' })
  })
})
