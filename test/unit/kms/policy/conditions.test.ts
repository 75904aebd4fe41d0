import { describe, expect, it } from 'vitest'
import { type ConditionContext, compileCondition, testCondition } from '../../../../src/kms/policy/index.ts'

// Each check: operator, key, policy values, request context (lowercased keys) → expected.
function holds(operator: string, key: string, values: unknown, context: Record<string, string | string[]>, variables = true): boolean {
  const ctx: ConditionContext = { get: (k) => context[k] }
  return testCondition(compileCondition(operator, key, values, variables), ctx)
}

describe('string operators', () => {
  it('StringEquals is case-sensitive; several values are OR', () => {
    expect(holds('StringEquals', 'k', 'a', { k: 'a' })).toBe(true)
    expect(holds('StringEquals', 'k', 'a', { k: 'A' })).toBe(false)
    expect(holds('StringEquals', 'k', ['x', 'a'], { k: 'a' })).toBe(true)
  })
  it('a missing key makes StringEquals false and StringNotEquals true (IAM: negated operators)', () => {
    expect(holds('StringEquals', 'k', 'a', {})).toBe(false)
    expect(holds('StringNotEquals', 'k', 'a', {})).toBe(true)
    expect(holds('StringNotEqualsIgnoreCase', 'k', 'a', {})).toBe(true)
    expect(holds('StringNotLike', 'k', 'a*', {})).toBe(true)
  })
  it('StringNotEquals with several values is true only when none matches', () => {
    expect(holds('StringNotEquals', 'k', ['a', 'b'], { k: 'c' })).toBe(true)
    expect(holds('StringNotEquals', 'k', ['a', 'b'], { k: 'b' })).toBe(false)
  })
  it('IgnoreCase forms fold case on both sides', () => {
    expect(holds('StringEqualsIgnoreCase', 'k', 'ABC', { k: 'abc' })).toBe(true)
    expect(holds('StringNotEqualsIgnoreCase', 'k', 'ABC', { k: 'abc' })).toBe(false)
  })
  it('StringLike: * is any run, ? one character, other characters literal', () => {
    expect(holds('StringLike', 'k', 'app-*', { k: 'app-1/x' })).toBe(true)
    expect(holds('StringLike', 'k', 'a?c', { k: 'abc' })).toBe(true)
    expect(holds('StringLike', 'k', 'a?c', { k: 'abbc' })).toBe(false)
    expect(holds('StringLike', 'k', 'a.c', { k: 'abc' })).toBe(false)
    expect(holds('StringLike', 'k', 'a*', { k: 'A1' })).toBe(false)
    expect(holds('StringNotLike', 'k', ['a*', 'b*'], { k: 'c' })).toBe(true)
  })
  it('numbers and booleans in values compare as their text', () => {
    expect(holds('StringEquals', 'k', 7, { k: '7' })).toBe(true)
    expect(holds('StringEquals', 'k', true, { k: 'true' })).toBe(true)
  })
})

describe('numeric operators', () => {
  it.each([
    ['NumericEquals', '10', '10', true],
    ['NumericEquals', '10', '10.0', true],
    ['NumericNotEquals', '10', '11', true],
    ['NumericLessThan', '10', '9', true],
    ['NumericLessThan', '10', '10', false],
    ['NumericLessThanEquals', '10', '10', true],
    ['NumericGreaterThan', '10', '11', true],
    ['NumericGreaterThanEquals', '10', '9', false],
  ])('%s %s with request %s → %s', (op, policy, request, want) => {
    expect(holds(op, 'n', policy, { n: request })).toBe(want)
  })
  it('a non-numeric request value matches nothing', () => {
    expect(holds('NumericEquals', 'n', 1, { n: 'one' })).toBe(false)
  })
  it('a missing key: false, except NumericNotEquals', () => {
    expect(holds('NumericLessThan', 'n', 1, {})).toBe(false)
    expect(holds('NumericNotEquals', 'n', 1, {})).toBe(true)
  })
})

describe('date operators', () => {
  const now = { t: '2026-01-01T00:00:00.000Z' }
  it('compare ISO 8601 dates and epoch seconds', () => {
    expect(holds('DateLessThan', 't', '2026-06-01T00:00:00Z', now)).toBe(true)
    expect(holds('DateGreaterThan', 't', '2026-06-01T00:00:00Z', now)).toBe(false)
    expect(holds('DateEquals', 't', String(Date.UTC(2026, 0, 1) / 1000), now)).toBe(true)
    expect(holds('DateNotEquals', 't', '2020-01-01', now)).toBe(true)
    expect(holds('DateLessThanEquals', 't', '2026-01-01T00:00:00Z', now)).toBe(true)
    expect(holds('DateGreaterThanEquals', 't', '2026-01-01T00:00:01Z', now)).toBe(false)
  })
  it('reads an epoch-seconds request value (aws:EpochTime)', () => {
    expect(holds('DateGreaterThan', 'e', '2025-12-31T23:59:59Z', { e: String(Date.UTC(2026, 0, 1) / 1000) })).toBe(true)
  })
})

describe('Bool and Null', () => {
  it('Bool compares true/false without case; a missing key is false, BoolIfExists true', () => {
    expect(holds('Bool', 'b', 'true', { b: 'true' })).toBe(true)
    expect(holds('Bool', 'b', 'TRUE', { b: 'true' })).toBe(true)
    expect(holds('Bool', 'b', 'false', { b: 'true' })).toBe(false)
    expect(holds('Bool', 'b', false, {})).toBe(false)
    expect(holds('BoolIfExists', 'b', false, {})).toBe(true)
  })
  it('Null true means absent, false means present; an empty set counts as absent', () => {
    expect(holds('Null', 'k', 'true', {})).toBe(true)
    expect(holds('Null', 'k', 'true', { k: 'x' })).toBe(false)
    expect(holds('Null', 'k', 'false', { k: 'x' })).toBe(true)
    expect(holds('Null', 'k', 'true', { k: [] })).toBe(true)
  })
})

describe('IP address operators', () => {
  it('IPv4 CIDR, single address, IPv6 CIDR and IPv4-mapped IPv6 peers', () => {
    expect(holds('IpAddress', 'ip', '203.0.113.0/24', { ip: '203.0.113.9' })).toBe(true)
    expect(holds('IpAddress', 'ip', '203.0.113.0/24', { ip: '203.0.114.9' })).toBe(false)
    expect(holds('IpAddress', 'ip', '203.0.113.7', { ip: '203.0.113.7' })).toBe(true)
    expect(holds('IpAddress', 'ip', '2001:db8::/32', { ip: '2001:db8:1::1' })).toBe(true)
    expect(holds('IpAddress', 'ip', '2001:db8::/32', { ip: '2001:db9::1' })).toBe(false)
    expect(holds('IpAddress', 'ip', '127.0.0.0/8', { ip: '::ffff:127.0.0.1' })).toBe(true)
    expect(holds('IpAddress', 'ip', '127.0.0.0/8', { ip: 'not-an-ip' })).toBe(false)
  })
  it('prefix edges: /0, /128, embedded IPv4, families kept apart', () => {
    expect(holds('IpAddress', 'ip', '0.0.0.0/0', { ip: '198.51.100.1' })).toBe(true)
    expect(holds('IpAddress', 'ip', '::/0', { ip: '198.51.100.1' })).toBe(false)
    expect(holds('IpAddress', 'ip', '::/0', { ip: 'fe80::1' })).toBe(true)
    expect(holds('IpAddress', 'ip', '::1/128', { ip: '::1' })).toBe(true)
    expect(holds('IpAddress', 'ip', '::1/128', { ip: '::2' })).toBe(false)
    expect(holds('IpAddress', 'ip', '64:ff9b::/96', { ip: '64:ff9b::192.0.2.33' })).toBe(true)
    expect(holds('IpAddress', 'ip', '2001:db8:aaaa:bbbb:cccc::/80', { ip: '2001:db8:aaaa:bbbb:cccc:1:2:3' })).toBe(true)
    expect(holds('IpAddress', 'ip', '2001:db8:aaaa:bbbb:cccc::/80', { ip: '2001:db8:aaaa:bbbb:cccd::' })).toBe(false)
    expect(holds('IpAddress', 'ip', '10.0.0.0/31', { ip: '10.0.0.1' })).toBe(true)
    expect(holds('IpAddress', 'ip', '10.0.0.0/31', { ip: '10.0.0.2' })).toBe(false)
  })
  it('NotIpAddress: outside every range, and true for a missing key', () => {
    expect(holds('NotIpAddress', 'ip', ['10.0.0.0/8', '192.168.0.0/16'], { ip: '8.8.8.8' })).toBe(true)
    expect(holds('NotIpAddress', 'ip', ['10.0.0.0/8', '192.168.0.0/16'], { ip: '10.1.1.1' })).toBe(false)
    expect(holds('NotIpAddress', 'ip', '10.0.0.0/8', {})).toBe(true)
  })
  it('rejects a malformed CIDR at compile time', () => {
    expect(() => compileCondition('IpAddress', 'aws:SourceIp', '10.0.0.0/33', true)).toThrow(/not an IP address or CIDR block/)
    expect(() => compileCondition('IpAddress', 'aws:SourceIp', '10.0.0/8', true)).toThrow(/not an IP/)
  })
})

describe('ARN operators', () => {
  const arn = { a: 'arn:aws:iam::111122223333:role/app/x' }
  it('match each of the six parts on its own', () => {
    expect(holds('ArnEquals', 'a', 'arn:aws:iam::111122223333:role/app/x', arn)).toBe(true)
    expect(holds('ArnLike', 'a', 'arn:aws:iam::*:role/app/*', arn)).toBe(true)
    expect(holds('ArnLike', 'a', 'arn:aws:iam:*:role/app/x', arn)).toBe(false)
    expect(holds('ArnLike', 'a', 'arn:*:role/app/x', arn)).toBe(false)
    expect(holds('ArnLike', 'a', 'arn:aws:iam::*:role/*', { a: 'arn:aws:iam::1:role/with:colon' })).toBe(true)
  })
  it('negated forms', () => {
    expect(holds('ArnNotEquals', 'a', 'arn:aws:iam::111122223333:role/other', arn)).toBe(true)
    expect(holds('ArnNotLike', 'a', 'arn:aws:iam::*:role/app/*', arn)).toBe(false)
    expect(holds('ArnNotLike', 'a', 'arn:aws:iam::*:role/app/*', {})).toBe(true)
  })
})

describe('IfExists and set qualifiers', () => {
  it('IfExists: a missing key is true, a present key is tested', () => {
    expect(holds('StringEqualsIfExists', 'k', 'a', {})).toBe(true)
    expect(holds('StringEqualsIfExists', 'k', 'a', { k: 'b' })).toBe(false)
    expect(holds('NumericLessThanIfExists', 'n', 5, { n: '3' })).toBe(true)
    expect(holds('ArnLikeIfExists', 'a', 'arn:aws:iam::*:root', {})).toBe(true)
  })
  it('ForAnyValue: one request value matching one policy value; an empty or missing set is false', () => {
    expect(holds('ForAnyValue:StringEquals', 'k', ['a', 'b'], { k: ['x', 'b'] })).toBe(true)
    expect(holds('ForAnyValue:StringEquals', 'k', ['a', 'b'], { k: ['x', 'y'] })).toBe(false)
    expect(holds('ForAnyValue:StringEquals', 'k', 'a', { k: [] })).toBe(false)
    expect(holds('ForAnyValue:StringEquals', 'k', 'a', {})).toBe(false)
    expect(holds('ForAnyValue:StringEqualsIfExists', 'k', 'a', {})).toBe(true)
  })
  it('ForAllValues: every request value matching; an empty or missing set is true', () => {
    expect(holds('ForAllValues:StringEquals', 'k', ['a', 'b'], { k: ['a', 'b'] })).toBe(true)
    expect(holds('ForAllValues:StringEquals', 'k', ['a', 'b'], { k: ['a', 'c'] })).toBe(false)
    expect(holds('ForAllValues:StringEquals', 'k', 'a', { k: [] })).toBe(true)
    expect(holds('ForAllValues:StringEquals', 'k', 'a', {})).toBe(true)
    expect(holds('ForAllValues:StringLike', 'k', 'team-*', { k: ['team-a', 'team-b'] })).toBe(true)
  })
  it('negated operators under a qualifier', () => {
    expect(holds('ForAnyValue:StringNotEquals', 'k', ['a'], { k: ['a', 'b'] })).toBe(true)
    expect(holds('ForAllValues:StringNotEquals', 'k', ['a'], { k: ['a', 'b'] })).toBe(false)
    expect(holds('ForAllValues:StringNotEquals', 'k', ['z'], { k: ['a', 'b'] })).toBe(true)
  })
  it('a multi-valued key without a qualifier: positive needs one match, negated needs none', () => {
    expect(holds('StringEquals', 'k', 'b', { k: ['a', 'b'] })).toBe(true)
    expect(holds('StringNotEquals', 'k', 'b', { k: ['a', 'b'] })).toBe(false)
  })
})

describe('policy variables', () => {
  const ctx = { 'aws:principaltag/team': 'blue', k: 'blue', p: 'arn/blue/x', star: '*' }
  it('substitute request values into the policy value', () => {
    expect(holds('StringEquals', 'k', '${aws:PrincipalTag/team}', ctx)).toBe(true)
    expect(holds('StringLike', 'p', 'arn/${aws:PrincipalTag/team}/*', ctx)).toBe(true)
    expect(holds('StringLike', 'p', 'arn/${aws:PrincipalTag/team}/*', { ...ctx, 'aws:principaltag/team': 'red' })).toBe(false)
  })
  it('a missing variable matches nothing unless it has a default', () => {
    expect(holds('StringEquals', 'k', '${aws:PrincipalTag/none}', ctx)).toBe(false)
    expect(holds('StringEquals', 'k', "${aws:PrincipalTag/none, 'blue'}", ctx)).toBe(true)
  })
  it('${*} is a literal star, and substituted values are literal in Like patterns', () => {
    expect(holds('StringEquals', 'star', '${*}', ctx)).toBe(true)
    expect(holds('StringLike', 'k', '${star}', { ...ctx, star: '*' })).toBe(false)
  })
  it('are text under Version 2008-10-17', () => {
    expect(holds('StringEquals', 'k', '${aws:PrincipalTag/team}', { k: '${aws:PrincipalTag/team}' }, false)).toBe(true)
  })
})

describe('operator names', () => {
  it('rejects unknown operators and qualifiers, and NullIfExists', () => {
    expect(() => compileCondition('StringEqualz', 'k', 'a', true)).toThrow(/unknown condition operator/)
    expect(() => compileCondition('ForSomeValues:StringEquals', 'k', 'a', true)).toThrow(/unknown condition operator/)
    expect(() => compileCondition('NullIfExists', 'k', 'true', true)).toThrow(/unknown condition operator/)
  })
  it('rejects values that are not numbers or dates for those operators', () => {
    expect(() => compileCondition('NumericEquals', 'k', 'ten', true)).toThrow(/not a number/)
    expect(() => compileCondition('DateEquals', 'k', 'yesterday', true)).toThrow(/not a date/)
    expect(() => compileCondition('Null', 'k', 'maybe', true)).toThrow(/Null takes/)
  })
})
