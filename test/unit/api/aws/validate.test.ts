import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { ArcaError } from '../../../../src/core/index.ts'
import { validateInput } from '../../../../src/api/aws/validate.ts'
import type { AwsJsonService } from '../../../../src/api/aws/shapes.ts'

function fail(service: AwsJsonService, op: string, body: unknown): { code: string; message: string; field?: string } {
  try {
    validateInput(service, op, body)
  } catch (e) {
    if (e instanceof ArcaError) return { code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) }
    throw e
  }
  throw new Error('expected a failure')
}
const b64 = (n: number, fill = 0x41): string => Buffer.alloc(n, fill).toString('base64')

describe('validateInput: constraints in AWS wording', () => {
  it('max value (the AWS-API.md example)', () => {
    expect(fail('kms', 'GenerateRandom', { NumberOfBytes: 1025 })).toEqual({
      code: 'Validation',
      field: 'numberOfBytes',
      message: "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024",
    })
    expect(fail('kms', 'GenerateRandom', { NumberOfBytes: 0 }).message).toBe(
      "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1",
    )
    expect(validateInput('kms', 'GenerateRandom', { NumberOfBytes: 1024 })).toEqual({ NumberOfBytes: 1024 })
  })

  it('required members', () => {
    expect(fail('kms', 'Encrypt', { Plaintext: b64(3) }).message).toBe(
      "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null",
    )
    expect(fail('kms', 'Encrypt', {}).message).toBe(
      "2 validation errors detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'plaintext' failed to satisfy constraint: Member must not be null",
    )
    // JSON null is absent
    expect(fail('kms', 'Encrypt', { KeyId: null, Plaintext: b64(1) }).field).toBe('keyId')
  })

  it('string length, several failures joined with "; "', () => {
    const msg = fail('kms', 'Encrypt', { KeyId: '', Plaintext: b64(1) }).message
    expect(msg).toBe(
      "1 validation error detected: Value '' at 'keyId' failed to satisfy constraint: Member must have length greater than or equal to 1",
    )
    expect(fail('kms', 'CreateKey', { Description: 'x'.repeat(8193), KeySpec: 'RSA_1024' }).message).toBe(
      `2 validation errors detected: Value '${'x'.repeat(8193)}' at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192; ` +
        "Value 'RSA_1024' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [RSA_2048, RSA_3072, RSA_4096, ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521, ECC_SECG_P256K1, SYMMETRIC_DEFAULT, HMAC_224, HMAC_256, HMAC_384, HMAC_512, SM2, ML_DSA_44, ML_DSA_65, ML_DSA_87, ECC_NIST_EDWARDS25519]",
    )
  })

  it('patterns (Java regex, full match)', () => {
    expect(fail('kms', 'CreateAlias', { AliasName: 'alias/bad name', TargetKeyId: 'k' }).message).toBe(
      "1 validation error detected: Value 'alias/bad name' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$",
    )
    expect(validateInput('kms', 'CreateAlias', { AliasName: 'alias/ok_1', TargetKeyId: 'k' })).toBeDefined()
    // unanchored in the model, matched in full as Java's matches() does
    expect(fail('kms', 'CreateCustomKeyStore', { CustomKeyStoreName: 'n', CloudHsmClusterId: 'xxcluster-abcdefghijkxx' }).message).toBe(
      "1 validation error detected: Value 'xxcluster-abcdefghijkxx' at 'cloudHsmClusterId' failed to satisfy constraint: Member must satisfy regular expression pattern: cluster-[2-7a-zA-Z]{11,16}",
    )
    // a sensitive member with a pattern: the value is not shown
    const cred = { AccessKeyId: 'lowercase-not-allowed', RawSecretAccessKey: 's3cr3t/value/that/is/long/enough/for/min/43/chars' }
    const m = fail('kms', 'CreateCustomKeyStore', { CustomKeyStoreName: 'n', XksProxyAuthenticationCredential: cred }).message
    expect(m).toContain("Value at 'xksProxyAuthenticationCredential.accessKeyId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[A-Z2-7]+$")
    expect(m).not.toContain('lowercase-not-allowed')
    expect(m).not.toContain('s3cr3t')
    // SSM tag keys: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$ (needs the u flag)
    const ok = { ResourceType: 'Parameter', ResourceId: '/a', Tags: [{ Key: 'Ünïcode key_1', Value: 'v' }] }
    expect(validateInput('ssm', 'AddTagsToResource', ok)).toBe(ok)
    expect(fail('ssm', 'AddTagsToResource', { ...ok, Tags: [{ Key: 'bad*key', Value: 'v' }] }).message).toBe(
      "1 validation error detected: Value 'bad*key' at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$",
    )
    // Secrets Manager: a pattern that only compiles without the u flag
    expect(validateInput('secretsmanager', 'ListSecrets', { Filters: [{ Key: 'name', Values: ['!prod/app'] }] })).toBeDefined()
    expect(fail('secretsmanager', 'ListSecrets', { Filters: [{ Key: 'name', Values: ['a#b'] }] }).message).toContain(
      "at 'filters.1.member.values' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy regular expression pattern:",
    )
  })

  it('enums', () => {
    expect(fail('ssm', 'PutParameter', { Name: '/a', Value: 'v', Type: 'Secret' }).message).toBe(
      "1 validation error detected: Value 'Secret' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [String, StringList, SecureString]",
    )
  })

  it('nested lists and maps', () => {
    expect(fail('kms', 'CreateKey', { Tags: [{ TagKey: 'a', TagValue: 'b' }, { TagKey: 'c' }] }).message).toBe(
      "1 validation error detected: Value null at 'tags.2.member.tagValue' failed to satisfy constraint: Member must not be null",
    )
    expect(fail('kms', 'Encrypt', { KeyId: 'k', Plaintext: b64(1), GrantTokens: ['ok', ''] }).message).toBe(
      "1 validation error detected: Value '[ok, ]' at 'grantTokens' failed to satisfy constraint: Member must satisfy constraint: [Member must have length greater than or equal to 1]",
    )
    const eleven = Array.from({ length: 11 }, (_, i) => `t${i}`)
    expect(fail('kms', 'Encrypt', { KeyId: 'k', Plaintext: b64(1), GrantTokens: eleven }).message).toBe(
      `1 validation error detected: Value '[${eleven.join(', ')}]' at 'grantTokens' failed to satisfy constraint: Member must have length less than or equal to 10`,
    )
    expect(fail('ssm', 'GetParameters', { Names: [] }).message).toBe(
      "1 validation error detected: Value '[]' at 'names' failed to satisfy constraint: Member must have length greater than or equal to 1",
    )
    // a map of strings: any keys, any values
    expect(validateInput('kms', 'Encrypt', { KeyId: 'k', Plaintext: b64(1), EncryptionContext: { 'Any Key!': 'v', '': '' } })).toBeDefined()
    expect(fail('kms', 'Encrypt', { KeyId: 'k', Plaintext: b64(1), EncryptionContext: { a: 1 } })).toEqual({
      code: 'Serialization',
      message: 'NUMBER_VALUE can not be converted to a String',
    })
  })

  it('unknown members are ignored', () => {
    expect(validateInput('kms', 'GenerateRandom', { NumberOfBytes: 16, Whatever: { deep: [1] } })).toBeDefined()
    expect(validateInput('kms', 'ListKeys', {})).toEqual({})
    expect(validateInput('kms', 'ListKeys', undefined)).toEqual({})
  })
})

describe('validateInput: sensitive values and blobs are never echoed', () => {
  it('KMS Plaintext (sensitive blob)', () => {
    const secret = b64(4097, 0x53)
    const m = fail('kms', 'Encrypt', { KeyId: 'k', Plaintext: secret }).message
    expect(m).toBe("1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096")
    expect(m).not.toContain(secret.slice(0, 16))
  })
  it('Secrets Manager SecretString and SecretBinary', () => {
    const s = 'p@ssw0rd-'.repeat(7300)
    const m = fail('secretsmanager', 'CreateSecret', { Name: 'n', SecretString: s }).message
    expect(m).toBe("1 validation error detected: Value at 'secretString' failed to satisfy constraint: Member must have length less than or equal to 65536")
    expect(m).not.toContain('p@ssw0rd')
    expect(fail('secretsmanager', 'CreateSecret', { Name: 'n', SecretString: '' }).message).toBe(
      "1 validation error detected: Value at 'secretString' failed to satisfy constraint: Member must have length greater than or equal to 1",
    )
    expect(fail('secretsmanager', 'CreateSecret', { Name: 'n', SecretBinary: '' }).message).toContain("Value at 'secretBinary'")
  })
  it('a non-sensitive blob is not echoed either', () => {
    const m = fail('kms', 'Decrypt', { CiphertextBlob: '' }).message
    expect(m).toBe("1 validation error detected: Value at 'ciphertextBlob' failed to satisfy constraint: Member must have length greater than or equal to 1")
  })
  it('property: no sensitive string ever appears in a message', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 65537, maxLength: 65600 }), (s) => {
        const m = fail('secretsmanager', 'PutSecretValue', { SecretId: 'x', SecretString: s }).message
        return !m.includes(s.slice(0, 40)) && m.includes("Value at 'secretString'")
      }),
      { numRuns: 20 },
    )
  })
})

describe('validateInput: wrong JSON types are SerializationException', () => {
  it.each([
    ['kms', 'GenerateRandom', { NumberOfBytes: '12' }, 'STRING_VALUE can not be converted to an Integer'],
    ['kms', 'GenerateRandom', { NumberOfBytes: 1.5 }, 'NUMBER_VALUE can not be converted to an Integer'],
    ['kms', 'Encrypt', { KeyId: {}, Plaintext: 'AA==' }, 'Start of structure or map found where not expected.'],
    ['kms', 'Encrypt', { KeyId: ['a'], Plaintext: 'AA==' }, 'Start of list found where not expected'],
    ['kms', 'Encrypt', { KeyId: 'k', Plaintext: 'not base64!' }, 'Base64 encoded value is not valid.'],
    ['kms', 'Encrypt', { KeyId: 'k', Plaintext: 'AA==', DryRun: 'true' }, 'STRING_VALUE can not be converted to a Boolean'],
    ['kms', 'Encrypt', { KeyId: 'k', Plaintext: 'AA==', GrantTokens: 'x' }, 'STRING_VALUE can not be converted to a List'],
    ['kms', 'Encrypt', { KeyId: 'k', Plaintext: 'AA==', EncryptionContext: ['x'] }, 'Start of list found where not expected'],
    ['secretsmanager', 'RestoreSecret', [], 'Start of list found where not expected'],
    ['kms', 'ListKeys', 'x', 'STRING_VALUE can not be converted to a Structure'],
  ] as const)('%s %s %j', (svc, op, body, message) => {
    expect(fail(svc, op, body)).toEqual({ code: 'Serialization', message })
  })
})
