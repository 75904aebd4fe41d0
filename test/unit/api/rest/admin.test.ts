import { Hono } from 'hono'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ArcaError, ERROR_CODES, ManualClock } from '../../../../src/core/index.ts'
import type { AppEnv, AuthenticatedPrincipal } from '../../../../src/api/rest/env.ts'
import { PROBLEM_STATUS, toProblem } from '../../../../src/api/rest/problem.ts'
import { createAdminRoutes } from '../../../../src/api/rest/routes/admin.ts'
import { createWhoamiRoute } from '../../../../src/api/rest/routes/whoami.ts'
import { createIdentity, type Identity } from '../../../../src/services/identity/index.ts'
import { createTestDatabase, type TestDatabase } from '../../../support/db.ts'
import { testBarrier } from '../../services/identity/support.ts'

const DEFAULT = '111111111111'
const TENANT = '222222222222'
const POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }] })

let t: TestDatabase
let identity: Identity
let operator: AuthenticatedPrincipal
let tenantAdmin: AuthenticatedPrincipal
let plainUser: AuthenticatedPrincipal
const errors: string[] = []

async function principal(account: string, name: string): Promise<AuthenticatedPrincipal> {
  const p = (await identity.getPrincipal('user', account, name))!
  return { id: p.id, account: p.account, kind: p.kind, name: p.name, arn: p.arn, admin: p.admin, tags: p.tags }
}

/** The routes as the lead mounts them, behind a stand-in for the authentication middleware. */
function appAs(who: AuthenticatedPrincipal | undefined, id: Identity = identity) {
  const app = new Hono<AppEnv>()
  app.use('*', async (c, next) => {
    if (who) c.set('principal', who)
    await next()
  })
  app.route('/v1/admin', createAdminRoutes(id, { defaultAccount: DEFAULT, log: { error: (m, f) => errors.push(`${m} ${JSON.stringify(f)}`) } }))
  app.route('/v1/whoami', createWhoamiRoute())
  return app
}

function call(who: AuthenticatedPrincipal | undefined, method: string, path: string, body?: unknown) {
  const init: RequestInit = { method }
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body)
    init.headers = { 'content-type': 'application/json' }
  }
  return appAs(who).request(path, init)
}

async function expectProblem(res: Response, status: number, code: string, field?: string) {
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toBe('application/problem+json')
  const body = (await res.json()) as Record<string, unknown>
  expect(body).toMatchObject({ type: `urn:arca:problem:${code}`, status, code })
  expect(typeof body.title).toBe('string')
  expect(typeof body.detail).toBe('string')
  if (field !== undefined) expect(body.field).toBe(field)
  return body
}

beforeEach(async () => {
  t = await createTestDatabase()
  identity = createIdentity({ db: t.db, barrier: testBarrier(), clock: new ManualClock() })
  await identity.bootstrap({ accountId: DEFAULT })
  await identity.createAccount(TENANT)
  await identity.createPrincipal('user', { name: 'alice', account: DEFAULT })
  operator = await principal(DEFAULT, 'admin')
  tenantAdmin = await principal(TENANT, 'admin')
  plainUser = await principal(DEFAULT, 'alice')
  errors.length = 0
})
afterEach(async () => {
  await t.dispose()
})

describe('admin routes: who may call them', () => {
  const routes: [string, string, unknown?][] = [
    ['POST', '/v1/admin/accounts', {}],
    ['GET', '/v1/admin/accounts'],
    ['POST', '/v1/admin/users', { name: 'x' }],
    ['GET', '/v1/admin/users'],
    ['GET', '/v1/admin/users/alice'],
    ['DELETE', '/v1/admin/users/alice'],
    ['POST', '/v1/admin/users/alice/access-keys'],
    ['DELETE', '/v1/admin/users/alice/access-keys/AKIAAAAAAAAAAAAAAAAA'],
    ['PUT', '/v1/admin/users/alice/policies/p', POLICY],
    ['GET', '/v1/admin/users/alice/policies/p'],
    ['DELETE', '/v1/admin/users/alice/policies/p'],
    ['GET', '/v1/admin/users/alice/policies'],
    ['POST', '/v1/admin/users/alice/tokens', {}],
    ['POST', '/v1/admin/roles', { name: 'x' }],
    ['GET', '/v1/admin/roles'],
    ['GET', '/v1/admin/roles/r'],
    ['DELETE', '/v1/admin/roles/r'],
    ['PUT', '/v1/admin/roles/r/policies/p', POLICY],
  ]

  it('answers 403 problem+json to a principal that is not an administrator, for every route', async () => {
    for (const [method, path, body] of routes) {
      const res = await call(plainUser, method, path, body)
      const problem = await expectProblem(res, 403, 'AccessDenied')
      expect(problem.detail).toContain(plainUser.arn)
    }
    expect(await identity.getPrincipal('user', DEFAULT, 'alice')).toBeDefined()
  })

  it('answers 401 when no principal was authenticated', async () => {
    const res = await call(undefined, 'GET', '/v1/admin/users')
    await expectProblem(res, 401, 'Unauthenticated')
    expect(res.headers.get('www-authenticate')).toContain('Bearer')
    await expectProblem(await call(undefined, 'GET', '/v1/whoami'), 401, 'Unauthenticated')
  })

  it("lets only the default account's administrator use ?account= (or a body account) for another account", async () => {
    await expectProblem(await call(tenantAdmin, 'GET', `/v1/admin/users?account=${DEFAULT}`), 403, 'AccessDenied')
    await expectProblem(await call(tenantAdmin, 'POST', '/v1/admin/users', { name: 'x', account: DEFAULT }), 403, 'AccessDenied')
    await expectProblem(await call(tenantAdmin, 'POST', `/v1/admin/users/alice/tokens?account=${DEFAULT}`, {}), 403, 'AccessDenied')
    // Its own account, named explicitly, is fine.
    expect((await call(tenantAdmin, 'GET', `/v1/admin/users?account=${TENANT}`)).status).toBe(200)
    const res = await call(operator, 'GET', `/v1/admin/users?account=${TENANT}`)
    expect(await res.json()).toEqual({ users: [{ name: 'admin', arn: `arn:aws:iam::${TENANT}:user/admin`, account: TENANT, tags: {} }] })
  })

  it('keeps a tenant administrator in its own account', async () => {
    const created = await call(tenantAdmin, 'POST', '/v1/admin/users', { name: 'bob' })
    expect(created.status).toBe(201)
    expect(await created.json()).toEqual({ name: 'bob', arn: `arn:aws:iam::${TENANT}:user/bob`, account: TENANT })
    await expectProblem(await call(tenantAdmin, 'GET', '/v1/admin/users/alice'), 404, 'NotFound', 'name')
    await expectProblem(await call(tenantAdmin, 'POST', '/v1/admin/accounts', {}), 403, 'AccessDenied')
    expect(await (await call(tenantAdmin, 'GET', '/v1/admin/accounts')).json()).toEqual({ accounts: [{ id: TENANT }] })
  })
})

describe('admin routes: accounts', () => {
  it('creates accounts with or without an id, and lists them', async () => {
    const given = await call(operator, 'POST', '/v1/admin/accounts', { id: '333333333333' })
    expect(given.status).toBe(201)
    expect(await given.json()).toEqual({ id: '333333333333' })
    const drawn = await call(operator, 'POST', '/v1/admin/accounts')
    expect(drawn.status).toBe(201)
    const { id } = (await drawn.json()) as { id: string }
    expect(id).toMatch(/^\d{12}$/)
    const list = (await (await call(operator, 'GET', '/v1/admin/accounts')).json()) as { accounts: { id: string }[] }
    expect(list.accounts.map((a) => a.id).sort()).toEqual([DEFAULT, TENANT, '333333333333', id].sort())
  })

  it('answers 409 for a duplicate and 400 for a malformed id', async () => {
    await expectProblem(await call(operator, 'POST', '/v1/admin/accounts', { id: TENANT }), 409, 'AlreadyExists', 'id')
    await expectProblem(await call(operator, 'POST', '/v1/admin/accounts', { id: '12' }), 400, 'Validation', 'id')
    await expectProblem(await call(operator, 'POST', '/v1/admin/accounts', { id: 333333333333 }), 400, 'Validation', 'id')
  })
})

describe('admin routes: users and roles', () => {
  for (const [plural, kind] of [['users', 'user'], ['roles', 'role']] as const) {
    it(`${plural}: create, list, get, delete`, async () => {
      const created = await call(operator, 'POST', `/v1/admin/${plural}`, { name: 'svc', tags: { team: 'blue' } })
      expect(created.status).toBe(201)
      expect(await created.json()).toEqual({ name: 'svc', arn: `arn:aws:iam::${DEFAULT}:${kind}/svc`, account: DEFAULT })

      const list = (await (await call(operator, 'GET', `/v1/admin/${plural}`)).json()) as Record<string, unknown[]>
      expect(list[plural]).toContainEqual({ name: 'svc', arn: `arn:aws:iam::${DEFAULT}:${kind}/svc`, account: DEFAULT, tags: { team: 'blue' } })

      const got = await call(operator, 'GET', `/v1/admin/${plural}/svc`)
      expect(got.status).toBe(200)
      expect(await got.json()).toEqual({ name: 'svc', arn: `arn:aws:iam::${DEFAULT}:${kind}/svc`, account: DEFAULT, tags: { team: 'blue' }, accessKeys: [], policies: [] })

      const del = await call(operator, 'DELETE', `/v1/admin/${plural}/svc`)
      expect(del.status).toBe(204)
      expect(await del.text()).toBe('')
      await expectProblem(await call(operator, 'GET', `/v1/admin/${plural}/svc`), 404, 'NotFound')
      await expectProblem(await call(operator, 'DELETE', `/v1/admin/${plural}/svc`), 404, 'NotFound')
    })
  }

  it('creates a principal in another account through the body', async () => {
    const res = await call(operator, 'POST', '/v1/admin/roles', { name: 'r', account: TENANT })
    expect(await res.json()).toEqual({ name: 'r', arn: `arn:aws:iam::${TENANT}:role/r`, account: TENANT })
    await expectProblem(await call(operator, 'POST', `/v1/admin/roles?account=${DEFAULT}`, { name: 'r', account: TENANT }), 400, 'Validation', 'account')
    await expectProblem(await call(operator, 'POST', '/v1/admin/roles', { name: 'r', account: '999999999999' }), 404, 'NotFound', 'account')
    await expectProblem(await call(operator, 'GET', '/v1/admin/users?account=999999999999'), 404, 'NotFound')
    await expectProblem(await call(operator, 'GET', '/v1/admin/users?account=abc'), 400, 'Validation', 'account')
  })

  it('answers 409 for a duplicate name and for deleting the administrator', async () => {
    await expectProblem(await call(operator, 'POST', '/v1/admin/users', { name: 'ALICE' }), 409, 'AlreadyExists', 'name')
    await expectProblem(await call(operator, 'DELETE', '/v1/admin/users/admin'), 409, 'Conflict')
  })

  it('answers 400 for bad bodies, naming the problem', async () => {
    const notJson = await expectProblem(await call(operator, 'POST', '/v1/admin/users', '{"name": '), 400, 'Serialization')
    expect(notJson.detail).toMatch(/not valid JSON/)
    await expectProblem(await call(operator, 'POST', '/v1/admin/users', '["x"]'), 400, 'Serialization')
    await expectProblem(await call(operator, 'POST', '/v1/admin/users', { name: 'x', role: 'admin' }), 400, 'Validation', 'role')
    await expectProblem(await call(operator, 'POST', '/v1/admin/users', {}), 400, 'Validation', 'name')
    await expectProblem(await call(operator, 'POST', '/v1/admin/users', { name: 42 }), 400, 'Validation', 'name')
    await expectProblem(await call(operator, 'POST', '/v1/admin/users', { name: 'a/b' }), 400, 'Validation', 'name')
    await expectProblem(await call(operator, 'POST', '/v1/admin/users', { name: 'x', account: 1 }), 400, 'Validation', 'account')
    await expectProblem(await call(operator, 'POST', '/v1/admin/users', { name: 'x', tags: { 'aws:k': 'v' } }), 400, 'Validation')
    await expectProblem(await call(operator, 'POST', '/v1/admin/users', { name: 'x', tags: 'team=blue' }), 400, 'Validation', 'tags')
    await expectProblem(await call(operator, 'POST', '/v1/admin/users/alice/access-keys', { extra: 1 }), 400, 'Validation', 'extra')
  })
})

describe('admin routes: access keys', () => {
  it('creates (secret shown once), shows and deletes access keys', async () => {
    const res = await call(operator, 'POST', '/v1/admin/users/alice/access-keys')
    expect(res.status).toBe(201)
    const key = (await res.json()) as { accessKeyId: string; secretAccessKey: string }
    expect(Object.keys(key).sort()).toEqual(['accessKeyId', 'secretAccessKey'])
    expect((await identity.accessKey(key.accessKeyId))?.secretAccessKey).toBe(key.secretAccessKey)

    const got = (await (await call(operator, 'GET', '/v1/admin/users/alice')).json()) as { accessKeys: { accessKeyId: string; createdAt: string }[] }
    expect(got.accessKeys).toEqual([{ accessKeyId: key.accessKeyId, createdAt: '2026-01-01T00:00:00.000Z' }])
    expect(JSON.stringify(got)).not.toContain(key.secretAccessKey)

    expect((await call(operator, 'DELETE', `/v1/admin/users/alice/access-keys/${key.accessKeyId}`)).status).toBe(204)
    expect(await identity.accessKey(key.accessKeyId)).toBeUndefined()
    await expectProblem(await call(operator, 'DELETE', `/v1/admin/users/alice/access-keys/${key.accessKeyId}`), 404, 'NotFound')
  })

  it('answers 409 LimitExceeded for a third key and 404 for an unknown user', async () => {
    await call(operator, 'POST', '/v1/admin/users/alice/access-keys')
    await call(operator, 'POST', '/v1/admin/users/alice/access-keys')
    await expectProblem(await call(operator, 'POST', '/v1/admin/users/alice/access-keys'), 409, 'LimitExceeded')
    await expectProblem(await call(operator, 'POST', '/v1/admin/users/ghost/access-keys'), 404, 'NotFound')
  })

  it('manages keys of another account for the operator', async () => {
    const res = await call(operator, 'POST', `/v1/admin/users/admin/access-keys?account=${TENANT}`)
    const key = (await res.json()) as { accessKeyId: string }
    expect((await identity.accessKey(key.accessKeyId))?.principal).toMatchObject({ account: TENANT, name: 'admin', admin: true })
  })
})

describe('admin routes: policies', () => {
  for (const [plural, kind] of [['users', 'user'], ['roles', 'role']] as const) {
    it(`${plural}: put, get, list, delete`, async () => {
      if (kind === 'role') await identity.createPrincipal('role', { name: 'alice', account: DEFAULT })
      const base = `/v1/admin/${plural}/alice/policies`
      const put = await call(operator, 'PUT', `${base}/read-only`, POLICY)
      expect(put.status).toBe(204)
      const got = await call(operator, 'GET', `${base}/read-only`)
      expect(got.status).toBe(200)
      expect(got.headers.get('content-type')).toMatch(/^application\/json/)
      expect(await got.text()).toBe(POLICY)
      expect(await (await call(operator, 'GET', base)).json()).toEqual({ policies: ['read-only'] })
      expect((await (await call(operator, 'GET', `/v1/admin/${plural}/alice`)).json()) as object).toMatchObject({ policies: ['read-only'] })
      expect((await call(operator, 'DELETE', `${base}/read-only`)).status).toBe(204)
      await expectProblem(await call(operator, 'GET', `${base}/read-only`), 404, 'NotFound', 'policyName')
      await expectProblem(await call(operator, 'DELETE', `${base}/read-only`), 404, 'NotFound')
      expect(await (await call(operator, 'GET', base)).json()).toEqual({ policies: [] })
    })
  }

  it('answers 400 MalformedPolicyDocument for bad documents and 400 for bad names', async () => {
    const body = await expectProblem(await call(operator, 'PUT', '/v1/admin/users/alice/policies/p', '{"Statement": '), 400, 'MalformedPolicyDocument', 'document')
    expect(body.detail).toMatch(/Syntax errors in policy/)
    await expectProblem(await call(operator, 'PUT', '/v1/admin/users/alice/policies/p', '{"Version":"2012-10-17"}'), 400, 'MalformedPolicyDocument')
    await expectProblem(await call(operator, 'PUT', '/v1/admin/users/alice/policies/p'), 400, 'MalformedPolicyDocument')
    await expectProblem(await call(operator, 'PUT', `/v1/admin/users/alice/policies/${'p'.repeat(129)}`, POLICY), 400, 'Validation', 'policyName')
    await expectProblem(await call(operator, 'PUT', '/v1/admin/users/ghost/policies/p', POLICY), 404, 'NotFound')
    await expectProblem(await call(operator, 'GET', '/v1/admin/users/ghost/policies'), 404, 'NotFound')
  })
})

describe('admin routes: tokens', () => {
  it('makes a token that authenticates, with its expiry as ISO time', async () => {
    const res = await call(operator, 'POST', '/v1/admin/users/alice/tokens', { ttlSeconds: 3600 })
    expect(res.status).toBe(201)
    const made = (await res.json()) as { token: string; expiresAt: string }
    expect(made.expiresAt).toBe('2026-01-01T01:00:00.000Z')
    expect(await identity.authenticateToken(made.token)).toMatchObject({ name: 'alice', account: DEFAULT })
    const dflt = (await (await call(operator, 'POST', '/v1/admin/users/alice/tokens')).json()) as { expiresAt: string }
    expect(dflt.expiresAt).toBe('2026-01-31T00:00:00.000Z')
  })

  it('answers 400 for a bad TTL', async () => {
    for (const ttlSeconds of [0, 'soon', 1e12, 1.5]) {
      await expectProblem(await call(operator, 'POST', '/v1/admin/users/alice/tokens', { ttlSeconds }), 400, 'Validation', 'ttlSeconds')
    }
  })
})

describe('whoami', () => {
  it('answers who the caller is, for any principal', async () => {
    const res = await call(plainUser, 'GET', '/v1/whoami')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ account: DEFAULT, arn: `arn:aws:iam::${DEFAULT}:user/alice`, name: 'alice', kind: 'user', admin: false })
    const signed = await call({ ...operator, accessKeyId: 'AKIAAAAAAAAAAAAAAAAA' }, 'GET', '/v1/whoami')
    expect(await signed.json()).toEqual({
      account: DEFAULT,
      arn: `arn:aws:iam::${DEFAULT}:user/admin`,
      name: 'admin',
      kind: 'user',
      admin: true,
      accessKeyId: 'AKIAAAAAAAAAAAAAAAAA',
    })
  })
})

describe('problem+json', () => {
  it('maps every error code to a 4xx or 5xx status', () => {
    for (const code of ERROR_CODES) {
      expect(PROBLEM_STATUS[code], code).toBeGreaterThanOrEqual(400)
      expect(PROBLEM_STATUS[code], code).toBeLessThan(600)
    }
    expect(PROBLEM_STATUS).toMatchObject({ Validation: 400, MalformedPolicyDocument: 400, InvalidSignature: 401, AccessDenied: 403, NotFound: 404, AlreadyExists: 409, Conflict: 409, Sealed: 503, Internal: 500 })
  })

  it('answers a fault as a generic 500, never with its message or cause, and logs it', async () => {
    const failing: Identity = { ...identity, listPrincipals: async () => Promise.reject(new Error('connection to db.internal:5432 refused, password=hunter2')) }
    const res = await appAs(operator, failing).request('/v1/admin/users')
    const body = await expectProblem(res, 500, 'Internal')
    expect(body.detail).toBe('An internal error occurred.')
    expect(JSON.stringify(body)).not.toContain('hunter2')
    expect(errors.join('\n')).toContain('refused')
    const internal = toProblem(new ArcaError('Internal', 'stored material failed authentication', { cause: new Error('x') }))
    expect(internal).toMatchObject({ status: 500, detail: 'An internal error occurred.' })
  })
})
