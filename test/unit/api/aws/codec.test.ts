import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { ArcaError } from '../../../../src/core/index.ts'
import { camelCase, decodeBase64, decodeInput, encodeBase64, encodeOutput } from '../../../../src/api/aws/codec.ts'

describe('camelCase', () => {
  it.each([
    ['KeyId', 'keyId'],
    ['AWSAccountId', 'awsAccountId'],
    ['ARN', 'arn'],
    ['KMSKeyId', 'kmsKeyId'],
    ['CiphertextBlob', 'ciphertextBlob'],
    ['NumberOfBytes', 'numberOfBytes'],
    ['keyId', 'keyId'],
  ])('%s → %s', (a, b) => expect(camelCase(a)).toBe(b))
})

describe('decodeInput', () => {
  it('Encrypt: names, blob, and EncryptionContext keys untouched', () => {
    const out = decodeInput('kms', 'Encrypt', {
      KeyId: 'alias/app',
      Plaintext: Buffer.from('hello').toString('base64'),
      EncryptionContext: { AppName: 'web', 'Key With Spaces': 'x', KeyId: 'y' },
      GrantTokens: ['g1'],
      Unknown: 'dropped',
    })
    expect(out).toEqual({
      keyId: 'alias/app',
      plaintext: new Uint8Array(Buffer.from('hello')),
      encryptionContext: { AppName: 'web', 'Key With Spaces': 'x', KeyId: 'y' },
      grantTokens: ['g1'],
    })
    expect(out.plaintext).toBeInstanceOf(Uint8Array)
    expect(Buffer.isBuffer(out.plaintext)).toBe(false)
  })

  it('nested structures in lists (tags) and null members', () => {
    expect(decodeInput('kms', 'CreateKey', { Tags: [{ TagKey: 'Env', TagValue: 'prod' }], Description: null })).toEqual({
      tags: [{ tagKey: 'Env', tagValue: 'prod' }],
    })
    expect(decodeInput('secretsmanager', 'CreateSecret', { Name: 'n', Tags: [{ Key: 'a', Value: 'b' }], SecretBinary: 'AAEC' })).toEqual({
      name: 'n',
      tags: [{ key: 'a', value: 'b' }],
      secretBinary: new Uint8Array([0, 1, 2]),
    })
  })

  it('timestamps: epoch seconds → epoch ms', () => {
    const out = decodeInput('kms', 'ImportKeyMaterial', { KeyId: 'k', ImportToken: 'AA==', EncryptedKeyMaterial: 'AA==', ValidTo: 1767225600.5 })
    expect(out.validTo).toBe(1767225600500)
  })

  it('bad base64 and wrong types are SerializationException', () => {
    expect(() => decodeInput('kms', 'Encrypt', { KeyId: 'k', Plaintext: 'a' })).toThrow(ArcaError)
    expect(() => decodeInput('kms', 'Encrypt', { KeyId: 'k', Plaintext: '####' })).toThrow(expect.objectContaining({ code: 'Serialization' }))
    expect(() => decodeBase64('YWJj ZA==')).toThrow('Base64 encoded value is not valid.')
    expect(() => decodeInput('kms', 'ImportKeyMaterial', { ValidTo: '2026-01-01T00:00:00Z' })).toThrow(ArcaError)
  })

  it('a "__proto__" map key is data, not a prototype', () => {
    const wire = JSON.parse('{"KeyId":"k","Plaintext":"AA==","EncryptionContext":{"__proto__":"x","a":"b"}}')
    const out = decodeInput('kms', 'Encrypt', wire)
    const ctx = out.encryptionContext as Record<string, unknown>
    expect(Object.getPrototypeOf(ctx)).toBe(Object.prototype)
    expect(Object.keys(ctx)).toEqual(['__proto__', 'a'])
    expect(JSON.stringify(encodeOutput('kms', 'ListGrants', { grants: [{ constraints: { encryptionContextEquals: ctx } }] }))).toContain('"__proto__":"x"')
  })

  it('no-input operations and unknown operations', () => {
    expect(decodeInput('kms', 'ListKeys', undefined)).toEqual({})
    expect(() => decodeInput('kms', 'NoSuchOp', {})).toThrow(expect.objectContaining({ code: 'UnknownOperation' }))
  })
})

describe('encodeOutput', () => {
  it('DescribeKey: exact AWS names, timestamps in seconds, undefined omitted, unknown dropped', () => {
    const created = Date.UTC(2026, 0, 1, 0, 0, 0, 250)
    const out = encodeOutput('kms', 'DescribeKey', {
      keyMetadata: {
        awsAccountId: '111122223333',
        keyId: 'k',
        arn: 'arn:aws:kms:us-east-1:111122223333:key/k',
        creationDate: created,
        deletionDate: undefined,
        validTo: null,
        enabled: true,
        encryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
        internalSecret: 'must not leak',
      },
    })
    expect(out).toEqual({
      KeyMetadata: {
        AWSAccountId: '111122223333',
        KeyId: 'k',
        Arn: 'arn:aws:kms:us-east-1:111122223333:key/k',
        CreationDate: 1767225600.25,
        Enabled: true,
        EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      },
    })
    expect(JSON.stringify(out)).not.toContain('must not leak')
  })

  it('Date objects and blobs', () => {
    const out = encodeOutput('secretsmanager', 'GetSecretValue', {
      arn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:app-AbCdEf',
      name: 'app',
      secretBinary: new Uint8Array([0xff, 0x00, 0x10]),
      versionStages: ['AWSCURRENT'],
      createdDate: new Date(Date.UTC(2026, 0, 1)),
    })
    expect(out).toEqual({
      ARN: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:app-AbCdEf',
      Name: 'app',
      SecretBinary: '/wAQ',
      VersionStages: ['AWSCURRENT'],
      CreatedDate: 1767225600,
    })
  })

  it('map keys are kept as given, in lists of structures too', () => {
    const out = encodeOutput('kms', 'ListGrants', {
      grants: [{ grantId: 'g', constraints: { encryptionContextSubset: { appName: 'x', 'Mixed-Case': 'y' } } }],
      truncated: false,
    })
    expect(out).toEqual({
      Grants: [{ GrantId: 'g', Constraints: { EncryptionContextSubset: { appName: 'x', 'Mixed-Case': 'y' } } }],
      Truncated: false,
    })
  })

  it('no-output operations give {}', () => {
    expect(encodeOutput('kms', 'EnableKey', undefined)).toEqual({})
    expect(encodeOutput('kms', 'DeleteAlias', { anything: 1 })).toEqual({})
  })

  it('SSM: parameters with ARN and LastModifiedDate', () => {
    const out = encodeOutput('ssm', 'GetParameter', {
      parameter: { name: '/a', type: 'String', value: 'v', version: 3, lastModifiedDate: 1767225600000, arn: 'arn:aws:ssm:us-east-1:1:parameter/a', dataType: 'text' },
    })
    expect(out).toEqual({
      Parameter: { Name: '/a', Type: 'String', Value: 'v', Version: 3, LastModifiedDate: 1767225600, ARN: 'arn:aws:ssm:us-east-1:1:parameter/a', DataType: 'text' },
    })
  })
})

describe('round trips', () => {
  it('blobs: bytes → base64 → bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 5000 }), (bytes) => {
        const wire = encodeBase64(bytes)
        expect(wire).toBe(Buffer.from(bytes).toString('base64'))
        expect(decodeBase64(wire)).toEqual(bytes)
      }),
    )
  })

  it('Encrypt output → Decrypt input through the wire', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 6144 }), fc.dictionary(fc.string({ minLength: 1 }), fc.string()), (blob, ctx) => {
        const wire = JSON.parse(JSON.stringify(encodeOutput('kms', 'Encrypt', { ciphertextBlob: blob, keyId: 'arn', encryptionAlgorithm: 'SYMMETRIC_DEFAULT' })))
        const back = decodeInput('kms', 'Decrypt', { CiphertextBlob: wire.CiphertextBlob, EncryptionContext: ctx })
        expect(back.ciphertextBlob).toEqual(blob)
        expect(back.encryptionContext).toEqual(ctx)
      }),
      { numRuns: 100 },
    )
  })

  it('timestamps: ms → seconds → ms', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4102444800000 }), (ms) => {
        const wire = encodeOutput('kms', 'GetParametersForImport', { parametersValidTo: ms })
        const back = decodeInput('kms', 'ImportKeyMaterial', { ValidTo: wire.ParametersValidTo })
        return back.validTo === ms
      }),
    )
  })
})
