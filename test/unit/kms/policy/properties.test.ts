import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Caller, Grant } from '../../../../src/kms/index.ts'
import { type EvaluationInput, evaluate } from '../../../../src/kms/policy/index.ts'

const A = '111122223333'
const B = '444455556666'
const KEY_ARN = `arn:aws:kms:us-east-1:${A}:key/k1`
const ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion']
const PRINCIPALS = [`arn:aws:iam::${A}:user/alice`, `arn:aws:iam::${A}:user/bob`, `arn:aws:iam::${B}:user/carol`, `arn:aws:iam::${A}:root`, `arn:aws:iam::${B}:root`]
const callerAccount = (arn: string) => arn.split(':')[4]

type Stmt = Record<string, unknown>

const condition = fc.constantFrom<Stmt | undefined>(
  undefined,
  { StringEquals: { 'kms:EncryptionContext:app': 'x' } },
  { StringNotEquals: { 'kms:EncryptionContext:app': 'y' } },
  { 'ForAnyValue:StringLike': { 'kms:EncryptionContextKeys': 'a*' } },
  { 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['app', 'tenant'] } },
  { Null: { 'kms:EncryptionContextKeys': 'false' } },
  { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
  { StringEqualsIfExists: { 'kms:ViaService': 'ssm.us-east-1.amazonaws.com' } },
  { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${A}:*` } },
)
const actions = fc.oneof(fc.constantFrom('kms:*', 'kms:Gen*', 'kms:*crypt', '*'), fc.subarray(ACTIONS, { minLength: 1 }))
const effect = fc.constantFrom('Allow', 'Deny')

const keyStatement = fc.record({ effect, principal: fc.constantFrom('*', A, B, ...PRINCIPALS), action: actions, not: fc.boolean(), condition }).map(
  ({ effect, principal, action, not, condition }): Stmt => ({
    Effect: effect,
    Principal: principal === '*' ? '*' : { AWS: principal },
    [not ? 'NotAction' : 'Action']: action,
    Resource: '*',
    ...(condition ? { Condition: condition } : {}),
  }),
)
const idStatement = fc.record({ effect, action: actions, resource: fc.constantFrom('*', KEY_ARN, `arn:aws:kms:*:${B}:key/*`), condition }).map(
  ({ effect, action, resource, condition }): Stmt => ({ Effect: effect, Action: action, Resource: resource, ...(condition ? { Condition: condition } : {}) }),
)

const scenario = fc.record({
  keyStatements: fc.array(keyStatement, { minLength: 1, maxLength: 6 }),
  identity: fc.array(fc.array(idStatement, { minLength: 1, maxLength: 3 }), { maxLength: 2 }),
  principal: fc.constantFrom(...PRINCIPALS),
  admin: fc.boolean(),
  action: fc.constantFrom(...ACTIONS),
  context: fc.dictionary(fc.constantFrom('app', 'tenant', 'abc'), fc.constantFrom('x', 'y')),
  sourceIp: fc.constantFrom('10.1.2.3', '192.0.2.1'),
  grant: fc.option(fc.subarray(['Decrypt', 'Encrypt', 'DescribeKey'], { minLength: 1 }), { nil: undefined }),
})

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never

const policyText = (statements: Stmt[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements })

function input(s: Scenario, keyStatements = s.keyStatements, identity = s.identity): EvaluationInput {
  const caller: Caller = {
    account: callerAccount(s.principal),
    principalArn: s.principal,
    region: 'us-east-1',
    sourceIp: s.sourceIp,
    ...(s.admin ? { admin: true } : {}),
    policies: identity.map(policyText),
  }
  const op = s.action.slice(4)
  const grants: Grant[] = s.grant ? [{ grantId: 'g', keyId: 'k1', region: 'us-east-1', account: A, granteePrincipal: s.principal, operations: s.grant, creationDate: 0 }] : []
  return {
    caller,
    action: s.action,
    key: { arn: KEY_ARN, account: A, id: 'k1', region: 'us-east-1', policy: policyText(keyStatements) },
    encryptionContext: s.context,
    grantOperation: op,
    grants,
    now: 0,
  }
}

const insertAt = <T>(list: T[], at: number, item: T) => [...list.slice(0, at % (list.length + 1)), item, ...list.slice(at % (list.length + 1))]

describe('evaluation properties', () => {
  it('a matching explicit Deny in the key policy always denies', () => {
    fc.assert(
      fc.property(scenario, fc.nat(), fc.constantFrom<Stmt>({ Principal: '*' }, { Principal: { AWS: '*' } }), (s, at, principal) => {
        const deny = { Effect: 'Deny', ...principal, Action: s.action, Resource: '*' }
        expect(evaluate(input(s, insertAt(s.keyStatements, at, deny))).decision).toBe('ExplicitDeny')
      }),
      { numRuns: 400 },
    )
  })

  it('a matching explicit Deny in an identity policy always denies', () => {
    fc.assert(
      fc.property(scenario, fc.nat(), (s, at) => {
        const deny = { Effect: 'Deny', Action: s.action.toUpperCase(), Resource: KEY_ARN }
        expect(evaluate(input(s, s.keyStatements, insertAt(s.identity, at, [deny]))).decision).toBe('ExplicitDeny')
      }),
      { numRuns: 400 },
    )
  })

  it('adding any Deny never turns a refusal into an Allow', () => {
    fc.assert(
      fc.property(scenario, keyStatement, fc.nat(), (s, extra, at) => {
        const before = evaluate(input(s)).decision
        const after = evaluate(input(s, insertAt(s.keyStatements, at, { ...extra, Effect: 'Deny' }))).decision
        if (before !== 'Allow') expect(after).not.toBe('Allow')
      }),
      { numRuns: 400 },
    )
  })

  it('unrelated Allow statements never change an explicit deny, and never remove an Allow', () => {
    fc.assert(
      fc.property(scenario, fc.array(keyStatement, { minLength: 1, maxLength: 4 }), fc.array(idStatement, { maxLength: 3 }), (s, keyAllows, idAllows) => {
        const before = evaluate(input(s)).decision
        const allows = keyAllows.map((st) => ({ ...st, Effect: 'Allow' }))
        const identity = idAllows.length ? [...s.identity, idAllows.map((st) => ({ ...st, Effect: 'Allow' }))] : s.identity
        const after = evaluate(input(s, [...allows, ...s.keyStatements], identity)).decision
        if (before === 'ExplicitDeny') expect(after).toBe('ExplicitDeny')
        if (before === 'Allow') expect(after).toBe('Allow')
      }),
      { numRuns: 400 },
    )
  })
})
