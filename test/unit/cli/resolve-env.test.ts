import { describe, expect, it } from 'vitest'
import type { ArcaClient } from '../../../src/client/index.ts'
import { parseArcaReference, parseDynamicReference, resolveEnv } from '../../../src/cli/resolve-env.ts'
import { dotenvLine, parseDotenv, shellLine } from '../../../src/cli/dotenv.ts'
import { ArcaError } from '../../../src/core/index.ts'

describe('references', () => {
  it('parses the arca: forms', () => {
    expect(parseArcaReference('arca:ssm:/a/b')).toEqual({ kind: 'ssm', name: '/a/b' })
    expect(parseArcaReference('arca:secret:prod/db')).toEqual({ kind: 'secret', id: 'prod/db' })
    expect(parseArcaReference('arca:secret:prod/db#password')).toEqual({ kind: 'secret', id: 'prod/db', jsonKey: 'password' })
    expect(parseArcaReference('arca:secret:prod/db#password@AWSPREVIOUS')).toEqual({ kind: 'secret', id: 'prod/db', jsonKey: 'password', stage: 'AWSPREVIOUS' })
    expect(parseArcaReference('arca:secret:prod/db@AWSPENDING')).toEqual({ kind: 'secret', id: 'prod/db', stage: 'AWSPENDING' })
    expect(parseArcaReference('arca:kms:AQID')).toEqual({ kind: 'kms', ciphertext: 'AQID' })
    expect(parseArcaReference('arcade')).toBeUndefined()
    expect(() => parseArcaReference('arca:kms:not base64!')).toThrow(/base64/)
  })

  it("parses CloudFormation's dynamic references, ARNs included", () => {
    expect(parseDynamicReference('ssm:/a/b')).toEqual({ kind: 'ssm', name: '/a/b' })
    expect(parseDynamicReference('ssm-secure:/a/b:3')).toEqual({ kind: 'ssm', name: '/a/b:3' })
    expect(parseDynamicReference('secretsmanager:prod/db:SecretString:password')).toEqual({ kind: 'secret', id: 'prod/db', jsonKey: 'password' })
    expect(parseDynamicReference('secretsmanager:arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db-AbCdEf:SecretString:user:AWSPREVIOUS')).toEqual({
      kind: 'secret',
      id: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db-AbCdEf',
      jsonKey: 'user',
      stage: 'AWSPREVIOUS',
    })
    expect(() => parseDynamicReference('secretsmanager:x:SecretBinary')).toThrow(/SecretString/)
    expect(() => parseDynamicReference('s3:bucket')).toThrow(/only ssm/)
  })

  it('resolves every reference, keeps other values, and reports a failure with the variable and reference', async () => {
    const client = {
      getParameter: async (n: string) => {
        if (n === '/missing') throw new ArcaError('NotFound', 'Parameter /missing not found.')
        return `P(${n})`
      },
      getSecret: async (id: string, o: { stage?: string }) => JSON.stringify({ k: `${id}@${o.stage ?? 'cur'}` }),
      decrypt: async () => ({ plaintext: new TextEncoder().encode('plain'), keyId: 'k' }),
    } as unknown as ArcaClient
    const r = await resolveEnv(client, { A: 'arca:ssm:/a', B: 'x{{resolve:secretsmanager:s:SecretString:k}}y', C: 'arca:kms:AQID', D: 'plain', E: undefined })
    expect(r.env).toEqual({ A: 'P(/a)', B: 'xs@cury', C: 'plain', D: 'plain' })
    await expect(resolveEnv(client, { Z: 'arca:ssm:/missing' })).rejects.toMatchObject({ code: 'NotFound', message: 'cannot resolve Z (parameter /missing): Parameter /missing not found.' })
    const warned: string[] = []
    const allowed = await resolveEnv(client, { Z: 'arca:ssm:/missing', Y: 'arca:secret:s#nokey' }, { allowMissing: true, warn: (m) => warned.push(m) })
    expect(allowed.env).toEqual({})
    expect(allowed.missing.sort()).toEqual(['Y', 'Z'])
    expect(warned).toHaveLength(2)
  })
})

describe('dotenv', () => {
  it('reads the usual forms and writes lines that read back the same', () => {
    const text = ['# c', 'A=1', 'export B = two words ', 'C="q \\"x\\" \\n y"', "D='lit $HOME \\n'", 'E=v # note', 'F="multi', 'line"', 'G=', ''].join('\n')
    expect(parseDotenv(text)).toEqual({ A: '1', B: 'two words', C: 'q "x" \n y', D: 'lit $HOME \\n', E: 'v', F: 'multi\nline', G: '' })
    const tricky = 'a "b" $c \\d\nline\ttab'
    expect(parseDotenv(dotenvLine('K', tricky))).toEqual({ K: tricky })
    expect(shellLine('K', "it's")).toBe(`export K='it'\\''s'`)
    expect(() => parseDotenv('not a line')).toThrow(/line 1/)
  })
})
