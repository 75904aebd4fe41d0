import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { REDACTED, buildRecord, redact } from '../../../../src/kms/audit/index.ts'

const bytes = (n: number) => new Uint8Array(n).fill(7)

describe('redact', () => {
  it('keeps what CloudTrail logs for KMS: key ids, encryption context, algorithms, sizes', () => {
    const out = redact('kms', 'GenerateDataKey', {
      keyId: 'alias/app',
      encryptionContext: { tenant: 'acme', 'aws:x': 'y' },
      numberOfBytes: 32,
      keySpec: 'AES_256',
      grantTokens: ['tok-abc'],
    })
    expect(out).toEqual({
      keyId: 'alias/app',
      encryptionContext: { tenant: 'acme', 'aws:x': 'y' },
      numberOfBytes: 32,
      keySpec: 'AES_256',
      grantTokens: REDACTED,
    })
  })

  it.each([
    ['kms', 'Encrypt', 'plaintext', bytes(16)],
    ['kms', 'Decrypt', 'ciphertextBlob', bytes(80)],
    ['kms', 'Sign', 'message', bytes(10)],
    ['kms', 'Verify', 'signature', bytes(64)],
    ['kms', 'VerifyMac', 'mac', bytes(32)],
    ['kms', 'ImportKeyMaterial', 'encryptedKeyMaterial', bytes(256)],
    ['kms', 'ImportKeyMaterial', 'importToken', bytes(256)],
    ['kms', 'RetireGrant', 'grantToken', 'AQpAM2RhZTk1MGMy'],
    ['kms', 'CreateCustomKeyStore', 'keyStorePassword', 'hunter22'],
    ['ssm', 'PutParameter', 'value', 's3cr3t'],
    ['secretsmanager', 'CreateSecret', 'secretString', '{"password":"x"}'],
    ['secretsmanager', 'PutSecretValue', 'secretBinary', bytes(12)],
    ['arca', 'POST /v1/admin/tokens', 'token', 'arca_abc'],
  ] as const)('%s %s: %s is replaced by a marker without its size', (service, op, field, value) => {
    const out = redact(service, op, { [field]: value })
    expect(out[field]).toBe(REDACTED)
    expect(JSON.stringify(out)).not.toContain(typeof value === 'string' ? value : 'AAAA')
  })

  it('matches field names without regard to case (wire PascalCase or camelCase)', () => {
    expect(redact('kms', 'Encrypt', { KeyId: 'k', Plaintext: 'aGVsbG8=' })).toEqual({ KeyId: 'k', Plaintext: REDACTED })
  })

  it('replaces an unknown field by a type and size marker, so a new secret field cannot leak', () => {
    const out = redact('kms', 'Encrypt', { futureSecret: 'top', futureBlob: bytes(5), futureList: [1, 2], futureObj: { a: 'b' }, futureNum: 3 })
    expect(out).toEqual({
      futureSecret: '[redacted string]',
      futureBlob: '[redacted bytes:5]',
      futureList: '[redacted list:2]',
      futureObj: '[redacted object]',
      futureNum: '[redacted number]',
    })
  })

  it('never passes bytes even inside an allowed field', () => {
    expect(redact('kms', 'Encrypt', { encryptionContext: { a: bytes(3) } })).toEqual({ encryptionContext: { a: '[redacted bytes:3]' } })
  })

  it('lists are per service: an SSM field is not allowed in a KMS request', () => {
    expect(redact('kms', 'Encrypt', { withDecryption: true }).withDecryption).toBe('[redacted boolean]')
    expect(redact('ssm', 'GetParameter', { withDecryption: true }).withDecryption).toBe(true)
  })

  it('keeps a "__proto__" context key as data', () => {
    const params = JSON.parse('{"encryptionContext":{"__proto__":"x"}}') as Record<string, unknown>
    const out = redact('kms', 'Encrypt', params)
    expect(Object.getPrototypeOf(out.encryptionContext)).toBe(Object.prototype)
    expect(JSON.stringify(out)).toBe('{"encryptionContext":{"__proto__":"x"}}')
  })

  it('property: a value under any field not allow-listed never appears in the output', () => {
    fc.assert(
      fc.property(
        // No allow-listed name starts with 'zz'.
        fc.string({ maxLength: 20 }).map((k) => `zz${k}`),
        fc.string({ minLength: 12, maxLength: 40 }).map((s) => `SECRET-${s}`),
        (key, secret) => {
          const out = JSON.stringify(redact('kms', 'Encrypt', { [key]: secret, nested: { deep: secret } }))
          return !out.includes(JSON.stringify(secret).slice(1, -1))
        },
      ),
    )
  })
})

describe('buildRecord', () => {
  it('holds only its allow-listed fields and redacted params, and derives resource ARNs', () => {
    const r = buildRecord({
      time: 1,
      requestId: 'r',
      service: 'kms',
      operation: 'Encrypt',
      defaultAccount: '111111111111',
      account: '111111111111',
      principalArn: 'arn:aws:iam::111111111111:user/a',
      region: 'us-east-1',
      params: { keyId: 'alias/app', plaintext: bytes(4) },
      output: { keyId: 'arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab', ciphertextBlob: bytes(9) },
      errorMessage: 'x'.repeat(5000),
      ...({ password: 'nope' } as object),
    })
    expect(Object.keys(r).sort()).toEqual(['account', 'errorMessage', 'operation', 'params', 'principalArn', 'recipientAccount', 'region', 'requestId', 'resources', 'service', 'time'])
    expect(r.resources).toEqual(['arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab', 'arn:aws:kms:us-east-1:111111111111:alias/app'])
    expect(r.recipientAccount).toBe('222222222222')
    expect(r.params).toEqual({ keyId: 'alias/app', plaintext: REDACTED })
    expect(r.errorMessage!.length).toBe(1024)
  })

  it('an unauthenticated request belongs to the default account', () => {
    const r = buildRecord({ time: 1, requestId: 'r', service: 'kms', operation: 'Decrypt', defaultAccount: '111111111111', errorCode: 'UnrecognizedClientException' })
    expect(r.recipientAccount).toBe('111111111111')
    expect(r.account).toBeUndefined()
  })
})
