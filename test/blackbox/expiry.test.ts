/**
 * Expiry for secrets (issue 11) through the real server: REST policies and arca:* tags through the
 * real Secrets Manager SDK, due moments fired once by the scheduler as the clock moves, restarts,
 * late firing after downtime, staleness resets, and the account-scoped expiring view.
 */
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidRequestException,
  PutSecretValueCommand,
  type SecretsManagerClient,
  TagResourceCommand,
} from '@aws-sdk/client-secrets-manager'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MS } from '../../src/core/index.ts'
import type { Caller } from '../../src/kms/index.ts'
import { adminToken, sdkError } from '../support/aws.ts'
import { followClock, secretsClient } from '../support/secrets.ts'
import { TEST_ACCOUNT, TEST_REGION, type TestServer, startTestServer } from '../support/server.ts'

let t: TestServer
let sm: SecretsManagerClient
let token: string

beforeAll(async () => {
  t = await startTestServer()
  sm = secretsClient(t)
  token = await adminToken(t)
})
afterAll(async () => {
  sm?.destroy()
  await t?.stop()
})

const send: SecretsManagerClient['send'] = ((cmd: never) => {
  followClock(sm, t)
  return sm.send(cmd)
}) as never

async function rest(method: string, route: string, body?: unknown): Promise<{ status: number; json: any }> {
  // Tokens expire as the clock moves: a fresh one per call.
  token = await adminToken(t)
  const res = await fetch(`${t.url}/v1${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await res.text()
  return { status: res.status, json: text ? JSON.parse(text) : undefined }
}

interface Ev {
  'detail-type': string
  detail: Record<string, any>
  resources: string[]
}
async function expiryEvents(arn: string): Promise<Ev[]> {
  const rows = await t.services.db.db.selectFrom('events').select('body').where('detail_type', 'in', ['Arca Expiry Notification', 'Arca Item Expired']).orderBy('seq').execute()
  return rows.map((r) => JSON.parse(r.body as string) as Ev).filter((e) => e.resources.includes(arn))
}
const tick = () => t.services.scheduler.tick(t.clock.now())
const iso = (ms: number) => new Date(ms).toISOString()
const ttl = (start: number, action: string) => ({
  action,
  recoveryWindowInDays: 7,
  policies: [
    { Type: 'Expiration', Version: '1.0', Attributes: { Timestamp: iso(start + 10 * MS.day) } },
    { Type: 'ExpirationNotification', Version: '1.0', Attributes: { Before: '3', Unit: 'Days' } },
  ],
})

describe('a 10-day TTL with a 3-day notice', () => {
  for (const action of ['notify', 'deny-reads', 'delete'] as const) {
    it(`one notice at day 7, expiry at day 10 (${action})`, async () => {
      const name = `ttl/${action}`
      const { ARN } = await send(new CreateSecretCommand({ Name: name, SecretString: 'v' }))
      const start = t.clock.now()
      const put = await rest('PUT', `/secrets/${name}/policies`, ttl(start, action))
      expect(put.status).toBe(200)
      expect(put.json.pending.map((p: { policyType: string }) => p.policyType)).toEqual(['ExpirationNotification', 'Expiration'])
      t.clock.advance(7 * MS.day - MS.minute)
      await tick()
      expect(await expiryEvents(ARN!)).toHaveLength(0)
      t.clock.advance(MS.minute)
      await tick()
      t.clock.advance(MS.hour)
      await tick()
      const notices = await expiryEvents(ARN!)
      expect(notices).toHaveLength(1)
      expect(notices[0]!.detail).toMatchObject({ 'policy-type': 'ExpirationNotification', 'due-at': iso(start + 7 * MS.day), 'time-left-seconds': 3 * 86400, late: false, 'item-type': 'secret' })
      expect(JSON.stringify(notices)).not.toContain('"v"')
      t.clock.advance(3 * MS.day - MS.hour)
      await tick()
      const all = await expiryEvents(ARN!)
      expect(all.map((e) => e['detail-type'])).toEqual(['Arca Expiry Notification', 'Arca Item Expired'])
      expect(all[1]!.detail.action).toContain(action)
      const read = send(new GetSecretValueCommand({ SecretId: name }))
      if (action === 'notify') expect((await read).SecretString).toBe('v')
      else {
        const err = await sdkError(read)
        expect(err).toBeInstanceOf(InvalidRequestException)
        if (action === 'deny-reads') expect((err as Error).message).toContain(`expired at ${iso(start + 10 * MS.day)}`)
      }
      if (action === 'delete') {
        const d = await send(new DescribeSecretCommand({ SecretId: name }))
        expect(d.DeletedDate!.getTime()).toBe(t.clock.now())
      }
    })
  }
})

describe('restarts', () => {
  it('a restart between the two moments neither repeats nor loses a notice', async () => {
    const name = 'ttl/restart'
    const { ARN } = await send(new CreateSecretCommand({ Name: name, SecretString: 'v' }))
    const start = t.clock.now()
    expect((await rest('PUT', `/secrets/${name}/policies`, ttl(start, 'notify'))).status).toBe(200)
    t.clock.advance(7 * MS.day)
    await tick()
    expect(await expiryEvents(ARN!)).toHaveLength(1)
    await t.restart()
    sm.destroy()
    sm = secretsClient(t)
    await tick()
    t.clock.advance(MS.hour)
    await tick()
    expect(await expiryEvents(ARN!)).toHaveLength(1)
    t.clock.advance(3 * MS.day)
    await tick()
    expect((await expiryEvents(ARN!)).map((e) => e.detail['policy-type'])).toEqual(['ExpirationNotification', 'Expiration'])
  })

  it('a server down across a due moment sends it late on start, once', async () => {
    const name = 'ttl/down'
    const { ARN } = await send(new CreateSecretCommand({ Name: name, SecretString: 'v' }))
    const start = t.clock.now()
    expect((await rest('PUT', `/secrets/${name}/policies`, ttl(start, 'notify'))).status).toBe(200)
    await t.server.close()
    t.clock.advance(8 * MS.day)
    await t.restart().catch(() => {})
    sm.destroy()
    sm = secretsClient(t)
    await tick()
    t.clock.advance(MS.hour)
    await tick()
    const ev = await expiryEvents(ARN!)
    expect(ev).toHaveLength(1)
    expect(ev[0]!.detail).toMatchObject({ 'policy-type': 'ExpirationNotification', late: true, 'due-at': iso(start + 7 * MS.day) })
  })
})

describe('staleness resets', () => {
  it('NoChange resets exactly when a new version is written', async () => {
    const { ARN } = await send(new CreateSecretCommand({ Name: 'stale/change', SecretString: 'a', Tags: [{ Key: 'arca:no-change-after', Value: '2d' }] }))
    t.clock.advance(1.5 * MS.day)
    await send(new PutSecretValueCommand({ SecretId: 'stale/change', SecretString: 'b' }))
    t.clock.advance(0.6 * MS.day)
    await tick()
    expect(await expiryEvents(ARN!)).toHaveLength(0)
    t.clock.advance(1.5 * MS.day)
    await tick()
    const ev = await expiryEvents(ARN!)
    expect(ev).toHaveLength(1)
    expect(ev[0]!.detail['policy-type']).toBe('NoChangeNotification')
  })

  it('NoAccess resets exactly when the value is read', async () => {
    const { ARN } = await send(new CreateSecretCommand({ Name: 'stale/access', SecretString: 'a', Tags: [{ Key: 'arca:no-access-after', Value: '48h' }] }))
    t.clock.advance(1.5 * MS.day)
    await send(new GetSecretValueCommand({ SecretId: 'stale/access' }))
    t.clock.advance(0.6 * MS.day)
    await tick()
    expect(await expiryEvents(ARN!)).toHaveLength(0)
    t.clock.advance(1.5 * MS.day)
    await tick()
    const ev = await expiryEvents(ARN!)
    expect(ev.map((e) => e.detail['policy-type'])).toEqual(['NoAccessNotification'])
  })
})

describe('tags through the AWS SDK', () => {
  it('arca:expires-at + arca:notify-before configure expiry; deny-reads by tag', async () => {
    const at = t.clock.now() + 10 * MS.day
    const { ARN } = await send(new CreateSecretCommand({ Name: 'tags/ok', SecretString: 'v', Tags: [{ Key: 'arca:expires-at', Value: iso(at) }] }))
    await send(new TagResourceCommand({ SecretId: 'tags/ok', Tags: [{ Key: 'arca:notify-before', Value: '3d' }, { Key: 'arca:expiry-action', Value: 'deny-reads' }] }))
    const got = await rest('GET', '/secrets/tags/ok/policies')
    expect(got.json).toMatchObject({ source: 'tags', action: 'deny-reads' })
    expect(got.json.pending.map((p: { dueAt: string }) => p.dueAt)).toEqual([iso(at - 3 * MS.day), iso(at)])
    t.clock.advance(10 * MS.day)
    await tick()
    expect((await expiryEvents(ARN!)).length).toBe(2)
    expect(await sdkError(send(new GetSecretValueCommand({ SecretId: 'tags/ok' })))).toBeInstanceOf(InvalidRequestException)
  })

  it('malformed tags are refused with a ValidationException naming the tag, and not stored', async () => {
    const cases: [string, string][] = [
      ['arca:expires-at', 'tomorrow'],
      ['arca:notify-before', '2 weeks'],
      ['arca:no-change-after', '-1d'],
      ['arca:no-access-after', '90'],
    ]
    for (const [Key, Value] of cases) {
      const err = (await sdkError(send(new CreateSecretCommand({ Name: `tags/bad-${Key.slice(5)}`, SecretString: 'v', Tags: [{ Key, Value }] })))) as Error
      expect(err.name).toBe('ValidationException')
      expect(err.message).toContain(Key)
    }
    await send(new CreateSecretCommand({ Name: 'tags/later', SecretString: 'v' }))
    const err = (await sdkError(send(new TagResourceCommand({ SecretId: 'tags/later', Tags: [{ Key: 'arca:expires-at', Value: '2020-01-01T00:00:00Z' }] })))) as Error
    expect(err.name).toBe('ValidationException')
    expect(err.message).toContain('arca:expires-at')
    const d = await send(new DescribeSecretCommand({ SecretId: 'tags/later' }))
    expect(d.Tags ?? []).toEqual([])
  })
})

describe('REST policies', () => {
  it('validation names the bad field; GET and DELETE', async () => {
    await send(new CreateSecretCommand({ Name: 'pol/rest', SecretString: 'v' }))
    const bad = await rest('PUT', '/secrets/pol/rest/policies', [{ Type: 'NoAccessNotification', Version: '1.0', Attributes: { After: '3', Unit: 'Weeks' } }])
    expect(bad.status).toBe(400)
    expect(JSON.stringify(bad.json)).toContain('policies[0].Attributes.Unit')
    const bad2 = await rest('PUT', '/secrets/pol/rest/policies', { policies: [], action: 'explode' })
    expect(JSON.stringify(bad2.json)).toContain('action')
    expect((await rest('PUT', '/secrets/pol/rest/policies', [{ Type: 'NoAccessNotification', Version: '1.0', Attributes: { After: '3', Unit: 'Days' } }])).status).toBe(200)
    expect((await rest('GET', '/secrets/pol/rest/policies')).json.pending).toHaveLength(1)
    expect((await rest('DELETE', '/secrets/pol/rest/policies')).status).toBe(204)
    expect((await rest('GET', '/secrets/pol/rest/policies')).json).toMatchObject({ source: 'none', pending: [] })
  })
})

describe('the expiring view', () => {
  it('sorted by due time, only the caller account, only what the caller may describe', async () => {
    await send(new CreateSecretCommand({ Name: 'view/soon', SecretString: 'v', Tags: [{ Key: 'arca:expires-at', Value: iso(t.clock.now() + 2 * MS.day) }] }))
    await send(new CreateSecretCommand({ Name: 'view/later', SecretString: 'v', Tags: [{ Key: 'arca:expires-at', Value: iso(t.clock.now() + 20 * MS.day) }] }))
    await send(new CreateSecretCommand({ Name: 'view/far', SecretString: 'v', Tags: [{ Key: 'arca:expires-at', Value: iso(t.clock.now() + 60 * MS.day) }] }))
    const other: Caller = { account: '222222222222', region: TEST_REGION, principalArn: 'arn:aws:iam::222222222222:root', admin: true }
    await t.services.secrets.createSecret(other, { name: 'view/other', secretString: 'x', tags: [{ key: 'arca:expires-at', value: iso(t.clock.now() + MS.day) }] })

    const page = await rest('GET', '/expiring?within=30d&type=secret')
    expect(page.status).toBe(200)
    const names = page.json.items.map((i: { name: string }) => i.name)
    expect(names.indexOf('view/soon')).toBeLessThan(names.indexOf('view/later'))
    expect(names).not.toContain('view/far')
    expect(names).not.toContain('view/other')
    const dues = page.json.items.map((i: { dueAt: string }) => i.dueAt)
    expect([...dues].sort()).toEqual(dues)

    const first = await rest('GET', '/expiring?within=30d&type=secret&limit=1')
    expect(first.json.items).toHaveLength(1)
    const second = await rest('GET', `/expiring?within=30d&type=secret&limit=1&nextToken=${first.json.nextToken}`)
    expect(second.json.items[0].name).not.toBe(first.json.items[0].name)

    const deny = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:DescribeSecret', Resource: '*' }, { Effect: 'Deny', Action: 'secretsmanager:DescribeSecret', Resource: 'arn:aws:secretsmanager:*:*:secret:view/soon-*' }] })
    const bob: Caller = { account: TEST_ACCOUNT, region: TEST_REGION, principalArn: `arn:aws:iam::${TEST_ACCOUNT}:user/bob`, policies: [deny] }
    const seen = (await t.services.expiry.listExpiring(bob, { within: '30d' })).items.map((i) => i.name)
    expect(seen).not.toContain('view/soon')
    expect(seen).toContain('view/later')
    const nobody: Caller = { account: TEST_ACCOUNT, region: TEST_REGION, principalArn: `arn:aws:iam::${TEST_ACCOUNT}:user/nobody`, policies: [] }
    expect((await t.services.expiry.listExpiring(nobody, { within: '30d' })).items).toEqual([])
    const bad = await rest('GET', '/expiring?within=soon')
    expect(bad.status).toBe(400)
  })
})
