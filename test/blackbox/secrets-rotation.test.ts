/**
 * Rotation through the real server: RotateSecret, DescribeSecret's rotation fields and
 * CancelRotateSecret with the AWS SDK; `/v1/secrets/{name}/rotation` and `/rotations` over REST
 * (configure, run now, pause/resume, history), with the random-password plugin.
 */
import {
  CancelRotateSecretCommand,
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adminToken } from '../support/aws.ts'
import { arca } from '../support/cli.ts'
import { secretsClient } from '../support/secrets.ts'
import { TEST_ACCOUNT, type TestServer, startTestServer } from '../support/server.ts'

let t: TestServer
let sm: SecretsManagerClient
let token: string

beforeAll(async () => {
  t = await startTestServer()
  sm = secretsClient(t)
  token = await adminToken(t)
})
afterAll(async () => {
  await t?.stop()
})

async function api(method: string, route: string, body?: unknown): Promise<{ status: number; json: Record<string, any> }> {
  const res = await fetch(`${t.url}/v1/secrets${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await res.text()
  return { status: res.status, json: text ? JSON.parse(text) : {} }
}

describe('AWS face', () => {
  it('RotateSecret rotates with the plugin named by its Lambda ARN; DescribeSecret shows the rotation; CancelRotateSecret turns it off', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'rot/sdk', SecretString: 'first' }))
    const arn = `arn:aws:lambda:us-east-1:${TEST_ACCOUNT}:function:random-password`
    const out = await sm.send(new RotateSecretCommand({ SecretId: 'rot/sdk', RotationLambdaARN: arn, RotationRules: { ScheduleExpression: 'rate(10 days)', Duration: '3h' } }))
    expect(out.VersionId).toMatch(/^[0-9a-f-]{36}$/)
    await t.services.rotation.idle()
    const v = await sm.send(new GetSecretValueCommand({ SecretId: 'rot/sdk' }))
    expect(v.VersionId).toBe(out.VersionId)
    expect(v.SecretString).not.toBe('first')
    const d = await sm.send(new DescribeSecretCommand({ SecretId: 'rot/sdk' }))
    expect(d).toMatchObject({ RotationEnabled: true, RotationLambdaARN: arn, RotationRules: { ScheduleExpression: 'rate(10 days)', Duration: '3h' } })
    expect(d.LastRotatedDate).toBeInstanceOf(Date)
    expect(d.NextRotationDate!.getTime()).toBeGreaterThan(d.LastRotatedDate!.getTime())
    const c = await sm.send(new CancelRotateSecretCommand({ SecretId: 'rot/sdk' }))
    expect(c.ARN).toBe(d.ARN)
    const after = await sm.send(new DescribeSecretCommand({ SecretId: 'rot/sdk' }))
    expect(after.RotationEnabled).toBe(false)
    expect(after.NextRotationDate).toBeUndefined()
  })

  it("refuses what AWS refuses: no function, rules more often than four hours, AutomaticallyAfterDays out of range", async () => {
    await sm.send(new CreateSecretCommand({ Name: 'rot/bad', SecretString: 'x' }))
    await expect(sm.send(new RotateSecretCommand({ SecretId: 'rot/bad' }))).rejects.toMatchObject({ name: 'InvalidRequestException', message: 'No Lambda rotation function ARN is associated with this secret.' })
    await expect(sm.send(new RotateSecretCommand({ SecretId: 'rot/bad', RotationLambdaARN: 'random-password', RotationRules: { ScheduleExpression: 'rate(2 hours)' } }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    })
    await expect(sm.send(new RotateSecretCommand({ SecretId: 'rot/bad', RotationLambdaARN: 'random-password', RotationRules: { AutomaticallyAfterDays: 1001 } }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 400 },
    })
  })
})

describe('REST', () => {
  it('configure, run now, history, pause and resume', async () => {
    await api('POST', '', { name: 'rot/rest/db', value: 'start' })
    const put = await api('PUT', '/rot/rest/db/rotation', { plugin: 'random-password', schedule: { automaticallyAfterDays: 30 } })
    expect(put.status).toBe(200)
    expect(put.json).toMatchObject({ enabled: true, paused: false, rotationLambdaARN: 'random-password', rotationRules: { automaticallyAfterDays: 30 } })
    expect(put.json.nextRotationDate).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect((await api('GET', '/rot/rest/db')).json.value).toBe('start') // not rotated yet

    const ran = await api('POST', '/rot/rest/db/rotation/run?wait=true')
    expect(ran).toMatchObject({ status: 200, json: { outcome: 'succeeded' } })
    const now = await api('GET', '/rot/rest/db')
    expect(now.json.versionId).toBe(ran.json.versionId)
    const history = await api('GET', '/rot/rest/db/rotations')
    expect(history.json.attempts).toHaveLength(1)
    expect(history.json.attempts[0]).toMatchObject({ outcome: 'succeeded', trigger: 'manual', versionId: ran.json.versionId })
    expect(history.json.attempts[0].steps.map((s: { step: string }) => s.step)).toEqual(['createSecret', 'setSecret', 'testSecret', 'finishSecret'])
    expect(history.json.attempts[0].startedAt).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(JSON.stringify(history.json)).not.toContain(now.json.value)

    expect((await api('POST', '/rot/rest/db/rotation/pause')).json.paused).toBe(true)
    expect(await api('POST', '/rot/rest/db/rotation/run')).toMatchObject({ status: 409, json: { code: 'InvalidRequest' } })
    expect((await api('POST', '/rot/rest/db/rotation/resume')).json.paused).toBe(false)
    expect((await api('DELETE', '/rot/rest/db/rotation')).status).toBe(200)
    expect((await api('GET', '/rot/rest/db/rotation')).json.enabled).toBe(false)
  })

  it('a secret named like a sub-resource is still reachable with ?secret=true', async () => {
    await api('POST', '', { name: 'odd/rotation', value: 'v' })
    expect((await api('GET', '/odd/rotation?secret=true')).json.value).toBe('v')
    expect((await api('GET', '/odd/rotation')).status).toBe(404) // the rotation of "odd", which does not exist
  })
})

describe('CLI', () => {
  it('arca secrets rotate: configure, --now, --history, --pause/--resume, --off', async () => {
    await api('POST', '', { name: 'rot/cli', value: 'cli-start' })
    const env = { ARCA_ENDPOINT: t.url, ARCA_TOKEN: token }
    const conf = await arca(['secrets', 'rotate', 'rot/cli', '--plugin', 'random-password', '--schedule', 'rate(7 days)', '--duration', '2h', '--output', 'json'], env)
    expect(conf.code, conf.stderr).toBe(0)
    expect(JSON.parse(conf.stdout)).toMatchObject({ enabled: true, rotationRules: { scheduleExpression: 'rate(7 days)', duration: '2h' } })
    const now = await arca(['secrets', 'rotate', 'rot/cli', '--now', '--output', 'json'], env)
    expect(now.code, now.stderr).toBe(0)
    expect(JSON.parse(now.stdout)).toMatchObject({ outcome: 'succeeded' })
    const hist = await arca(['secrets', 'rotate', 'rot/cli', '--history', '--output', 'json'], env)
    expect(JSON.parse(hist.stdout).attempts[0]).toMatchObject({ outcome: 'succeeded', trigger: 'manual' })
    expect(JSON.parse((await arca(['secrets', 'rotate', 'rot/cli', '--pause', '--output', 'json'], env)).stdout).paused).toBe(true)
    const refused = await arca(['secrets', 'rotate', 'rot/cli', '--now'], env)
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toMatch(/paused/)
    expect(JSON.parse((await arca(['secrets', 'rotate', 'rot/cli', '--resume', '--output', 'json'], env)).stdout).paused).toBe(false)
    expect((await arca(['secrets', 'rotate', 'rot/cli', '--off'], env)).code).toBe(0)
    expect(JSON.parse((await arca(['secrets', 'rotate', 'rot/cli', '--output', 'json'], env)).stdout).enabled).toBe(false)
  }, 60_000)
})
