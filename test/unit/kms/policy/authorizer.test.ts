import { describe, expect, it } from 'vitest'
import { MS, ManualClock } from '../../../../src/core/index.ts'
import type { AuthzRequest, Caller } from '../../../../src/kms/index.ts'
import type { KeyRecord } from '../../../../src/kms/keys/record.ts'
import { createPolicyAuthorizer } from '../../../../src/kms/policy/index.ts'
import { CASE_KEY_ID, caseKey, defaultPolicyFor } from '../../../support/policy-case-request.ts'

const A = '111122223333'
const B = '444455556666'
const key = (policy: string = defaultPolicyFor(A)): KeyRecord => ({ ...caseKey({ name: 'k', caller: { account: 'A', kind: 'root' }, operation: 'Decrypt', key: {}, expect: { decision: 'Allow' } })!, policy })
const alice = (policies: object[] = [], extra: Partial<Caller> = {}): Caller => ({
  account: A,
  principalArn: `arn:aws:iam::${A}:user/alice`,
  region: 'us-east-1',
  policies: policies.map((p) => JSON.stringify(p)),
  ...extra,
})
const doc = (...Statement: object[]) => ({ Version: '2012-10-17', Statement })
const doctext = (...Statement: object[]) => JSON.stringify(doc(...Statement))
const rootStmt = { Sid: 'Root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'kms:*', Resource: '*' }

function denied(req: AuthzRequest, authorizer = createPolicyAuthorizer({ clock: new ManualClock() })): Promise<string> {
  return Promise.resolve()
    .then(() => authorizer.authorize(req))
    .then(
      () => {
        throw new Error('expected AccessDenied')
      },
      (e: { code: string; message: string }) => {
        expect(e.code).toBe('AccessDenied')
        return e.message
      },
    )
}

describe('AccessDenied messages', () => {
  const k = key()
  const head = `User: arn:aws:iam::${A}:user/alice is not authorized to perform: kms:Decrypt on resource: ${k.arn}`
  it('names the missing identity-based policy when the key policy delegates', async () => {
    expect(await denied({ caller: alice(), action: 'kms:Decrypt', key: k })).toBe(`${head} because no identity-based policy allows the kms:Decrypt action`)
  })
  it('names the missing resource-based policy when the key policy does not reach the caller', async () => {
    const other = key(doctext({ Sid: 'Bob', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:user/bob` }, Action: 'kms:*', Resource: '*' }))
    expect(await denied({ caller: alice([doc({ Effect: 'Allow', Action: 'kms:*', Resource: '*' })]), action: 'kms:Decrypt', key: other })).toBe(
      `${head} because no resource-based policy allows the kms:Decrypt action`,
    )
  })
  it('names the explicit deny and where it is', async () => {
    const denyKey = key(doctext(rootStmt, { Effect: 'Deny', Principal: '*', Action: 'kms:Decrypt', Resource: '*' }))
    expect(await denied({ caller: alice(), action: 'kms:Decrypt', key: denyKey })).toBe(`${head} with an explicit deny in a resource-based policy`)
    const idDeny = alice([doc({ Effect: 'Deny', Action: 'kms:*', Resource: '*' })])
    expect(await denied({ caller: idDeny, action: 'kms:Decrypt', key: k })).toBe(`${head} with an explicit deny in an identity-based policy`)
  })
  it('account-level actions name resource *', async () => {
    expect(await denied({ caller: alice(), action: 'kms:CreateKey', resource: '*' })).toBe(
      `User: arn:aws:iam::${A}:user/alice is not authorized to perform: kms:CreateKey on resource: * because no identity-based policy allows the kms:CreateKey action`,
    )
  })
  it('a malformed stored key policy fails closed, even for the root user', async () => {
    const broken = key('{"Statement": [{"Effect": "Perhaps"}]}')
    const root: Caller = { account: A, principalArn: `arn:aws:iam::${A}:root`, region: 'us-east-1' }
    expect(await denied({ caller: root, action: 'kms:Decrypt', key: broken })).toMatch(/with an explicit deny in a resource-based policy$/)
  })
})

describe('resource tags', () => {
  const abac = doc({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } } })

  it('are loaded only when a policy reads them, then cached on the clock', async () => {
    const clock = new ManualClock()
    const loads: string[] = []
    let team = 'blue'
    const authorizer = createPolicyAuthorizer({ clock, resourceTags: async (k) => (loads.push(k.id), { team }) })
    const plain = { caller: alice([doc({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' })]), action: 'kms:Decrypt', key: key() }
    expect(authorizer.authorize(plain)).toBeUndefined() // no tags needed: decided synchronously
    expect(loads).toEqual([])

    const tagged = { caller: alice([abac], { principalTags: { team: 'blue' } }), action: 'kms:Decrypt', key: key() }
    await authorizer.authorize(tagged)
    await authorizer.authorize(tagged)
    expect(loads).toEqual([CASE_KEY_ID])
    team = 'red'
    await authorizer.authorize(tagged) // still cached
    clock.advance(2 * MS.second)
    expect(await denied(tagged, authorizer)).toMatch(/because no identity-based policy allows/)
    expect(loads).toEqual([CASE_KEY_ID, CASE_KEY_ID])
  })

  it('are forgotten when the key is tagged', async () => {
    const clock = new ManualClock()
    let team = 'blue'
    const authorizer = createPolicyAuthorizer({ clock, resourceTags: async () => ({ team }) })
    const tagged = { caller: alice([abac, doc({ Effect: 'Allow', Action: 'kms:TagResource', Resource: '*' })], { principalTags: { team: 'blue' } }), action: 'kms:Decrypt', key: key() }
    await authorizer.authorize(tagged)
    await authorizer.authorize({ ...tagged, action: 'kms:TagResource' })
    team = 'red'
    await expect(Promise.resolve().then(() => authorizer.authorize(tagged))).rejects.toMatchObject({ code: 'AccessDenied' })
  })
})

describe('lockoutCheck', () => {
  const authorizer = createPolicyAuthorizer({ clock: new ManualClock() })
  const arn = key().arn
  const admin = alice([], { admin: true })
  it('passes a policy that keeps delegating to the account', () => {
    expect(authorizer.lockoutCheck(admin, arn, defaultPolicyFor(A))).toBe(true)
  })
  it('fails a policy that names only someone else', () => {
    expect(authorizer.lockoutCheck(admin, arn, doctext({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:user/bob` }, Action: 'kms:*', Resource: '*' }))).toBe(false)
  })
  it('fails a policy that denies the caller PutKeyPolicy', () => {
    expect(authorizer.lockoutCheck(admin, arn, doctext(rootStmt, { Effect: 'Deny', Principal: { AWS: `arn:aws:iam::${A}:user/alice` }, Action: 'kms:PutKeyPolicy', Resource: '*' }))).toBe(false)
  })
  it('considers the caller identity policies under delegation', () => {
    const limited = alice([doc({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' })])
    expect(authorizer.lockoutCheck(limited, arn, defaultPolicyFor(A))).toBe(false)
    const manager = alice([doc({ Effect: 'Allow', Action: 'kms:PutKeyPolicy', Resource: arn })])
    expect(authorizer.lockoutCheck(manager, arn, defaultPolicyFor(A))).toBe(true)
  })
  it('throws MalformedPolicyDocument for a bad document', () => {
    expect(() => authorizer.lockoutCheck(admin, arn, doctext({ ...rootStmt, Effect: 'Sure' }))).toThrow(expect.objectContaining({ code: 'MalformedPolicyDocument' }))
  })
})

describe('explain', () => {
  const authorizer = createPolicyAuthorizer({ clock: new ManualClock() })
  it('reports the deciding statement and every statement outcome', async () => {
    const k = key(
      doctext(
        rootStmt,
        { Sid: 'Ctx', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:user/alice` }, Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:EncryptionContext:app': 'x' } } },
        { Sid: 'Enc', Effect: 'Allow', Principal: '*', Action: 'kms:Encrypt', Resource: '*' },
      ),
    )
    const ex = await authorizer.explain({ caller: alice(), action: 'kms:Decrypt', key: k, encryptionContext: { app: 'y' } })
    expect(ex).toMatchObject({ allowed: false, decision: 'ImplicitDeny', missing: 'identity-based', resource: k.arn })
    expect(ex.message).toMatch(/because no identity-based policy allows the kms:Decrypt action$/)
    expect(ex.trace).toEqual([
      { source: 'key-policy', index: 0, sid: 'Root', effect: 'Allow', outcome: 'delegates-to-account' },
      { source: 'key-policy', index: 1, sid: 'Ctx', effect: 'Allow', outcome: 'condition-false', detail: 'StringEquals kms:EncryptionContext:app' },
      { source: 'key-policy', index: 2, sid: 'Enc', effect: 'Allow', outcome: 'action-mismatch' },
    ])
    const ok = await authorizer.explain({ caller: alice(), action: 'kms:Decrypt', key: k, encryptionContext: { app: 'x' } })
    expect(ok).toMatchObject({ allowed: true, by: { source: 'key-policy', sid: 'Ctx', index: 1 } })
    expect(ok.message).toBeUndefined()
  })
  it('reports the grant that allowed, and both halves of a cross-account allow', async () => {
    const k = key(doctext(rootStmt, { Sid: 'AcctB', Effect: 'Allow', Principal: { AWS: B }, Action: 'kms:Decrypt', Resource: '*' }))
    const bobB: Caller = { account: B, principalArn: `arn:aws:iam::${B}:user/bob`, region: 'us-east-1', policies: [JSON.stringify(doc({ Sid: 'Mine', Effect: 'Allow', Action: 'kms:Decrypt', Resource: k.arn }))] }
    const ex = await authorizer.explain({ caller: bobB, action: 'kms:Decrypt', key: k })
    expect(ex).toMatchObject({ allowed: true, by: { source: 'identity-policy', sid: 'Mine', policyIndex: 0 }, also: { source: 'key-policy', sid: 'AcctB' } })
    const grant = { grantId: 'g1', keyId: k.id, region: k.region, account: A, granteePrincipal: alice().principalArn, operations: ['Decrypt'], creationDate: 0 }
    const byGrant = await authorizer.explain({ caller: alice(), action: 'kms:Decrypt', key: key(doctext(rootStmt)), grantOperation: 'Decrypt', grants: [grant] })
    expect(byGrant).toMatchObject({ allowed: true, by: { source: 'grant', grantId: 'g1' } })
    expect(byGrant.trace.at(-1)).toEqual({ source: 'grant', grantId: 'g1', outcome: 'applies' })
  })
})
