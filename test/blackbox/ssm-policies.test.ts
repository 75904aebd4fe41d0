/** Parameter policies on a running server: the scheduler's job fires them as the clock moves, across a restart. */
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MS } from '../../src/core/index.ts'
import { sdkError } from '../support/aws.ts'
import { TEST_REGION, type TestServer, startTestServer } from '../support/server.ts'

let t: TestServer
// The server's clock moves; the SDK signs with its offset from the machine's time, as after a skew correction.
const client = () => {
  const c = new SSMClient({ endpoint: t.url, region: TEST_REGION, credentials: t.admin, maxAttempts: 1 })
  c.middlewareStack.add(
    (next) => (args) => {
      c.config.systemClockOffset = t.clock.now() - Date.now()
      return next(args)
    },
    { step: 'initialize' },
  )
  return c
}

beforeAll(async () => {
  t = await startTestServer()
})
afterAll(async () => {
  await t?.stop()
})

async function policyActions(): Promise<string[]> {
  const rows = await t.services.db.db.selectFrom('events').select('body').where('detail_type', '=', 'Parameter Store Policy Action').orderBy('seq').execute()
  return rows.map((r) => (JSON.parse(r.body) as { detail: Record<string, string> }).detail['policy-type']!)
}

describe('parameter policies through the scheduler', () => {
  it('notifies once, resets NoChange on a new version, and deletes at expiry after a restart', async () => {
    const t0 = t.clock.now()
    const policies = [
      { Type: 'Expiration', Version: '1.0', Attributes: { Timestamp: new Date(t0 + 3 * MS.day).toISOString() } },
      { Type: 'ExpirationNotification', Version: '1.0', Attributes: { Before: '1', Unit: 'Days' } },
      { Type: 'NoChangeNotification', Version: '1.0', Attributes: { After: '12', Unit: 'Hours' } },
    ]
    let ssm = client()
    await ssm.send(new PutParameterCommand({ Name: '/pol/p', Value: 'v', Type: 'String', Tier: 'Advanced', Policies: JSON.stringify(policies) }))
    t.clock.advance(13 * MS.hour)
    await t.services.scheduler.tick()
    await t.services.scheduler.tick()
    expect(await policyActions()).toEqual(['NoChangeNotification'])
    await ssm.send(new PutParameterCommand({ Name: '/pol/p', Value: 'v2', Overwrite: true }))
    t.clock.advance(6 * MS.hour)
    await t.services.scheduler.tick()
    expect(await policyActions()).toEqual(['NoChangeNotification'])
    ssm.destroy()
    await t.restart()
    ssm = client()
    t.clock.advance(7 * MS.hour)
    await t.services.scheduler.tick()
    expect(await policyActions()).toEqual(['NoChangeNotification', 'NoChangeNotification'])
    t.clock.set(t0 + 2 * MS.day + MS.minute)
    await t.services.scheduler.tick()
    expect(await policyActions()).toEqual(['NoChangeNotification', 'NoChangeNotification', 'ExpirationNotification'])
    expect((await ssm.send(new GetParameterCommand({ Name: '/pol/p' }))).Parameter!.Value).toBe('v2')
    t.clock.set(t0 + 3 * MS.day + MS.minute)
    await t.services.scheduler.tick()
    expect((await sdkError(ssm.send(new GetParameterCommand({ Name: '/pol/p' })))).name).toBe('ParameterNotFound')
    expect(await policyActions()).toEqual(['NoChangeNotification', 'NoChangeNotification', 'ExpirationNotification', 'Expiration'])
    ssm.destroy()
  })
})
