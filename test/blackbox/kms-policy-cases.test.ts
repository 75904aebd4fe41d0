/**
 * Every reproducible case of the policy table (test/support/policy-cases.ts), replayed against one
 * real server through the real @aws-sdk/client-kms: accounts, principals with tags and identity
 * policies, keys with their policies, grants and real ciphertexts are made for each case, then the
 * case's call is made as its principal. An allow must succeed; a deny must be AccessDeniedException
 * with AWS's message. Where `POST /v1/admin/explain` can state the same request, it must name the
 * statement or grant the table names.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { POLICY_CASES, type PolicyCase } from '../support/policy-cases.ts'
import { type Replayed, replayCase, skipReason } from '../support/policy-case-replay.ts'
import { tokenFor } from '../support/principals.ts'
import { TEST_ACCOUNT, type TestServer, startTestServer } from '../support/server.ts'

let t: TestServer
let token: string

beforeAll(async () => {
  t = await startTestServer()
  token = await tokenFor(t, TEST_ACCOUNT, 'admin')
})
afterAll(async () => {
  await t?.stop()
})

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

// The operations whose whole request explain can state (principal, key, encryption context).
const EXPLAINABLE = new Set(['Decrypt', 'Encrypt', 'GenerateDataKey', 'DescribeKey'])

function expectDenied(c: PolicyCase, r: Replayed): void {
  expect(r.error, 'the call succeeded but the table says it is denied').toBeDefined()
  expect(r.error!.name, r.error!.message).toBe('AccessDeniedException')
  const head = `User: ${r.callerArn} is not authorized to perform: kms:${c.operation} on resource: ${r.keyArn ?? '*'}`
  const tail =
    c.expect.decision === 'ExplicitDeny'
      ? ` with an explicit deny in ${c.expect.by?.source === 'identity-policy' ? 'an identity-based' : 'a resource-based'} policy`
      : ` because no (identity|resource)-based policy allows the kms:${c.operation} action`
  expect(r.error!.message).toMatch(new RegExp(`^${escape(head)}${c.expect.decision === 'ExplicitDeny' ? escape(tail) : tail}$`))
}

async function expectExplained(c: PolicyCase, r: Replayed): Promise<void> {
  const res = await fetch(`${t.url}/v1/admin/explain`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(r.explainBody),
  })
  const body = (await res.json()) as { decision: string; by?: { source: string; sid?: string; grantId?: string }; message?: string }
  expect(res.status, JSON.stringify(body)).toBe(200)
  expect(body.decision).toBe(c.expect.decision)
  const want = c.expect.by
  if (want) {
    expect(body.by?.source).toBe(want.source)
    if (want.sid) expect(body.by?.sid).toBe(want.sid)
    if (want.grant) expect(body.by?.grantId).toBe(r.grantIds[want.grant])
  }
  if (c.expect.decision !== 'Allow') expect(body.message).toBe(r.error?.message)
}

const replayable = POLICY_CASES.map((c, n) => ({ c, n, skip: skipReason(c) }))

describe('the policy table through @aws-sdk/client-kms', () => {
  for (const { c, n, skip } of replayable) {
    if (skip) {
      it.skip(`${c.name} — not replayable: ${skip}`, () => {})
      continue
    }
    it(c.name, async () => {
      const r = await replayCase(t, c, n)
      if (c.expect.decision === 'Allow') expect(r.error?.message, `${r.error?.name}: ${r.error?.message}`).toBeUndefined()
      else expectDenied(c, r)
      if (r.keyArn && EXPLAINABLE.has(c.operation)) await expectExplained(c, r)
    })
  }

  it('replays at least 60 cases, allows and denies both', () => {
    const run = replayable.filter((x) => !x.skip).map((x) => x.c)
    expect(run.length).toBeGreaterThanOrEqual(60)
    expect(run.filter((c) => c.expect.decision === 'Allow').length).toBeGreaterThanOrEqual(20)
    expect(run.filter((c) => c.expect.decision === 'ExplicitDeny').length).toBeGreaterThanOrEqual(10)
    expect(run.filter((c) => c.expect.decision === 'ImplicitDeny').length).toBeGreaterThanOrEqual(20)
  })
})
