import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../../../src/core/index.ts'
import { createPolicyAuthorizer, evaluate } from '../../../../src/kms/policy/index.ts'
import { caseRequest } from '../../../support/policy-case-request.ts'
import { POLICY_CASES, type PolicyCase } from '../../../support/policy-cases.ts'

const NOW = Date.UTC(2026, 0, 1)

function expectDecidedBy(c: PolicyCase, by: { source: string; sid?: string; grantId?: string } | undefined) {
  if (!c.expect.by) return
  expect(by?.source).toBe(c.expect.by.source)
  if (c.expect.by.sid) expect(by?.sid).toBe(c.expect.by.sid)
  if (c.expect.by.grant) expect(by?.grantId).toBe(c.expect.by.grant)
}

describe('policy case table', () => {
  it('has at least 60 uniquely named cases', () => {
    expect(POLICY_CASES.length).toBeGreaterThanOrEqual(60)
    expect(new Set(POLICY_CASES.map((c) => c.name)).size).toBe(POLICY_CASES.length)
  })

  describe.each(POLICY_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    it('evaluate decides as expected', () => {
      const req = caseRequest(c)
      const ev = evaluate({ ...req, now: NOW, ...(c.key?.tags ? { resourceTags: c.key.tags } : {}) })
      expect(ev.decision, ev.reason).toBe(c.expect.decision)
      expectDecidedBy(c, ev.by)
    })

    it('the authorizer allows or refuses with AWS wording', async () => {
      const authorizer = createPolicyAuthorizer({ clock: new ManualClock(NOW), resourceTags: async () => c.key?.tags ?? {} })
      const req = caseRequest(c)
      const run = Promise.resolve().then(() => authorizer.authorize(req))
      if (c.expect.decision === 'Allow') {
        await expect(run).resolves.toBeUndefined()
        return
      }
      const resource = req.key?.arn ?? '*'
      const head = `User: ${req.caller.principalArn} is not authorized to perform: ${req.action} on resource: ${resource}`
      const tail =
        c.expect.decision === 'ExplicitDeny'
          ? ` with an explicit deny in ${c.expect.by?.source === 'identity-policy' ? 'an identity-based' : 'a resource-based'} policy`
          : / because no (identity|resource)-based policy allows the /.source
      const err = await run.catch((e: unknown) => e)
      expect(err).toMatchObject({ code: 'AccessDenied' })
      expect((err as Error).message.startsWith(head)).toBe(true)
      if (c.expect.decision === 'ExplicitDeny') expect((err as Error).message).toBe(head + tail)
      else expect((err as Error).message).toMatch(new RegExp(`${tail}${req.action} action$`))
    })
  })
})
