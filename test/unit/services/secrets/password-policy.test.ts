/** GetRandomPassword's options as properties, and the public-policy check behind BlockPublicPolicy. */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PUNCTUATION, getRandomPassword } from '../../../../src/services/secrets/password.ts'
import { isPublicPolicy } from '../../../../src/services/secrets/policy.ts'

describe('getRandomPassword', () => {
  it('has AWS defaults: 32 characters, every type present, no space', () => {
    for (let i = 0; i < 200; i++) {
      const p = getRandomPassword({}).randomPassword
      expect(p).toHaveLength(32)
      expect(p).toMatch(/[a-z]/)
      expect(p).toMatch(/[A-Z]/)
      expect(p).toMatch(/[0-9]/)
      expect([...p].some((c) => PUNCTUATION.includes(c))).toBe(true)
      expect(p).not.toContain(' ')
    }
    expect(PUNCTUATION).toHaveLength(32)
  })

  it('honours every option together (property)', () => {
    fc.assert(
      fc.property(
        fc.record({
          passwordLength: fc.integer({ min: 4, max: 300 }),
          excludeCharacters: fc.string({ maxLength: 20 }),
          excludeNumbers: fc.boolean(),
          excludePunctuation: fc.boolean(),
          excludeUppercase: fc.boolean(),
          excludeLowercase: fc.boolean(),
          includeSpace: fc.boolean(),
          requireEachIncludedType: fc.boolean(),
        }),
        (o) => {
          let out: string
          try {
            out = getRandomPassword(o).randomPassword
          } catch (e) {
            expect((e as { code: string }).code).toBe('InvalidParameter')
            return
          }
          expect(out).toHaveLength(o.passwordLength)
          for (const c of out) expect(o.excludeCharacters.includes(c)).toBe(false)
          if (o.excludeNumbers) expect(out).not.toMatch(/[0-9]/)
          if (o.excludeUppercase) expect(out).not.toMatch(/[A-Z]/)
          if (o.excludeLowercase) expect(out).not.toMatch(/[a-z]/)
          if (o.excludePunctuation) expect([...out].some((c) => PUNCTUATION.includes(c))).toBe(false)
          if (!o.includeSpace) expect(out).not.toContain(' ')
          if (o.requireEachIncludedType) {
            const classes = [
              [o.excludeLowercase, 'abcdefghijklmnopqrstuvwxyz'],
              [o.excludeUppercase, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'],
              [o.excludeNumbers, '0123456789'],
              [o.excludePunctuation, PUNCTUATION],
            ] as const
            for (const [excluded, set] of classes) {
              const usable = [...set].filter((c) => !o.excludeCharacters.includes(c))
              if (!excluded && usable.length) expect(usable.some((c) => out.includes(c))).toBe(true)
            }
          }
        },
      ),
    )
  })

  it('each character is drawn without bias (chi-squared over digits)', () => {
    const counts = new Array(10).fill(0)
    const p = getRandomPassword({ passwordLength: 4096, excludeLowercase: true, excludeUppercase: true, excludePunctuation: true }).randomPassword
    for (const c of p) counts[Number(c)]++
    const expected = 4096 / 10
    const chi = counts.reduce((s, n) => s + (n - expected) ** 2 / expected, 0)
    expect(chi).toBeLessThan(30) // df = 9: p < 0.001 beyond 27.9
  })

  it('refuses what cannot be generated', () => {
    expect(() => getRandomPassword({ excludeLowercase: true, excludeUppercase: true, excludeNumbers: true, excludePunctuation: true })).toThrow('every character type was excluded')
    expect(() => getRandomPassword({ passwordLength: 3 })).toThrow('too short')
    expect(() => getRandomPassword({ passwordLength: 0 })).toThrow('passwordLength')
  })
})

describe('isPublicPolicy', () => {
  const doc = (st: object) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*', ...st }] })
  const cases: [string, object, boolean][] = [
    ['Principal "*"', { Principal: '*' }, true],
    ['Principal {"AWS": "*"}', { Principal: { AWS: '*' } }, true],
    ['Principal {"AWS": ["arn…", "*"]}', { Principal: { AWS: ['arn:aws:iam::111111111111:root', '*'] } }, true],
    ['NotPrincipal', { NotPrincipal: { AWS: 'arn:aws:iam::111111111111:root' } }, true],
    ['one account', { Principal: { AWS: '222222222222' } }, false],
    ['"*" narrowed by aws:PrincipalAccount', { Principal: '*', Condition: { StringEquals: { 'aws:PrincipalAccount': '222222222222' } } }, false],
    ['"*" with a wildcard PrincipalArn', { Principal: '*', Condition: { StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:root' } } }, true],
    ['"*" with a negated condition', { Principal: '*', Condition: { StringNotEquals: { 'aws:PrincipalAccount': '222222222222' } } }, true],
    ['"*" with SourceIp 0.0.0.0/0', { Principal: '*', Condition: { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } } }, true],
    ['a Deny to everyone', { Effect: 'Deny', Principal: '*' }, false],
  ]
  for (const [name, st, pub] of cases) it(`${name} → ${pub ? 'public' : 'not public'}`, () => expect(isPublicPolicy(doc(st))).toBe(pub))
})
