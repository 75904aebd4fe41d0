/**
 * Every reproducible case of the policy table (test/support/policy-cases.ts), replayed against one
 * real server through the real @aws-sdk/client-kms: accounts, principals with tags and identity
 * policies, keys with their policies, grants and real ciphertexts are made for each case, then the
 * case's call is made as its principal. An allow must succeed; a deny must be AccessDeniedException
 * with AWS's message. Where `POST /v1/admin/explain` can state the same request, it must name the
 * statement or grant the table names.
 *
 * Also here, on the same server: policy documents are checked by the engine's grammar when
 * written (key policies with or without BypassPolicyLockoutSafetyCheck, identity policies), the
 * PutKeyPolicy lockout check, and the same engine deciding for Parameter Store.
 */
import { CreateKeyCommand, GetKeyPolicyCommand, MalformedPolicyDocumentException, PutKeyPolicyCommand } from '@aws-sdk/client-kms'
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adminApi, kmsClient, sdkError } from '../support/aws.ts'
import { POLICY_CASES, type PolicyCase } from '../support/policy-cases.ts'
import { type Replayed, replayCase, skipReason } from '../support/policy-case-replay.ts'
import { makePrincipal, tokenFor } from '../support/principals.ts'
import { TEST_ACCOUNT, TEST_REGION, type TestServer, startTestServer } from '../support/server.ts'

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

const BAD_GRAMMAR = [
  ['an Effect other than Allow or Deny', '{"Statement":[{"Effect":"Maybe"}]}', /Effect/],
  ['an unknown condition operator', JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*', Condition: { StringEqualz: { 'aws:PrincipalArn': 'x' } } }] }), /StringEqualz/],
  ['a principal that is not an ARN or account id', JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: 'bob' }, Action: 'kms:*', Resource: '*' }] }), /principal/i],
  ['an action without a service prefix', JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 'Decrypt', Resource: '*' }] }), /Decrypt/],
  ['a statement without a Principal', JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] }), /Principal/],
] as const

describe('key policies are checked by the engine when written', () => {
  const rootPolicy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TEST_ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }] })

  for (const [what, doc, mentions] of BAD_GRAMMAR) {
    it(`PutKeyPolicy and CreateKey refuse ${what}, with or without BypassPolicyLockoutSafetyCheck`, async () => {
      const kms = kmsClient(t)
      try {
        const keyId = (await kms.send(new CreateKeyCommand({ Policy: rootPolicy }))).KeyMetadata!.KeyId!
        for (const bypass of [false, true]) {
          const put = await sdkError(kms.send(new PutKeyPolicyCommand({ KeyId: keyId, Policy: doc, BypassPolicyLockoutSafetyCheck: bypass })))
          expect(put).toBeInstanceOf(MalformedPolicyDocumentException)
          expect(put.message).toMatch(mentions)
          const create = await sdkError(kms.send(new CreateKeyCommand({ Policy: doc, BypassPolicyLockoutSafetyCheck: bypass })))
          expect(create).toBeInstanceOf(MalformedPolicyDocumentException)
        }
        expect((await kms.send(new GetKeyPolicyCommand({ KeyId: keyId }))).Policy).toBe(rootPolicy)
      } finally {
        kms.destroy()
      }
    })
  }

  it('the lockout check refuses a policy that drops the caller\'s PutKeyPolicy, unless bypassed', async () => {
    const kms = kmsClient(t)
    try {
      const keyId = (await kms.send(new CreateKeyCommand({ Policy: rootPolicy }))).KeyMetadata!.KeyId!
      const others = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Others', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TEST_ACCOUNT}:user/someone-else` }, Action: 'kms:*', Resource: '*' }] })
      const refused = await sdkError(kms.send(new PutKeyPolicyCommand({ KeyId: keyId, Policy: others })))
      expect(refused).toBeInstanceOf(MalformedPolicyDocumentException)
      expect(refused.message).toMatch(/will not allow you to update the key policy/)
      expect((await kms.send(new GetKeyPolicyCommand({ KeyId: keyId }))).Policy).toBe(rootPolicy)
      // A policy that keeps the caller's PutKeyPolicy passes without the bypass.
      const keeps = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Admin', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TEST_ACCOUNT}:user/admin` }, Action: ['kms:PutKeyPolicy', 'kms:GetKeyPolicy'], Resource: '*' }] })
      await kms.send(new PutKeyPolicyCommand({ KeyId: keyId, Policy: keeps }))
      // With the bypass, the caller locks itself out, as asked.
      await kms.send(new PutKeyPolicyCommand({ KeyId: keyId, Policy: others, BypassPolicyLockoutSafetyCheck: true }))
      const locked = await sdkError(kms.send(new PutKeyPolicyCommand({ KeyId: keyId, Policy: rootPolicy })))
      expect(locked.name).toBe('AccessDeniedException')
    } finally {
      kms.destroy()
    }
  })
})

describe('identity policies are checked by the engine when uploaded', () => {
  it('the admin REST API refuses a grammar fault with 400 MalformedPolicyDocument and stores nothing', async () => {
    await makePrincipal(t, { account: TEST_ACCOUNT, name: 'grammar-user' })
    const faults = [
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*', Condition: { StringEqualz: { 'aws:PrincipalArn': 'x' } } }] },
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'key/123' }] },
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*', Sneaky: true }] },
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*' }] },
    ]
    for (const doc of faults) {
      const res = await adminApi(t, 'PUT', '/users/grammar-user/policies/p', doc)
      expect(res.status, JSON.stringify(doc)).toBe(400)
      expect(res.json).toMatchObject({ code: 'MalformedPolicyDocument' })
    }
    expect(await t.services.identity.listPolicies('user', TEST_ACCOUNT, 'grammar-user')).toEqual([])
    const good = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:EncryptionContext:app': 'web' } } }] }
    expect((await adminApi(t, 'PUT', '/users/grammar-user/policies/p', good)).status).toBeLessThan(300)
  })
})

describe('the same engine decides for Parameter Store', () => {
  it('an identity policy on parameter/app/* lets a user read /app/x but not /other/y', async () => {
    const admin = new SSMClient({ endpoint: t.url, region: TEST_REGION, credentials: t.admin, maxAttempts: 1 })
    const reader = await makePrincipal(t, {
      account: TEST_ACCOUNT,
      name: 'param-reader',
      policies: [{ Version: '2012-10-17', Statement: [{ Sid: 'AppParams', Effect: 'Allow', Action: 'ssm:GetParameter', Resource: `arn:aws:ssm:${TEST_REGION}:${TEST_ACCOUNT}:parameter/app/*` }] }],
    })
    const ssm = new SSMClient({ endpoint: t.url, region: TEST_REGION, credentials: reader.credentials, maxAttempts: 1 })
    try {
      await admin.send(new PutParameterCommand({ Name: '/app/x', Value: 'app-value', Type: 'String' }))
      await admin.send(new PutParameterCommand({ Name: '/other/y', Value: 'other-value', Type: 'String' }))
      expect((await ssm.send(new GetParameterCommand({ Name: '/app/x' }))).Parameter?.Value).toBe('app-value')
      const denied = await sdkError(ssm.send(new GetParameterCommand({ Name: '/other/y' })))
      expect(denied.name).toBe('AccessDeniedException')
      expect(denied.message).toBe(
        `User: ${reader.arn} is not authorized to perform: ssm:GetParameter on resource: arn:aws:ssm:${TEST_REGION}:${TEST_ACCOUNT}:parameter/other/y because no identity-based policy allows the ssm:GetParameter action`,
      )
      expect(denied.message).not.toContain('other-value')
    } finally {
      admin.destroy()
      ssm.destroy()
    }
  })
})
