import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type ParamsHarness, admin, createParamsHarness, rejection } from './support.ts'

let h: ParamsHarness
beforeEach(async () => {
  h = await createParamsHarness()
  await h.params.putParameter(admin, { name: '/app/a', value: 'a1', type: 'String' })
  await h.params.putParameter(admin, { name: '/app/a', value: 'a2', overwrite: true })
  await h.params.putParameter(admin, { name: '/app/b', value: 'x,y,z', type: 'StringList' })
  await h.params.putParameter(admin, { name: '/app/sub/c', value: 'c-secret', type: 'SecureString' })
})
afterEach(async () => {
  await h.dispose()
})

describe('selectors and GetParameters', () => {
  it('reads name:version and name:label with a Selector, and says which is missing', async () => {
    expect((await h.params.getParameter(admin, { name: '/app/a:1' })).parameter).toMatchObject({ name: '/app/a', value: 'a1', version: 1, selector: ':1' })
    await h.params.labelParameterVersion(admin, { name: '/app/a', parameterVersion: 1, labels: ['prod'] })
    expect((await h.params.getParameter(admin, { name: '/app/a:prod' })).parameter).toMatchObject({ value: 'a1', selector: ':prod' })
    const e = await rejection(h.params.getParameter(admin, { name: '/app/a:9' }))
    expect(e.code).toBe('VersionNotFound')
    expect(e.message).toBe('Systems Manager could not find version 9 of /app/a. Verify the version and try again.')
    expect((await rejection(h.params.getParameter(admin, { name: '/app/a:nolabel' }))).code).toBe('VersionNotFound')
    expect((await rejection(h.params.getParameter(admin, { name: '/app/zz' }))).code).toBe('NotFound')
    expect((await rejection(h.params.getParameter(admin, { name: '/app/zz:1' }))).code).toBe('NotFound')
  })

  it('GetParameters returns found ones and lists the rest in InvalidParameters', async () => {
    const out = await h.params.getParameters(admin, { names: ['/app/a', '/app/b', '/nope', '/app/a:7', '/app/a:1', 'bad name'] })
    expect(out.parameters.map((p) => [p.name, p.value, p.selector])).toEqual([
      ['/app/a', 'a2', undefined],
      ['/app/b', 'x,y,z', undefined],
      ['/app/a', 'a1', ':1'],
    ])
    expect(out.invalidParameters).toEqual(['/nope', '/app/a:7', 'bad name'])
  })

  it('SecureString: ciphertext without WithDecryption, plaintext with it', async () => {
    const hidden = (await h.params.getParameter(admin, { name: '/app/sub/c' })).parameter.value
    expect(hidden).not.toContain('c-secret')
    expect(Buffer.from(hidden, 'base64')[0]).toBe(0x02)
    expect((await h.params.getParameter(admin, { name: '/app/sub/c', withDecryption: true })).parameter.value).toBe('c-secret')
  })

  it('answers the Secrets Manager reference path clearly until secrets exist', async () => {
    const e = await rejection(h.params.getParameter(admin, { name: '/aws/reference/secretsmanager/app/db', withDecryption: true }))
    expect(e.code).toBe('Validation')
    expect(e.message).toMatch(/not available/)
    expect((await rejection(h.params.getParameter(admin, { name: '/aws/reference/secretsmanager/app/db' }))).message).toMatch(/WithDecryption/)
  })
})

describe('history and labels', () => {
  it('lists versions oldest first with labels, who and when, paged', async () => {
    h.clock.advance(1000)
    await h.params.putParameter(admin, { name: '/app/a', value: 'a3', overwrite: true, description: 'third' })
    await h.params.labelParameterVersion(admin, { name: '/app/a', labels: ['latest', 'also'] })
    const page1 = await h.params.getParameterHistory(admin, { name: '/app/a', maxResults: 2 })
    expect(page1.parameters.map((p) => [p.version, p.value, p.labels])).toEqual([
      [1, 'a1', []],
      [2, 'a2', []],
    ])
    expect(page1.nextToken).toBeDefined()
    const page2 = await h.params.getParameterHistory(admin, { name: '/app/a', maxResults: 2, nextToken: page1.nextToken })
    expect(page2.parameters).toHaveLength(1)
    expect(page2.parameters[0]).toMatchObject({ version: 3, value: 'a3', labels: ['also', 'latest'], description: 'third', lastModifiedUser: admin.principalArn, tier: 'Standard' })
    expect(page2.nextToken).toBeUndefined()
    // a token belongs to its request
    expect((await rejection(h.params.getParameterHistory(admin, { name: '/app/b', nextToken: page1.nextToken }))).code).toBe('InvalidMarker')
    expect((await rejection(h.params.getParameterHistory(admin, { name: '/app/a', nextToken: 'garbage' }))).code).toBe('InvalidMarker')
    expect((await rejection(h.params.getParameterHistory(admin, { name: '/nope' }))).code).toBe('NotFound')
  })

  it('labels move between versions, invalid ones are returned, at most 10 per version', async () => {
    const r = await h.params.labelParameterVersion(admin, { name: '/app/a', parameterVersion: 1, labels: ['prod', '1bad', 'awsx', 'SSMy', 'bad/slash', 'ok.label-1_'] })
    expect(r).toEqual({ parameterVersion: 1, invalidLabels: ['1bad', 'awsx', 'SSMy', 'bad/slash'] })
    await h.params.labelParameterVersion(admin, { name: '/app/a', parameterVersion: 2, labels: ['prod'] })
    expect((await h.params.listLabels(admin, { name: '/app/a' })).labels).toEqual([
      { label: 'ok.label-1_', version: 1 },
      { label: 'prod', version: 2 },
    ])
    await h.params.labelParameterVersion(admin, { name: '/app/a', parameterVersion: 2, labels: Array.from({ length: 9 }, (_, i) => `l${i}`) })
    const e = await rejection(h.params.labelParameterVersion(admin, { name: '/app/a', parameterVersion: 2, labels: ['one-more'] }))
    expect(e.code).toBe('VersionLabelLimitExceeded')
    expect((await rejection(h.params.labelParameterVersion(admin, { name: '/app/a', parameterVersion: 5, labels: ['x'] }))).code).toBe('VersionNotFound')
    expect((await rejection(h.params.labelParameterVersion(admin, { name: '/nope', labels: ['x'] }))).code).toBe('NotFound')
    const un = await h.params.unlabelParameterVersion(admin, { name: '/app/a', parameterVersion: 2, labels: ['prod', 'ok.label-1_', 'never'] })
    expect(un).toEqual({ removedLabels: ['prod'], invalidLabels: ['ok.label-1_', 'never'] })
    const ops = (await h.events()).map((e) => e.detail.operation)
    expect(ops.filter((o) => o === 'LabelParameterVersion')).toHaveLength(3)
    expect(ops).toContain('UnlabelParameterVersion')
  })
})

describe('DescribeParameters, tags and delete', () => {
  it('filters by Name, Path, Type, Tier, KeyId, DataType and tags, without values', async () => {
    await h.params.addTagsToResource(admin, { resourceType: 'Parameter', resourceId: '/app/b', tags: [{ key: 'team', value: 'blue' }] })
    const names = async (parameterFilters: { key: string; option?: string; values: string[] }[]) =>
      (await h.params.describeParameters(admin, { parameterFilters })).parameters.map((p) => p.name)
    expect(await names([])).toEqual(['/app/a', '/app/b', '/app/sub/c'])
    expect(await names([{ key: 'Path', values: ['/app'] }])).toEqual(['/app/a', '/app/b'])
    expect(await names([{ key: 'Path', option: 'Recursive', values: ['/app'] }])).toEqual(['/app/a', '/app/b', '/app/sub/c'])
    expect(await names([{ key: 'Type', values: ['SecureString'] }])).toEqual(['/app/sub/c'])
    expect(await names([{ key: 'KeyId', values: ['alias/aws/ssm'] }])).toEqual(['/app/sub/c'])
    expect(await names([{ key: 'Name', option: 'Contains', values: ['sub'] }])).toEqual(['/app/sub/c'])
    expect(await names([{ key: 'Name', values: ['/app/a'] }])).toEqual(['/app/a'])
    expect(await names([{ key: 'Name', option: 'BeginsWith', values: ['app/s'] }])).toEqual(['/app/sub/c'])
    expect(await names([{ key: 'tag:team', values: ['blue'] }])).toEqual(['/app/b'])
    expect(await names([{ key: 'Tier', values: ['Standard'] }, { key: 'DataType', values: ['text'] }])).toHaveLength(3)
    const legacy = await h.params.describeParameters(admin, { filters: [{ key: 'Name', values: ['/app/s'] }] })
    expect(legacy.parameters.map((p) => p.name)).toEqual(['/app/sub/c'])
    expect(JSON.stringify(legacy)).not.toContain('c-secret')
    expect((await rejection(names([{ key: 'Label', values: ['x'] }]))).code).toBe('InvalidFilterKey')
    expect((await rejection(names([{ key: 'Type', values: ['String'] }, { key: 'Type', values: ['SecureString'] }]))).code).toBe('InvalidFilterKey')
    expect((await rejection(names([{ key: 'Type', option: 'Contains', values: ['x'] }]))).code).toBe('InvalidFilterOption')
    expect((await rejection(names([{ key: 'Type', values: ['Number'] }]))).code).toBe('InvalidFilterValue')
    const paged = await h.params.describeParameters(admin, { maxResults: 2 })
    expect(paged.parameters).toHaveLength(2)
    const rest = await h.params.describeParameters(admin, { maxResults: 2, nextToken: paged.nextToken })
    expect(rest.parameters.map((p) => p.name)).toEqual(['/app/sub/c'])
    expect(rest.nextToken).toBeUndefined()
  })

  it('tags: add, list, remove, 50 at most, only Parameter resources', async () => {
    await h.params.addTagsToResource(admin, { resourceType: 'Parameter', resourceId: '/app/a', tags: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }] })
    await h.params.removeTagsFromResource(admin, { resourceType: 'Parameter', resourceId: '/app/a', tagKeys: ['a'] })
    expect((await h.params.listTagsForResource(admin, { resourceType: 'Parameter', resourceId: '/app/a' })).tagList).toEqual([{ key: 'b', value: '2' }])
    const many = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: 'v' }))
    expect((await rejection(h.params.addTagsToResource(admin, { resourceType: 'Parameter', resourceId: '/app/a', tags: many }))).code).toBe('TooManyTags')
    expect((await rejection(h.params.listTagsForResource(admin, { resourceType: 'Parameter', resourceId: '/nope' }))).code).toBe('InvalidResourceId')
    expect((await rejection(h.params.listTagsForResource(admin, { resourceType: 'Document', resourceId: '/app/a' }))).code).toBe('InvalidResourceType')
    await h.params.putParameter(admin, { name: '/tagged', value: 'v', type: 'String', tags: [{ key: 'env', value: 'prod' }] })
    expect((await h.params.listTagsForResource(admin, { resourceType: 'Parameter', resourceId: '/tagged' })).tagList).toEqual([{ key: 'env', value: 'prod' }])
  })

  it('deletes one or many; missing ones are ParameterNotFound / InvalidParameters', async () => {
    await h.params.deleteParameter(admin, { name: '/app/a' })
    expect((await rejection(h.params.getParameter(admin, { name: '/app/a' }))).code).toBe('NotFound')
    expect((await rejection(h.params.deleteParameter(admin, { name: '/app/a' }))).code).toBe('NotFound')
    const out = await h.params.deleteParameters(admin, { names: ['/app/b', '/app/a', '/app/sub/c'] })
    expect(out).toEqual({ deletedParameters: ['/app/b', '/app/sub/c'], invalidParameters: ['/app/a'] })
    // a deleted name starts again at version 1
    expect((await h.params.putParameter(admin, { name: '/app/a', value: 'again', type: 'String' })).version).toBe(1)
    expect((await h.params.getParameterHistory(admin, { name: '/app/a' })).parameters).toHaveLength(1)
  })
})
