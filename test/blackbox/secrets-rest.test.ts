/** `/v1/secrets` over the native REST API with a bearer token: the same rules as the AWS face. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adminToken } from '../support/aws.ts'
import { type TestServer, startTestServer } from '../support/server.ts'

let t: TestServer
let token: string

beforeAll(async () => {
  t = await startTestServer()
  token = await adminToken(t)
})
afterAll(async () => {
  await t?.stop()
})

async function api(method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, any> }> {
  const res = await fetch(`${t.url}/v1/secrets${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await res.text()
  return { status: res.status, json: text ? JSON.parse(text) : {} }
}

describe('/v1/secrets', () => {
  it('creates, reads by stage and version, writes with If-Match, lists versions', async () => {
    const made = await api('POST', '', { name: 'svc/api-key', value: 'k1', description: 'api key', tags: { team: 'core' } })
    expect(made.status).toBe(201)
    expect(made.json.arn).toMatch(/:secret:svc\/api-key-[A-Za-z0-9]{6}$/)
    const got = await api('GET', '/svc/api-key')
    expect(got.json).toMatchObject({ name: 'svc/api-key', value: 'k1', versionStages: ['AWSCURRENT'], versionId: made.json.versionId })
    expect(got.json.createdDate).toMatch(/^\d{4}-\d\d-\d\dT/)
    const stale = await api('PUT', '/svc/api-key', { value: 'k2' }, { 'if-match': 'not-the-current-version-id-000000' })
    expect(stale.status).toBe(412)
    expect(stale.json.code).toBe('PreconditionNotMet')
    const put = await api('PUT', '/svc/api-key', { value: 'k2' }, { 'if-match': `"${made.json.versionId}"` })
    expect(put.status).toBe(200)
    expect((await api('GET', '/svc/api-key')).json.value).toBe('k2')
    expect((await api('GET', '/svc/api-key?stage=AWSPREVIOUS')).json.value).toBe('k1')
    expect((await api('GET', `/svc/api-key?version=${made.json.versionId}`)).json.value).toBe('k1')
    const versions = await api('GET', '/svc/api-key/versions')
    expect(versions.json.versions).toHaveLength(2)
    const meta = await api('GET', '/svc%2Fapi-key/metadata')
    expect(meta.json).toMatchObject({ name: 'svc/api-key', description: 'api key', tags: [{ key: 'team', value: 'core' }], rotationEnabled: false })
    const list = await api('GET', '?prefix=svc/')
    expect(list.json.secrets.map((s: { name: string }) => s.name)).toEqual(['svc/api-key'])
  })

  it('binary values, stage moves, policy, tags, PATCH', async () => {
    await api('POST', '', { name: 'svc/bin', valueBase64: Buffer.from([1, 2, 3]).toString('base64') })
    expect((await api('GET', '/svc/bin')).json.valueBase64).toBe('AQID')
    const v2 = await api('PUT', '/svc/bin', { value: 'text', stages: ['AWSPENDING'] })
    expect((await api('POST', '/svc/bin/stages', { stage: 'blue', moveToVersionId: v2.json.versionId })).status).toBe(200)
    expect((await api('GET', '/svc/bin?stage=blue')).json.value).toBe('text')
    const pol = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'secretsmanager:GetSecretValue', Resource: '*' }] })
    const blocked = await api('PUT', '/svc/bin/policy', { policy: pol, blockPublicPolicy: true })
    expect(blocked.json.code).toBe('PublicPolicy')
    expect((await api('PUT', '/svc/bin/policy', { policy: pol })).status).toBe(200)
    expect((await api('GET', '/svc/bin/policy')).json.resourcePolicy).toBe(pol)
    expect((await api('DELETE', '/svc/bin/policy')).status).toBe(200)
    expect((await api('PUT', '/svc/bin/tags', { tags: { a: '1', b: '2' } })).status).toBe(204)
    expect((await api('DELETE', '/svc/bin/tags?key=a')).status).toBe(204)
    expect((await api('GET', '/svc/bin/metadata')).json.tags).toEqual([{ key: 'b', value: '2' }])
    expect((await api('PATCH', '/svc/bin', { description: 'patched' })).status).toBe(200)
    expect((await api('GET', '/svc/bin/metadata')).json.description).toBe('patched')
  })

  it('delete with a recovery window, refused reads, restore; forced delete; errors as problem+json', async () => {
    await api('POST', '', { name: 'svc/tmp', value: 'x' })
    const del = await api('DELETE', '/svc/tmp?recoveryDays=7')
    expect(del.json.deletionDate).toBe(new Date(t.clock.now() + 7 * 86_400_000).toISOString())
    const refused = await api('GET', '/svc/tmp')
    expect(refused.status).toBe(409)
    expect(refused.json).toMatchObject({ code: 'InvalidRequest', detail: "You can't perform this operation on the secret because it was marked for deletion." })
    expect((await api('POST', '/svc/tmp/restore')).status).toBe(200)
    expect((await api('GET', '/svc/tmp')).json.value).toBe('x')
    expect((await api('DELETE', '/svc/tmp?force=true')).status).toBe(200)
    expect((await api('GET', '/svc/tmp')).status).toBe(404)
    expect((await api('DELETE', '/svc/tmp?recoveryDays=3')).json.code).toBe('InvalidParameter')
    expect((await api('POST', '', { name: 'bad name' })).status).toBe(400)
    expect((await api('POST', '', { name: 'x', bogus: 1 })).json.field).toBe('bogus')
  })
})
