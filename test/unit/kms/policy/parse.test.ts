import { describe, expect, it } from 'vitest'
import { compilePolicy, parsePolicy, validatePolicy } from '../../../../src/kms/policy/index.ts'

const doc = (statement: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ Version: '2012-10-17', Statement: statement, ...extra })
const ok = { Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 'kms:*', Resource: '*' }

function malformed(text: string, kind: 'key' | 'identity' = 'key'): string {
  try {
    parsePolicy(text, kind)
  } catch (e) {
    expect(e).toMatchObject({ code: 'MalformedPolicyDocument' })
    return (e as Error).message
  }
  throw new Error('expected MalformedPolicyDocument')
}

describe('policy grammar', () => {
  it('accepts a single statement object or a list, and both versions', () => {
    expect(parsePolicy(doc(ok), 'key').statements).toHaveLength(1)
    expect(parsePolicy(doc([ok, { ...ok, Sid: 'Two' }]), 'key').statements[1].sid).toBe('Two')
    expect(parsePolicy(JSON.stringify({ Version: '2008-10-17', Statement: [ok] }), 'key').version).toBe('2008-10-17')
    expect(parsePolicy(JSON.stringify({ Statement: [ok] }), 'key').version).toBe('2008-10-17')
  })

  it('turns an account id principal into its root ARN', () => {
    const st = parsePolicy(doc(ok), 'key').statements[0]
    expect([...st.principal!.aws]).toEqual(['arn:aws:iam::111122223333:root'])
  })

  it('lowercases actions and notes whether resource tags are read', () => {
    const p = parsePolicy(doc({ ...ok, Action: 'KMS:Decrypt', Condition: { StringEquals: { 'aws:ResourceTag/Team': 'x' } } }), 'key')
    expect(p.statements[0].actions.exact.has('kms:decrypt')).toBe(true)
    expect(p.readsResourceTags).toBe(true)
    expect(parsePolicy(doc(ok), 'key').readsResourceTags).toBe(false)
  })

  it.each([
    ['not JSON', '{', 'The policy document is not valid JSON.'],
    ['an array', '[]', 'The policy document must be a JSON object.'],
    ['a bad version', JSON.stringify({ Version: '2020-01-01', Statement: [ok] }), 'Version must be "2012-10-17" or "2008-10-17"'],
    ['no Statement', JSON.stringify({ Version: '2012-10-17' }), 'The policy document must have a Statement'],
    ['an unknown top-level element', doc([ok], { Foo: 1 }), 'The policy document has an unknown element "Foo"'],
    ['an empty Statement', doc([]), 'Statement must not be empty'],
    ['a bad Effect', doc([ok, { ...ok, Effect: 'allow' }]), 'Statement[1].Effect must be Allow or Deny'],
    ['no Principal in a key policy', doc({ Effect: 'Allow', Action: 'kms:*', Resource: '*' }), 'Statement[0] must have Principal or NotPrincipal'],
    ['Principal and NotPrincipal', doc({ ...ok, NotPrincipal: '*' }), 'Statement[0] cannot have both Principal and NotPrincipal'],
    ['no Action', doc({ Effect: 'Allow', Principal: '*', Resource: '*' }), 'Statement[0] must have Action or NotAction'],
    ['no Resource', doc({ Effect: 'Allow', Principal: '*', Action: 'kms:*' }), 'Statement[0] must have Resource or NotResource'],
    ['an empty Action list', doc({ ...ok, Action: [] }), 'Statement[0].Action must not be empty'],
    ['a bad action', doc({ ...ok, Action: 'Decrypt' }), 'Statement[0].Action "Decrypt" is not an action such as kms:Decrypt'],
    ['a bad resource', doc({ ...ok, Resource: 'key/1' }), 'Statement[0].Resource "key/1" must be "*" or an ARN'],
    ['an unknown statement element', doc({ ...ok, Actions: 'kms:*' }), 'Statement[0] has an unknown element "Actions"'],
    ['an unknown principal type', doc({ ...ok, Principal: { User: 'x' } }), 'Statement[0].Principal has an unknown principal type "User" (use AWS or Service)'],
    ['an unknown condition operator', doc({ ...ok, Condition: { StringEqualz: { k: 'v' } } }), 'Statement[0].Condition.StringEqualz: unknown condition operator "StringEqualz"'],
    ['a condition that is not an object', doc({ ...ok, Condition: { StringEquals: 'v' } }), 'Statement[0].Condition.StringEquals must be an object of {Key: value}'],
    ['a bad CIDR', doc({ ...ok, Condition: { IpAddress: { 'aws:SourceIp': '300.1.1.1/8' } } }), 'Statement[0].Condition.IpAddress: "300.1.1.1/8" is not an IP address or CIDR block'],
  ])('rejects %s', (_what, text, message) => {
    expect(malformed(text)).toBe(message)
  })

  it('names an invalid principal in AWS wording', () => {
    expect(malformed(doc({ ...ok, Principal: { AWS: 'bob' } }))).toMatch(/^Policy contains a statement with one or more invalid principals: Statement\[0\]\.Principal\.AWS "bob"/)
  })

  it('identity policies may not name a principal', () => {
    expect(malformed(doc(ok), 'identity')).toBe('Statement[0]: an identity policy cannot name a Principal or NotPrincipal')
    expect(() => parsePolicy(doc({ Effect: 'Allow', Action: 'kms:*', Resource: '*' }), 'identity')).not.toThrow()
  })

  it('compiles each text once and caches its error too', () => {
    const text = doc([ok, { ...ok, Sid: 'cache-test' }])
    expect(compilePolicy(text, 'key')).toBe(compilePolicy(text, 'key'))
    const bad = doc({ ...ok, Effect: 'Maybe' })
    expect(() => validatePolicy(bad, 'key')).toThrow('Statement[0].Effect must be Allow or Deny')
    expect(() => validatePolicy(bad, 'key')).toThrow('Statement[0].Effect must be Allow or Deny')
  })
})
