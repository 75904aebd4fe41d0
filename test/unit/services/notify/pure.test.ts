import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  RETRY_BASE_MS,
  RETRY_CAP_MS,
  classifyAddress,
  isSecretField,
  matchesPattern,
  parsePattern,
  redactSecrets,
  retryDelay,
  signPayload,
  verifySignature,
} from '../../../../src/services/notify/index.ts'
import { verifyLikeAReceiver } from './support.ts'

describe('redactSecrets', () => {
  it('drops secret-looking fields at any depth and keeps identifiers', () => {
    const input = {
      name: '/db/password',
      'secret-id': 'arn:aws:secretsmanager:us-east-1:111111111111:secret:db',
      secretName: 'db',
      'token-id': 't1',
      SecretString: 's1',
      secret_binary: new Uint8Array([1]),
      Plaintext: 'p',
      list: [{ password: 'x', dbPassword: 'y', githubToken: 'z', clientSecret: 'w', ok: true }, new Uint8Array(2), 'plain'],
      parameter: { Type: 'SecureString', Value: 'hidden', Version: 3 },
      plain: { type: 'String', value: 'visible' },
    }
    expect(redactSecrets(input)).toEqual({
      name: '/db/password',
      'secret-id': 'arn:aws:secretsmanager:us-east-1:111111111111:secret:db',
      secretName: 'db',
      'token-id': 't1',
      list: [{ ok: true }, 'plain'],
      parameter: { Type: 'SecureString', Version: 3 },
      plain: { type: 'String', value: 'visible' },
    })
    expect(input.SecretString).toBe('s1')
  })

  it('never lets a value under a secret name through (property)', () => {
    const secretKeys = fc.constantFrom('password', 'Password', 'secret_string', 'plaintext', 'apiToken', 'private-key', 'SecretAccessKey', 'sessionToken')
    const tree = fc.letrec((tie) => ({
      node: fc.dictionary(fc.oneof(fc.string(), secretKeys), fc.oneof(fc.string(), fc.integer(), tie('node')), { maxKeys: 5 }),
    })).node
    fc.assert(
      fc.property(tree, secretKeys, fc.string({ minLength: 8 }), (t, key, secret) => {
        const marked = `SECRET:${secret}`
        const out = JSON.stringify(redactSecrets({ ...t, [key]: marked, nested: [{ [key]: marked }] }))
        return !out.includes(JSON.stringify(marked).slice(1, -1))
      }),
    )
    expect(isSecretField('rotation-type')).toBe(false)
    expect(isSecretField('key-id')).toBe(false)
  })
})

describe('patterns', () => {
  const event = { source: 'aws.kms' as const, 'detail-type': 'KMS CMK Rotation', resources: ['arn:aws:kms:us-east-1:111111111111:key/abc'] }
  it('matches every given part; empty matches all', () => {
    expect(matchesPattern({}, event)).toBe(true)
    expect(matchesPattern({ source: ['aws.kms', 'arca'] }, event)).toBe(true)
    expect(matchesPattern({ source: ['aws.ssm'] }, event)).toBe(false)
    expect(matchesPattern({ detailType: ['KMS CMK Deletion'] }, event)).toBe(false)
    expect(matchesPattern({ resourcePrefix: 'arn:aws:kms:us-east-1:111111111111:key/' }, event)).toBe(true)
    expect(matchesPattern({ resourcePrefix: 'arn:aws:kms:eu-west-1:' }, event)).toBe(false)
    expect(matchesPattern({ source: ['aws.kms'], detailType: ['KMS CMK Rotation'], resourcePrefix: 'arn:aws:kms:' }, event)).toBe(true)
  })
  it('parses and validates, naming the field', () => {
    expect(parsePattern({ source: 'aws.kms', detailType: ['A', 'A'] })).toEqual({ source: ['aws.kms'], detailType: ['A'] })
    expect(parsePattern(undefined)).toEqual({})
    expect(() => parsePattern({ source: ['x'] })).toThrow(expect.objectContaining({ code: 'Validation', field: 'pattern.source' }))
    expect(() => parsePattern({ detailType: Array.from({ length: 21 }, (_, i) => `t${i}`) })).toThrow(expect.objectContaining({ field: 'pattern.detailType' }))
    expect(() => parsePattern({ resourcePrefix: 5 })).toThrow(expect.objectContaining({ field: 'pattern.resourcePrefix' }))
  })
})

describe('signatures', () => {
  it('follow the documented recipe (checked with node:crypto) and verify with tolerance', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.integer({ min: 0, max: 2 ** 31 }), fc.string(), (secret, ts, body) => {
        const sig = signPayload(secret, ts, body)
        return verifyLikeAReceiver(secret, { headers: { 'arca-timestamp': String(ts), 'arca-signature': sig }, body }) && verifySignature(secret, { timestamp: String(ts), signature: sig }, body, ts)
      }),
    )
    const sig = signPayload('whsec_x', 1000, '{}')
    expect(verifySignature('whsec_x', { timestamp: '1000', signature: `v1=${'0'.repeat(64)}, ${sig}` }, '{}', 1000)).toBe(true)
    expect(verifySignature('whsec_x', { timestamp: '1000', signature: sig }, '{} ', 1000)).toBe(false)
    expect(verifySignature('whsec_x', { timestamp: '1000', signature: sig }, '{}', 1301)).toBe(false)
    expect(verifySignature('whsec_x', { timestamp: null, signature: sig }, '{}', 1000)).toBe(false)
  })
})

describe('addresses (SSRF)', () => {
  it('classifies loopback, private, link-local and never-allowed addresses', () => {
    const cases: [string, string][] = [
      ['127.0.0.1', 'loopback'],
      ['127.9.9.9', 'loopback'],
      ['::1', 'loopback'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['10.0.0.1', 'private'],
      ['172.16.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.0.10', 'private'],
      ['100.64.0.1', 'private'],
      ['169.254.169.254', 'private'],
      ['fd12::1', 'private'],
      ['fe80::1', 'private'],
      ['::ffff:192.168.1.1', 'private'],
      ['0.0.0.0', 'refused'],
      ['::', 'refused'],
      ['224.0.0.1', 'refused'],
      ['255.255.255.255', 'refused'],
      ['ff02::1', 'refused'],
      ['8.8.8.8', 'public'],
      ['172.32.0.1', 'public'],
      ['2606:4700::1111', 'public'],
    ]
    for (const [ip, cls] of cases) expect(classifyAddress(ip), ip).toBe(cls)
  })
})

describe('retry delays', () => {
  it('grow exponentially from 30 s, are capped at an hour, and are jittered over the whole range', () => {
    expect(retryDelay(1, () => 0.999999)).toBe(RETRY_BASE_MS - 1)
    expect(retryDelay(2, () => 0.999999)).toBe(2 * RETRY_BASE_MS - 1)
    expect(retryDelay(4, () => 0.5)).toBe(4 * RETRY_BASE_MS)
    expect(retryDelay(50, () => 0.999999)).toBe(RETRY_CAP_MS - 4)
    expect(retryDelay(3, () => 0)).toBe(1000)
    fc.assert(fc.property(fc.integer({ min: 1, max: 100 }), (n) => retryDelay(n) <= RETRY_CAP_MS && retryDelay(n) >= 1000))
  })
})
