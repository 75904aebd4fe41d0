import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MS } from '../../../../src/core/index.ts'
import { testBackend } from '../../../support/db.ts'
import { type ParamsHarness, admin, createParamsHarness, rejection } from './support.ts'

let h: ParamsHarness
beforeEach(async () => {
  h = await createParamsHarness()
})
afterEach(async () => {
  await h.dispose()
})

const iso = (ms: number) => new Date(ms).toISOString()
const expiration = (at: number) => ({ Type: 'Expiration', Version: '1.0', Attributes: { Timestamp: iso(at) } })
const notifyBefore = (n: number, unit = 'Days') => ({ Type: 'ExpirationNotification', Version: '1.0', Attributes: { Before: String(n), Unit: unit } })
const noChange = (n: number, unit = 'Days') => ({ Type: 'NoChangeNotification', Version: '1.0', Attributes: { After: String(n), Unit: unit } })
const put = (name: string, policies: unknown[], extra: Record<string, unknown> = {}) =>
  h.params.putParameter(admin, { name, value: 'v', type: 'String', tier: 'Advanced', policies: JSON.stringify(policies), ...extra })

async function policyEvents() {
  return (await h.events()).filter((e) => e.detailType === 'Parameter Store Policy Action').map((e) => e.detail['policy-type'])
}

describe('parameter policies: grammar', () => {
  it('checks types, attributes, counts, combinations and the tier, with AWS error names', async () => {
    const t0 = h.clock.now()
    const code = async (policies: unknown, extra: Record<string, unknown> = {}) =>
      (await rejection(h.params.putParameter(admin, { name: '/p', value: 'v', type: 'String', tier: 'Advanced', policies: typeof policies === 'string' ? policies : JSON.stringify(policies), ...extra }))).code
    expect(await code([{ Type: 'Rotate', Version: '1.0', Attributes: {} }])).toBe('InvalidPolicyType')
    expect(await code([{ Type: 'Expiration', Version: '2.0', Attributes: { Timestamp: iso(t0 + MS.day) } }])).toBe('InvalidPolicyAttribute')
    expect(await code([{ Type: 'Expiration', Version: '1.0', Attributes: { Timestamp: 'tomorrow' } }])).toBe('InvalidPolicyAttribute')
    expect(await code([expiration(t0 - MS.day)])).toBe('InvalidPolicyAttribute')
    expect(await code([noChange(0)])).toBe('InvalidPolicyAttribute')
    expect(await code([noChange(3, 'Weeks')])).toBe('InvalidPolicyAttribute')
    expect(await code('not json')).toBe('InvalidPolicyAttribute')
    expect(await code([expiration(t0 + MS.day), expiration(t0 + 2 * MS.day)])).toBe('IncompatiblePolicy')
    expect(await code([notifyBefore(1)])).toBe('IncompatiblePolicy')
    expect(await code(Array.from({ length: 11 }, (_, i) => noChange(i + 1)))).toBe('PoliciesLimitExceeded')
    expect(await code([noChange(1)], { tier: 'Standard' })).toBe('Validation')
    expect(await h.params.putParameter(admin, { name: '/p', value: 'v', type: 'String', tier: 'Intelligent-Tiering', policies: JSON.stringify([noChange(1)]) })).toEqual({ version: 1, tier: 'Advanced' })
    const [m] = (await h.params.describeParameters(admin, {})).parameters
    expect(m!.policies).toEqual([{ policyText: JSON.stringify(noChange(1)), policyType: 'NoChangeNotification', policyStatus: 'Pending' }])
    // a put without Policies keeps them; [] clears them
    await h.params.putParameter(admin, { name: '/p', value: 'v2', overwrite: true })
    expect((await h.params.describeParameters(admin, {})).parameters[0]!.policies).toHaveLength(1)
    await h.params.putParameter(admin, { name: '/p', value: 'v3', overwrite: true, policies: '[]' })
    expect((await h.params.describeParameters(admin, {})).parameters[0]!.policies).toEqual([])
  })
})

describe('parameter policies: firing as the clock moves', () => {
  it('notifies once, resets NoChange on a new version, survives a restart, and deletes at expiry', async () => {
    const t0 = h.clock.now()
    await put('/exp', [expiration(t0 + 10 * MS.day), notifyBefore(2), noChange(3)])
    const run = async (at: number) => {
      h.clock.set(at)
      return h.params.runDueParameterPolicies(at)
    }
    expect(await run(t0 + MS.day)).toBe(0)
    expect(await run(t0 + 3 * MS.day)).toBe(1)
    expect(await run(t0 + 3 * MS.day + MS.hour)).toBe(0)
    expect(await policyEvents()).toEqual(['NoChangeNotification'])
    const [event] = (await h.events()).filter((e) => e.detailType === 'Parameter Store Policy Action')
    expect(event!.detail).toEqual({
      'parameter-name': '/exp',
      'parameter-type': 'String',
      'policy-type': 'NoChangeNotification',
      'policy-content': JSON.stringify(noChange(3)),
      'action-status': 'Success',
      'action-reason': `The parameter has not been changed for 3 days. This notification was generated based on the policy created at ${iso(t0)}.`,
    })
    // a new version restarts NoChange's clock: due again 3 days after it
    h.clock.set(t0 + 4 * MS.day)
    await h.params.putParameter(admin, { name: '/exp', value: 'new', overwrite: true })
    expect(await run(t0 + 6 * MS.day)).toBe(0)
    expect(await run(t0 + 7 * MS.day)).toBe(1)
    const restarted = await h.restart()
    expect(await restarted.runDueParameterPolicies(t0 + 8 * MS.day)).toBe(1)
    expect(await policyEvents()).toEqual(['NoChangeNotification', 'NoChangeNotification', 'ExpirationNotification'])
    const statuses = (await restarted.describeParameters(admin, {})).parameters[0]!.policies.map((p) => [p.policyType, p.policyStatus])
    expect(statuses).toEqual([
      ['Expiration', 'Pending'],
      ['ExpirationNotification', 'Finished'],
      ['NoChangeNotification', 'Finished'],
    ])
    expect(await restarted.runDueParameterPolicies(t0 + 10 * MS.day)).toBe(1)
    expect((await rejection(restarted.getParameter(admin, { name: '/exp' }))).code).toBe('NotFound')
    const tail = (await h.events()).slice(-2)
    expect(tail.map((e) => [e.detailType, e.detail['policy-type'] ?? e.detail.operation])).toEqual([
      ['Parameter Store Policy Action', 'Expiration'],
      ['Parameter Store Change', 'Delete'],
    ])
    expect(await restarted.runDueParameterPolicies(t0 + 20 * MS.day)).toBe(0)
  })

  it('after downtime, fires everything that came due once, the notice before the deletion', async () => {
    const t0 = h.clock.now()
    await put('/late', [expiration(t0 + 2 * MS.day), notifyBefore(1), noChange(12, 'Hours')])
    await put('/other', [noChange(1, 'Hours')])
    if (testBackend === 'postgres') {
      // Two nodes on one shared database run the job at once: each policy still acts once.
      const another = await h.another()
      try {
        const [a, b] = await Promise.all([h.params.runDueParameterPolicies(t0 + 30 * MS.day), another.params.runDueParameterPolicies(t0 + 30 * MS.day)])
        expect(a + b).toBe(4)
      } finally {
        await another.close()
      }
    } else {
      // SQLite serves one node (capabilities: not shared).
      expect(await h.params.runDueParameterPolicies(t0 + 30 * MS.day)).toBe(4)
      expect(await h.params.runDueParameterPolicies(t0 + 30 * MS.day)).toBe(0)
    }
    expect(await policyEvents()).toEqual(['NoChangeNotification', 'NoChangeNotification', 'ExpirationNotification', 'Expiration'])
    expect((await h.params.getParameter(admin, { name: '/other' })).parameter.value).toBe('v')
  })
})
