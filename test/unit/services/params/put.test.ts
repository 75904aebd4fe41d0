import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type ParamsHarness, admin, createParamsHarness, rejection } from './support.ts'

let h: ParamsHarness
beforeEach(async () => {
  h = await createParamsHarness()
})
afterEach(async () => {
  await h.dispose()
})

describe('PutParameter and GetParameter', () => {
  it('creates version 1, overwrites to 2, and reads the newest by name or ARN', async () => {
    expect(await h.params.putParameter(admin, { name: '/app/db/url', value: 'postgres://one', type: 'String' })).toEqual({ version: 1, tier: 'Standard' })
    expect(await h.params.putParameter(admin, { name: '/app/db/url', value: 'postgres://two', overwrite: true })).toEqual({ version: 2, tier: 'Standard' })
    const { parameter } = await h.params.getParameter(admin, { name: '/app/db/url' })
    expect(parameter).toMatchObject({ name: '/app/db/url', type: 'String', value: 'postgres://two', version: 2, dataType: 'text', arn: 'arn:aws:ssm:us-east-1:111111111111:parameter/app/db/url' })
    expect(parameter.lastModifiedDate).toBe(h.clock.now())
    expect((await h.params.getParameter(admin, { name: parameter.arn })).parameter.value).toBe('postgres://two')
    // a name without a leading slash is its own root; its ARN gets the slash
    await h.params.putParameter(admin, { name: 'plain', value: 'v', type: 'String' })
    expect((await h.params.getParameter(admin, { name: 'arn:aws:ssm:us-east-1:111111111111:parameter/plain' })).parameter).toMatchObject({ name: 'plain', value: 'v' })
  })

  it('refuses to overwrite without Overwrite, and strips outer spaces from names', async () => {
    await h.params.putParameter(admin, { name: ' /a/b ', value: 'x', type: 'String' })
    const e = await rejection(h.params.putParameter(admin, { name: '/a/b', value: 'y', type: 'String' }))
    expect(e.code).toBe('AlreadyExists')
    expect(e.message).toBe('The parameter already exists. To overwrite this value, set the overwrite option in the request to true.')
    expect((await h.params.getParameter(admin, { name: '/a/b' })).parameter.value).toBe('x')
  })

  it('keeps the type, key, description, pattern and tier on an overwrite that omits them', async () => {
    await h.params.putParameter(admin, { name: '/k', value: 'abc', type: 'SecureString', description: 'd', allowedPattern: '^[a-z]+$', tier: 'Advanced' })
    await h.params.putParameter(admin, { name: '/k', value: 'def', overwrite: true })
    const [m] = (await h.params.describeParameters(admin, {})).parameters
    expect(m).toMatchObject({ name: '/k', type: 'SecureString', keyId: 'alias/aws/ssm', description: 'd', allowedPattern: '^[a-z]+$', tier: 'Advanced', version: 2 })
    expect(m!.lastModifiedUser).toBe(admin.principalArn)
  })

  it('refuses a type change, KeyId on a String, a missing type on create, an empty value and Overwrite with Tags', async () => {
    await h.params.putParameter(admin, { name: '/t', value: 'x', type: 'String' })
    expect((await rejection(h.params.putParameter(admin, { name: '/t', value: 'x', type: 'SecureString', overwrite: true }))).code).toBe('HierarchyTypeMismatch')
    expect((await rejection(h.params.putParameter(admin, { name: '/u', value: 'x', type: 'String', keyId: 'alias/aws/ssm' }))).code).toBe('Validation')
    expect((await rejection(h.params.putParameter(admin, { name: '/u', value: 'x' }))).message).toMatch(/type is required/)
    expect((await rejection(h.params.putParameter(admin, { name: '/u', value: '', type: 'String' }))).code).toBe('Validation')
    expect((await rejection(h.params.putParameter(admin, { name: '/u', value: 'x', type: 'String', overwrite: true, tags: [{ key: 'a', value: 'b' }] }))).message).toMatch(/tags and overwrite/)
    expect((await rejection(h.params.putParameter(admin, { name: '/u', value: 'x', type: 'Number' }))).code).toBe('UnsupportedParameterType')
  })

  it('checks names: characters, hierarchy form, 15 levels, reserved prefixes, length with the ARN', async () => {
    const code = async (name: string) => (await rejection(h.params.putParameter(admin, { name, value: 'x', type: 'String' }))).code
    for (const bad of ['a b', 'a/b', '/a//b', '/a/', 'x$y', '/a/b c']) expect(await code(bad), bad).toBe('Validation')
    for (const reserved of ['aws-x', '/aws/x', 'SSM', '/ssm/x', '/AWS']) expect(await code(reserved), reserved).toBe('Validation')
    expect(await code(`/${Array.from({ length: 16 }, (_, i) => `l${i}`).join('/')}`)).toBe('HierarchyLevelLimitExceeded')
    await h.params.putParameter(admin, { name: `/${Array.from({ length: 15 }, (_, i) => `l${i}`).join('/')}`, value: 'ok', type: 'String' })
    // arn:aws:ssm:us-east-1:111111111111:parameter/ is 45 characters: 1011 in all
    await h.params.putParameter(admin, { name: `/${'n'.repeat(1011 - 45)}`, value: 'ok', type: 'String' })
    expect(await code(`/${'n'.repeat(1011 - 44)}`)).toBe('Validation')
  })

  it('enforces tier sizes and picks a tier for Intelligent-Tiering; never back to Standard', async () => {
    const e = await rejection(h.params.putParameter(admin, { name: '/big', value: 'x'.repeat(4097), type: 'String' }))
    expect(e.message).toMatch(/^Standard tier parameters support a maximum parameter value of 4096 characters/)
    expect(await h.params.putParameter(admin, { name: '/std', value: 'x'.repeat(4096), type: 'String' })).toEqual({ version: 1, tier: 'Standard' })
    expect(await h.params.putParameter(admin, { name: '/big', value: 'x'.repeat(8192), type: 'String', tier: 'Advanced' })).toEqual({ version: 1, tier: 'Advanced' })
    expect((await rejection(h.params.putParameter(admin, { name: '/big2', value: 'x'.repeat(8193), type: 'String', tier: 'Advanced' }))).code).toBe('Validation')
    expect(await h.params.putParameter(admin, { name: '/it', value: 'small', type: 'String', tier: 'Intelligent-Tiering' })).toEqual({ version: 1, tier: 'Standard' })
    expect(await h.params.putParameter(admin, { name: '/it', value: 'x'.repeat(5000), overwrite: true, tier: 'Intelligent-Tiering' })).toEqual({ version: 2, tier: 'Advanced' })
    expect(await h.params.putParameter(admin, { name: '/it', value: 'small', overwrite: true })).toEqual({ version: 3, tier: 'Advanced' })
    expect((await rejection(h.params.putParameter(admin, { name: '/it', value: 'small', overwrite: true, tier: 'Standard' }))).message).toMatch(/can't downgrade/)
  })

  it('checks AllowedPattern (ParameterPatternMismatch, InvalidAllowedPattern) without echoing the value', async () => {
    const e = await rejection(h.params.putParameter(admin, { name: '/p', value: 'secret-abc', type: 'String', allowedPattern: '^\\d+$' }))
    expect(e.code).toBe('PatternMismatch')
    expect(e.message).not.toContain('secret-abc')
    expect((await rejection(h.params.putParameter(admin, { name: '/p', value: '1', type: 'String', allowedPattern: '([' }))).code).toBe('InvalidAllowedPattern')
    await h.params.putParameter(admin, { name: '/p', value: '123', type: 'String', allowedPattern: '^\\d+$' })
    // the stored pattern applies to later overwrites
    expect((await rejection(h.params.putParameter(admin, { name: '/p', value: 'abc', overwrite: true }))).code).toBe('PatternMismatch')
  })

  it('checks DataType', async () => {
    await h.params.putParameter(admin, { name: '/ami', value: 'ami-0123456789abcdef0', type: 'String', dataType: 'aws:ec2:image' })
    expect((await rejection(h.params.putParameter(admin, { name: '/ami2', value: 'not-an-ami', type: 'String', dataType: 'aws:ec2:image' }))).code).toBe('Validation')
    expect((await rejection(h.params.putParameter(admin, { name: '/x', value: 'v', type: 'String', dataType: 'Text' }))).message).toMatch(/data type is not supported/)
    expect((await h.params.getParameter(admin, { name: '/ami' })).parameter.dataType).toBe('aws:ec2:image')
  })

  it('records who changed each version, emits Parameter Store Change events, and authorizes on the ARN', async () => {
    await h.params.putParameter(admin, { name: '/e', value: 'v1', type: 'String', description: 'about e' })
    await h.params.putParameter(admin, { name: '/e', value: 'v2', overwrite: true })
    await h.params.deleteParameter(admin, { name: '/e' })
    const events = await h.events()
    expect(events.map((e) => e.detail.operation)).toEqual(['Create', 'Update', 'Delete'])
    expect(events[0]).toEqual({ detailType: 'Parameter Store Change', resources: ['arn:aws:ssm:us-east-1:111111111111:parameter/e'], detail: { operation: 'Create', name: '/e', type: 'String', description: 'about e' } })
    expect(JSON.stringify(events)).not.toMatch(/v1|v2/)
    expect(h.authorized.map((a) => a.action)).toEqual(['ssm:PutParameter', 'ssm:PutParameter', 'ssm:DeleteParameter'])
    h.deny((_, action) => action === 'ssm:PutParameter')
    expect((await rejection(h.params.putParameter(admin, { name: '/e', value: 'v', type: 'String' }))).code).toBe('AccessDenied')
  })
})

describe('the version limit', () => {
  it('keeps the newest 100 versions; the 101st drops the oldest unless it carries a label', async () => {
    await h.params.putParameter(admin, { name: '/v', value: 'v1', type: 'String' })
    for (let i = 2; i <= 100; i++) await h.params.putParameter(admin, { name: '/v', value: `v${i}`, overwrite: true })
    await h.params.labelParameterVersion(admin, { name: '/v', parameterVersion: 1, labels: ['keep'] })
    const e = await rejection(h.params.putParameter(admin, { name: '/v', value: 'v101', overwrite: true }))
    expect(e.code).toBe('MaxVersionLimitExceeded')
    expect(e.message).toMatch(/Version 1, the oldest version, can't be deleted because it has a label/)
    // move the label: now the 101st put drops version 1
    await h.params.labelParameterVersion(admin, { name: '/v', parameterVersion: 50, labels: ['keep'] })
    expect((await h.params.putParameter(admin, { name: '/v', value: 'v101', overwrite: true })).version).toBe(101)
    const history = await h.params.getParameterHistory(admin, { name: '/v' })
    expect(history.parameters[0]!.version).toBe(2)
    expect((await rejection(h.params.getParameter(admin, { name: '/v:1' }))).code).toBe('VersionNotFound')
    expect((await h.params.getParameter(admin, { name: '/v:keep' })).parameter).toMatchObject({ version: 50, value: 'v50', selector: ':keep' })
  })
})
