/**
 * Parameter Store through the real `@aws-sdk/client-ssm` against a running Arca: every
 * operation, its AWS fields, and every error class the service can produce.
 */
import {
  AddTagsToResourceCommand,
  DeleteParameterCommand,
  DeleteParametersCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  LabelParameterVersionCommand,
  ListTagsForResourceCommand,
  ParameterNotFound,
  PutParameterCommand,
  RemoveTagsFromResourceCommand,
  SSMClient,
  UnlabelParameterVersionCommand,
} from '@aws-sdk/client-ssm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Credentials, adminApi, sdkError } from '../support/aws.ts'
import { TEST_ACCOUNT, TEST_REGION, type TestServer, startTestServer } from '../support/server.ts'

let t: TestServer
let ssm: SSMClient
const clients: SSMClient[] = []
const client = (credentials?: Credentials) => {
  const c = new SSMClient({ endpoint: t.url, region: TEST_REGION, credentials: credentials ?? t.admin, maxAttempts: 1 })
  clients.push(c)
  return c
}
const arnOf = (name: string) => `arn:aws:ssm:${TEST_REGION}:${TEST_ACCOUNT}:parameter${name.startsWith('/') ? '' : '/'}${name}`

beforeAll(async () => {
  t = await startTestServer()
  ssm = client()
})
afterAll(async () => {
  for (const c of clients) c.destroy()
  await t?.stop()
})

describe('AmazonSSM over the wire', () => {
  it('PutParameter, GetParameter (name, ARN, :version, :label), with AWS fields and types', async () => {
    const put = await ssm.send(new PutParameterCommand({ Name: '/app/db/url', Value: 'postgres://a', Type: 'String', Description: 'the db' }))
    expect(put).toMatchObject({ Version: 1, Tier: 'Standard' })
    expect(put.$metadata.httpStatusCode).toBe(200)
    await ssm.send(new PutParameterCommand({ Name: '/app/db/url', Value: 'postgres://b', Overwrite: true }))
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: '/app/db/url' }))
    expect(Parameter).toMatchObject({ Name: '/app/db/url', Type: 'String', Value: 'postgres://b', Version: 2, ARN: arnOf('/app/db/url'), DataType: 'text' })
    expect(Parameter!.LastModifiedDate).toBeInstanceOf(Date)
    expect(Math.abs(Parameter!.LastModifiedDate!.getTime() - t.clock.now())).toBeLessThan(1000)
    expect((await ssm.send(new GetParameterCommand({ Name: arnOf('/app/db/url') }))).Parameter!.Value).toBe('postgres://b')
    expect((await ssm.send(new GetParameterCommand({ Name: '/app/db/url:1' }))).Parameter).toMatchObject({ Name: '/app/db/url', Value: 'postgres://a', Selector: ':1' })
    const label = await ssm.send(new LabelParameterVersionCommand({ Name: '/app/db/url', ParameterVersion: 1, Labels: ['prod', '9bad'] }))
    expect(label).toMatchObject({ ParameterVersion: 1, InvalidLabels: ['9bad'] })
    expect((await ssm.send(new GetParameterCommand({ Name: '/app/db/url:prod' }))).Parameter).toMatchObject({ Value: 'postgres://a', Selector: ':prod' })
    const un = await ssm.send(new UnlabelParameterVersionCommand({ Name: '/app/db/url', ParameterVersion: 1, Labels: ['prod', 'other'] }))
    expect(un).toMatchObject({ RemovedLabels: ['prod'], InvalidLabels: ['other'] })
  })

  it('SecureString: ciphertext without WithDecryption, the value with it; StringList as given', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/app/secret', Value: 'hunter2', Type: 'SecureString' }))
    await ssm.send(new PutParameterCommand({ Name: '/app/list', Value: 'a,b,c', Type: 'StringList' }))
    const hidden = (await ssm.send(new GetParameterCommand({ Name: '/app/secret' }))).Parameter!
    expect(hidden.Type).toBe('SecureString')
    expect(hidden.Value).not.toContain('hunter2')
    expect(hidden.Value).toMatch(/^[A-Za-z0-9+/]+=*$/)
    expect((await ssm.send(new GetParameterCommand({ Name: '/app/secret', WithDecryption: true }))).Parameter!.Value).toBe('hunter2')
    expect((await ssm.send(new GetParameterCommand({ Name: '/app/list' }))).Parameter).toMatchObject({ Type: 'StringList', Value: 'a,b,c' })
    const [meta] = (await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Values: ['/app/secret'] }] }))).Parameters!
    expect(meta).toMatchObject({ Name: '/app/secret', Type: 'SecureString', KeyId: 'alias/aws/ssm', Version: 1, Tier: 'Standard', DataType: 'text', ARN: arnOf('/app/secret') })
    expect(meta!.LastModifiedUser).toBe(`arn:aws:iam::${TEST_ACCOUNT}:user/admin`)
  })

  it('GetParameters, GetParametersByPath (recursive, filters, paging), GetParameterHistory', async () => {
    for (let i = 0; i < 12; i++) await ssm.send(new PutParameterCommand({ Name: `/tree/a/p${String(i).padStart(2, '0')}`, Value: `v${i}`, Type: i % 3 === 0 ? 'SecureString' : 'String' }))
    await ssm.send(new PutParameterCommand({ Name: '/tree/top', Value: 'top', Type: 'String' }))
    const many = await ssm.send(new GetParametersCommand({ Names: ['/tree/top', '/tree/a/p01', '/tree/none', '/tree/a/p01:5'], WithDecryption: true }))
    expect(many.Parameters!.map((p) => p.Name)).toEqual(['/tree/top', '/tree/a/p01'])
    expect(many.InvalidParameters).toEqual(['/tree/none', '/tree/a/p01:5'])
    const names: string[] = []
    let NextToken: string | undefined
    do {
      const page = await ssm.send(new GetParametersByPathCommand({ Path: '/tree', Recursive: true, WithDecryption: true, MaxResults: 5, NextToken }))
      for (const p of page.Parameters!) {
        names.push(p.Name!)
        if (p.Name!.startsWith('/tree/a/')) expect(p.Value).toBe(`v${Number(p.Name!.slice(-2))}`)
      }
      NextToken = page.NextToken
    } while (NextToken)
    expect(names).toHaveLength(13)
    expect(names.at(-1)).toBe('/tree/top')
    const oneLevel = await ssm.send(new GetParametersByPathCommand({ Path: '/tree/' }))
    expect(oneLevel.Parameters!.map((p) => p.Name)).toEqual(['/tree/top'])
    const secure = await ssm.send(new GetParametersByPathCommand({ Path: '/tree', Recursive: true, ParameterFilters: [{ Key: 'Type', Values: ['SecureString'] }] }))
    expect(secure.Parameters!.map((p) => p.Name)).toEqual(['/tree/a/p00', '/tree/a/p03', '/tree/a/p06', '/tree/a/p09'])
    for (let i = 0; i < 3; i++) await ssm.send(new PutParameterCommand({ Name: '/tree/top', Value: `top${i}`, Overwrite: true }))
    const h1 = await ssm.send(new GetParameterHistoryCommand({ Name: '/tree/top', MaxResults: 3 }))
    expect(h1.Parameters!.map((p) => [p.Version, p.Value])).toEqual([
      [1, 'top'],
      [2, 'top0'],
      [3, 'top1'],
    ])
    expect(h1.Parameters![0]).toMatchObject({ Name: '/tree/top', Type: 'String', Tier: 'Standard', Labels: [], LastModifiedUser: `arn:aws:iam::${TEST_ACCOUNT}:user/admin` })
    const h2 = await ssm.send(new GetParameterHistoryCommand({ Name: '/tree/top', MaxResults: 3, NextToken: h1.NextToken }))
    expect(h2.Parameters!.map((p) => p.Version)).toEqual([4])
    expect(h2.NextToken).toBeUndefined()
  })

  it('DescribeParameters, tags, DeleteParameter(s)', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/d/one', Value: '1', Type: 'String', Tags: [{ Key: 'team', Value: 'blue' }] }))
    await ssm.send(new PutParameterCommand({ Name: '/d/two', Value: '2', Type: 'String', Tier: 'Advanced' }))
    await ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: '/d/two', Tags: [{ Key: 'team', Value: 'red' }, { Key: 'x', Value: 'y' }] }))
    await ssm.send(new RemoveTagsFromResourceCommand({ ResourceType: 'Parameter', ResourceId: '/d/two', TagKeys: ['x'] }))
    expect((await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/d/two' }))).TagList).toEqual([{ Key: 'team', Value: 'red' }])
    const byTag = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'tag:team', Values: ['blue'] }] }))
    expect(byTag.Parameters!.map((p) => p.Name)).toEqual(['/d/one'])
    const advanced = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Path', Option: 'OneLevel', Values: ['/d'] }, { Key: 'Tier', Values: ['Advanced'] }] }))
    expect(advanced.Parameters!.map((p) => [p.Name, p.Tier, p.Policies])).toEqual([['/d/two', 'Advanced', []]])
    const legacy = await ssm.send(new DescribeParametersCommand({ Filters: [{ Key: 'Name', Values: ['/d/'] }], MaxResults: 1 }))
    expect(legacy.Parameters).toHaveLength(1)
    expect(legacy.NextToken).toBeDefined()
    await ssm.send(new DeleteParameterCommand({ Name: '/d/one' }))
    const del = await ssm.send(new DeleteParametersCommand({ Names: ['/d/one', '/d/two'] }))
    expect(del).toMatchObject({ DeletedParameters: ['/d/two'], InvalidParameters: ['/d/one'] })
  })
})

describe('AWS error classes', () => {
  const fails = async (p: Promise<unknown>, name: string, message?: RegExp) => {
    const e = await sdkError(p)
    expect(e.name).toBe(name)
    expect(e.$metadata.httpStatusCode).toBe(400)
    if (message) expect(e.message).toMatch(message)
    return e
  }

  it('for names, versions, values and types', async () => {
    const e = await fails(ssm.send(new GetParameterCommand({ Name: '/missing' })), 'ParameterNotFound')
    expect(e).toBeInstanceOf(ParameterNotFound)
    await ssm.send(new PutParameterCommand({ Name: '/e/p', Value: '123', Type: 'String', AllowedPattern: '^\\d+$' }))
    await fails(ssm.send(new PutParameterCommand({ Name: '/e/p', Value: '1', Type: 'String' })), 'ParameterAlreadyExists', /set the overwrite option/)
    await fails(ssm.send(new GetParameterCommand({ Name: '/e/p:7' })), 'ParameterVersionNotFound', /could not find version 7 of \/e\/p/)
    await fails(ssm.send(new PutParameterCommand({ Name: '/e/p', Value: 'abc', Overwrite: true })), 'ParameterPatternMismatchException')
    await fails(ssm.send(new PutParameterCommand({ Name: '/e/q', Value: 'x', Type: 'String', AllowedPattern: '([' })), 'InvalidAllowedPatternException')
    await fails(ssm.send(new PutParameterCommand({ Name: `/${Array.from({ length: 16 }, (_, i) => `l${i}`).join('/')}`, Value: 'x', Type: 'String' })), 'HierarchyLevelLimitExceededException')
    await fails(ssm.send(new PutParameterCommand({ Name: '/e/p', Value: '9', Type: 'SecureString', Overwrite: true })), 'HierarchyTypeMismatchException')
    await fails(ssm.send(new PutParameterCommand({ Name: '/e/k', Value: 'x', Type: 'SecureString', KeyId: 'alias/nope' })), 'InvalidKeyId')
    await fails(ssm.send(new PutParameterCommand({ Name: '/aws/x', Value: 'x', Type: 'String' })), 'ValidationException', /can't be prefixed with "aws" or "ssm"/)
    await fails(ssm.send(new PutParameterCommand({ Name: '/e/big', Value: 'x'.repeat(4097), Type: 'String' })), 'ValidationException', /Standard tier parameters support a maximum parameter value of 4096 characters/)
    await fails(ssm.send(new PutParameterCommand({ Name: '/e/t', Value: 'x', Type: 'Number' as never })), 'ValidationException')
    await fails(ssm.send(new GetParametersByPathCommand({ Path: '/e', MaxResults: 11 })), 'ValidationException', /maxResults/)
    await fails(ssm.send(new DeleteParameterCommand({ Name: '/e/none' })), 'ParameterNotFound')
    await fails(ssm.send(new GetParameterCommand({ Name: '/aws/reference/secretsmanager/none', WithDecryption: false })), 'ValidationException', /WithDecryption/)
  })

  it('for versions and labels', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/e/v', Value: 'v1', Type: 'String' }))
    await ssm.send(new LabelParameterVersionCommand({ Name: '/e/v', Labels: Array.from({ length: 10 }, (_, i) => `l${i}`) }))
    await fails(ssm.send(new LabelParameterVersionCommand({ Name: '/e/v', Labels: ['eleventh'] })), 'ParameterVersionLabelLimitExceeded')
    await fails(ssm.send(new LabelParameterVersionCommand({ Name: '/e/v', ParameterVersion: 4, Labels: ['x'] })), 'ParameterVersionNotFound')
    for (let i = 2; i <= 100; i++) await ssm.send(new PutParameterCommand({ Name: '/e/v', Value: `v${i}`, Overwrite: true }))
    await fails(ssm.send(new PutParameterCommand({ Name: '/e/v', Value: 'v101', Overwrite: true })), 'ParameterMaxVersionLimitExceeded', /Version 1, the oldest version/)
  })

  it('for policies', async () => {
    const policy = (p: unknown) => ssm.send(new PutParameterCommand({ Name: '/e/pol', Value: 'x', Type: 'String', Tier: 'Advanced', Policies: JSON.stringify(p) }))
    const future = new Date(t.clock.now() + 86_400_000).toISOString()
    await fails(policy([{ Type: 'Nope', Version: '1.0', Attributes: {} }]), 'InvalidPolicyTypeException')
    await fails(policy([{ Type: 'Expiration', Version: '1.0', Attributes: { Timestamp: 'soon' } }]), 'InvalidPolicyAttributeException')
    await fails(policy(Array.from({ length: 11 }, (_, i) => ({ Type: 'NoChangeNotification', Version: '1.0', Attributes: { After: String(i + 1), Unit: 'Days' } }))), 'PoliciesLimitExceededException')
    await fails(policy([{ Type: 'Expiration', Version: '1.0', Attributes: { Timestamp: future } }, { Type: 'Expiration', Version: '1.0', Attributes: { Timestamp: future } }]), 'IncompatiblePolicyException')
    expect((await policy([{ Type: 'Expiration', Version: '1.0', Attributes: { Timestamp: future } }])).Tier).toBe('Advanced')
    const [m] = (await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Values: ['/e/pol'] }] }))).Parameters!
    expect(m!.Policies).toEqual([{ PolicyText: JSON.stringify({ Type: 'Expiration', Version: '1.0', Attributes: { Timestamp: future } }), PolicyType: 'Expiration', PolicyStatus: 'Pending' }])
  })

  it('for filters, tokens and tag resources', async () => {
    await fails(ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Label', Values: ['x'] }] })), 'InvalidFilterKey')
    await fails(ssm.send(new GetParametersByPathCommand({ Path: '/e', ParameterFilters: [{ Key: 'Name', Values: ['x'] }] })), 'InvalidFilterKey')
    await fails(ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Type', Option: 'Contains', Values: ['String'] }] })), 'InvalidFilterOption')
    await fails(ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Tier', Values: ['Gold'] }] })), 'InvalidFilterValue')
    await fails(ssm.send(new GetParametersByPathCommand({ Path: '/e', NextToken: 'not-a-token' })), 'InvalidNextToken')
    await fails(ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/e/none' })), 'InvalidResourceId')
    await fails(ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Document', ResourceId: '/e/p' })), 'InvalidResourceType')
    const tags = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }))
    await fails(ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: '/e/p', Tags: tags })), 'TooManyTagsError')
  })

  it('for identity policies: path wildcards for ssm:*, and kms:Decrypt for SecureString', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/team/a/plain', Value: 'plain-a', Type: 'String' }))
    await ssm.send(new PutParameterCommand({ Name: '/team/a/secret', Value: 'secret-a', Type: 'SecureString' }))
    await ssm.send(new PutParameterCommand({ Name: '/team/b/plain', Value: 'plain-b', Type: 'String' }))
    expect((await adminApi(t, 'POST', '/users', { name: 'reader' })).status).toBe(201)
    const key = await adminApi(t, 'POST', '/users/reader/access-keys')
    const reader = client({ accessKeyId: key.json.accessKeyId as string, secretAccessKey: key.json.secretAccessKey as string })
    await fails(reader.send(new GetParameterCommand({ Name: '/team/a/plain' })), 'AccessDeniedException')
    // As in AWS, GetParametersByPath is authorized on the path's own ARN (…:parameter/team/a).
    const base = `arn:aws:ssm:${TEST_REGION}:${TEST_ACCOUNT}:parameter/team/a`
    const allow = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ssm:GetParameter*', Resource: [`${base}/*`] }] }
    expect((await adminApi(t, 'PUT', '/users/reader/policies/ssm', allow)).status).toBe(204)
    expect((await reader.send(new GetParameterCommand({ Name: '/team/a/plain' }))).Parameter!.Value).toBe('plain-a')
    await fails(reader.send(new GetParameterCommand({ Name: '/team/b/plain' })), 'AccessDeniedException')
    await fails(reader.send(new PutParameterCommand({ Name: '/team/a/plain', Value: 'x', Overwrite: true })), 'AccessDeniedException')
    // SecureString: the ciphertext without decryption; with it, kms:Decrypt on the key is needed
    expect((await reader.send(new GetParameterCommand({ Name: '/team/a/secret' }))).Parameter!.Value).not.toContain('secret-a')
    await fails(reader.send(new GetParameterCommand({ Name: '/team/a/secret', WithDecryption: true })), 'AccessDeniedException')
    const decrypt = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:ViaService': `ssm.${TEST_REGION}.amazonaws.com` } } }] }
    expect((await adminApi(t, 'PUT', '/users/reader/policies/kms', decrypt)).status).toBe(204)
    expect((await reader.send(new GetParameterCommand({ Name: '/team/a/secret', WithDecryption: true }))).Parameter!.Value).toBe('secret-a')
    await fails(reader.send(new GetParametersByPathCommand({ Path: '/team/a', WithDecryption: true })), 'AccessDeniedException')
    expect((await adminApi(t, 'PUT', '/users/reader/policies/ssm', { ...allow, Statement: [{ ...allow.Statement[0], Resource: [base, `${base}/*`] }] })).status).toBe(204)
    const path = await reader.send(new GetParametersByPathCommand({ Path: '/team/a', WithDecryption: true }))
    expect(path.Parameters!.map((p) => p.Value)).toEqual(['plain-a', 'secret-a'])
  })
})
