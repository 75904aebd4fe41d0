/** `/v1/parameters/…`: the Parameter Store through the native REST API (bearer token), same store as the AWS face. */
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adminToken } from '../support/aws.ts'
import { TEST_REGION, type TestServer, startTestServer } from '../support/server.ts'

let t: TestServer
let token: string
let ssm: SSMClient

async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${t.url}/v1/parameters${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await res.text()
  return { status: res.status, etag: res.headers.get('etag'), type: res.headers.get('content-type'), json: text ? (JSON.parse(text) as Record<string, any>) : {} }
}

beforeAll(async () => {
  t = await startTestServer()
  token = await adminToken(t)
  ssm = new SSMClient({ endpoint: t.url, region: TEST_REGION, credentials: t.admin, maxAttempts: 1 })
})
afterAll(async () => {
  ssm?.destroy()
  await t?.stop()
})

describe('REST /v1/parameters', () => {
  it('PUT creates (201) and overwrites (200); GET reads one, by version or label, decrypted on request', async () => {
    const created = await api('PUT', '/svc/db/password', { value: 's3cret', type: 'SecureString', description: 'db' })
    expect(created).toMatchObject({ status: 201, etag: '"1"', json: { name: '/svc/db/password', version: 1, tier: 'Standard' } })
    expect((await api('PUT', '/svc/db/password', { value: 's3cret-2' })).json.version).toBe(2)
    const hidden = await api('GET', '/svc/db/password')
    expect(hidden.json).toMatchObject({ name: '/svc/db/password', type: 'SecureString', version: 2 })
    expect(hidden.json.value).not.toContain('s3cret')
    const shown = await api('GET', '/svc/db/password?decrypt=true')
    expect(shown).toMatchObject({ status: 200, etag: '"2"', json: { value: 's3cret-2', arn: 'arn:aws:ssm:us-east-1:111111111111:parameter/svc/db/password' } })
    expect(shown.json.lastModifiedDate).toBe(new Date(t.clock.now()).toISOString())
    expect((await api('GET', '/svc/db/password?version=1&decrypt=true')).json).toMatchObject({ value: 's3cret', selector: ':1' })
    // the same store as the AWS face
    expect((await ssm.send(new GetParameterCommand({ Name: '/svc/db/password', WithDecryption: true }))).Parameter!.Value).toBe('s3cret-2')
    expect((await api('GET', '/svc/none')).status).toBe(404)
    expect((await api('GET', '/svc/db/password?version=9')).json.code).toBe('VersionNotFound')
  })

  it('If-Match is compare-and-set (412 on a stale version); If-None-Match: * only creates', async () => {
    await api('PUT', '/cas/p', { value: 'v1', type: 'String' })
    expect((await api('PUT', '/cas/p', { value: 'v2' }, { 'if-match': '"1"' })).status).toBe(200)
    const stale = await api('PUT', '/cas/p', { value: 'lost' }, { 'if-match': '1' })
    expect(stale.status).toBe(412)
    expect(stale.type).toContain('application/problem+json')
    expect(stale.json).toMatchObject({ code: 'PreconditionNotMet', status: 412 })
    expect((await api('GET', '/cas/p')).json.value).toBe('v2')
    expect((await api('PUT', '/cas/p', { value: 'x', type: 'String' }, { 'if-none-match': '*' })).status).toBe(412)
    expect((await api('PUT', '/cas/new', { value: 'x', type: 'String' }, { 'if-none-match': '*' })).status).toBe(201)
    expect((await api('DELETE', '/cas/p', undefined, { 'if-match': '1' })).status).toBe(412)
    expect((await api('DELETE', '/cas/p', undefined, { 'if-match': '2' })).status).toBe(204)
    expect((await api('GET', '/cas/p')).status).toBe(404)
  })

  it('lists a subtree with cursor paging, one level or recursive', async () => {
    for (let i = 0; i < 7; i++) await api('PUT', `/tree/x/p${i}`, { value: `v${i}`, type: 'String' })
    await api('PUT', '/tree/top', { value: 'top', type: 'String' })
    expect((await api('GET', '/tree/')).json.parameters.map((p: { name: string }) => p.name)).toEqual(['/tree/top'])
    const names: string[] = []
    let cursor: string | undefined
    do {
      const page = await api('GET', `/tree?recursive=true&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
      expect(page.status).toBe(200)
      names.push(...page.json.parameters.map((p: { name: string }) => p.name))
      cursor = page.json.nextCursor
    } while (cursor)
    expect(names).toEqual(['/tree/top', ...Array.from({ length: 7 }, (_, i) => `/tree/x/p${i}`)])
  })

  it('history and labels', async () => {
    await api('PUT', '/hl/p', { value: 'a', type: 'String' })
    await api('PUT', '/hl/p', { value: 'b' })
    const labelled = await api('POST', '/hl/p/labels', { version: 1, labels: ['stable', '0bad'] })
    expect(labelled.json).toEqual({ version: 1, invalidLabels: ['0bad'] })
    expect((await api('GET', '/hl/p/labels')).json).toEqual({ labels: [{ label: 'stable', version: 1 }] })
    expect((await api('GET', '/hl/p?label=stable')).json.value).toBe('a')
    const history = await api('GET', '/hl/p/history')
    expect(history.json.versions.map((v: { version: number; value: string; labels: string[] }) => [v.version, v.value, v.labels])).toEqual([
      [1, 'a', ['stable']],
      [2, 'b', []],
    ])
    expect((await api('DELETE', '/hl/p/labels?version=1&label=stable')).json).toEqual({ removedLabels: ['stable'], invalidLabels: [] })
    // a parameter literally named …/history is reached with ?parameter=true
    await api('PUT', '/hl/history?parameter=true', { value: 'named history', type: 'String' })
    expect((await api('GET', '/hl/history?parameter=true')).json.value).toBe('named history')
  })

  it('refuses bad input with problem+json', async () => {
    expect((await api('PUT', '/bad name', { value: 'x', type: 'String' })).json.code).toBe('Validation')
    expect((await api('PUT', '/ok', { value: 'x', type: 'String', extra: 1 })).json.code).toBe('Validation')
    expect((await api('PUT', '/ok', { value: 'x', type: 'String' }, { 'if-match': 'abc' })).status).toBe(400)
    const anon = await fetch(`${t.url}/v1/parameters/ok`)
    expect(anon.status).toBe(401)
  })
})
