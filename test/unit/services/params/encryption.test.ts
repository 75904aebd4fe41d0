import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MS } from '../../../../src/core/index.ts'
import { type Authorizer, accessDenied } from '../../../../src/kms/index.ts'
import { rawDatabaseBytes } from '../../../support/db.ts'
import { type ParamsHarness, admin, alice, createParamsHarness, rejection } from './support.ts'

let h: ParamsHarness
const kmsCalls: { action: string; principal: string; viaService?: string }[] = []
// The KMS core's decision: alice may not use keys for decryption; nothing crosses accounts.
const kmsAuthorizer: Authorizer = {
  authorize(req) {
    kmsCalls.push({ action: req.action, principal: req.caller.principalArn, viaService: req.caller.viaService })
    if (req.caller.principalArn === alice.principalArn && req.action === 'kms:Decrypt') throw accessDenied(req)
    if ((req.key?.account ?? req.caller.account) !== req.caller.account) throw accessDenied(req)
  },
}

beforeEach(async () => {
  kmsCalls.length = 0
  h = await createParamsHarness({ kmsAuthorizer, cache: { maxEntries: 3, ttlMs: MS.minute } })
})
afterEach(async () => {
  await h.dispose()
})

describe('values at rest', () => {
  it('no plaintext of any type, version or label appears anywhere in the database', async () => {
    const secrets = ['plain-string-value-7f3a', 'list-item-one-9c2e,list-item-two-1b7d', 'secure-string-value-4d8e', 'older-version-value-2a6f']
    await h.params.putParameter(admin, { name: '/s/old', value: secrets[3]!, type: 'String' })
    await h.params.putParameter(admin, { name: '/s/old', value: secrets[0]!, overwrite: true })
    await h.params.labelParameterVersion(admin, { name: '/s/old', parameterVersion: 1, labels: ['first'] })
    await h.params.putParameter(admin, { name: '/s/list', value: secrets[1]!, type: 'StringList' })
    await h.params.putParameter(admin, { name: '/s/secure', value: secrets[2]!, type: 'SecureString', tier: 'Advanced', policies: '[{"Type":"NoChangeNotification","Version":"1.0","Attributes":{"After":"1","Unit":"Days"}}]' })
    await h.params.runDueParameterPolicies(h.clock.now() + 2 * MS.day)
    const raw = await rawDatabaseBytes(h.db)
    for (const s of [...secrets, 'list-item-one-9c2e', 'list-item-two-1b7d']) {
      expect(raw.includes(Buffer.from(s)), s).toBe(false)
      expect(raw.includes(Buffer.from(Buffer.from(s).toString('base64'))), `${s} as base64`).toBe(false)
    }
    expect((await h.params.getParameter(admin, { name: '/s/old:first' })).parameter.value).toBe(secrets[3])
  })

  it('a value moved to another parameter or another version does not decrypt', async () => {
    await h.params.putParameter(admin, { name: '/m/a', value: 'value-a', type: 'String' })
    await h.params.putParameter(admin, { name: '/m/a', value: 'value-a2', overwrite: true })
    await h.params.putParameter(admin, { name: '/m/b', value: 'value-b', type: 'String' })
    const row = await h.db.db.selectFrom('ssm_parameter_versions').select(['data_key', 'value']).where('name', '=', '/m/a').where('version', '=', 1).executeTakeFirstOrThrow()
    await h.db.db.updateTable('ssm_parameter_versions').set({ data_key: row.data_key, value: row.value }).where('name', '=', '/m/b').execute()
    await h.db.db.updateTable('ssm_parameter_versions').set({ data_key: row.data_key, value: row.value }).where('name', '=', '/m/a').where('version', '=', 2).execute()
    h.params.clearCaches()
    const other = await rejection(h.params.getParameter(admin, { name: '/m/b' }))
    expect(other.message).not.toContain('value-a')
    const version = await rejection(h.params.getParameter(admin, { name: '/m/a' }))
    expect(version.code).toBe('Internal')
    expect((await h.params.getParameter(admin, { name: '/m/a:1' })).parameter.value).toBe('value-a')
  })
})

describe('SecureString and the KMS', () => {
  it("reads need WithDecryption and the caller's own kms:Decrypt, via ssm; String values need neither", async () => {
    await h.params.putParameter(admin, { name: '/k/plain', value: 'plain', type: 'String' })
    await h.params.putParameter(admin, { name: '/k/secret', value: 'secret', type: 'SecureString' })
    kmsCalls.length = 0
    expect((await h.params.getParameter(alice, { name: '/k/plain' })).parameter.value).toBe('plain')
    const decrypts = kmsCalls.filter((c) => c.action === 'kms:Decrypt')
    expect(decrypts.every((c) => c.principal === 'arn:aws:iam::111111111111:root' && c.viaService === 'ssm.us-east-1.amazonaws.com')).toBe(true)
    expect((await rejection(h.params.getParameter(alice, { name: '/k/secret', withDecryption: true }))).code).toBe('AccessDenied')
    expect((await h.params.getParameter(alice, { name: '/k/secret' })).parameter.value).not.toContain('secret')
    kmsCalls.length = 0
    expect((await h.params.getParameter(admin, { name: '/k/secret', withDecryption: true })).parameter.value).toBe('secret')
    expect((await h.params.getParameter(admin, { name: '/k/secret', withDecryption: true })).parameter.value).toBe('secret')
    // every SecureString read asks the KMS as the caller, via ssm: never from a cache
    expect(kmsCalls.filter((c) => c.action === 'kms:Decrypt')).toEqual([
      { action: 'kms:Decrypt', principal: admin.principalArn, viaService: 'ssm.us-east-1.amazonaws.com' },
      { action: 'kms:Decrypt', principal: admin.principalArn, viaService: 'ssm.us-east-1.amazonaws.com' },
    ])
  })

  it('uses a customer key given as KeyId; a bad or disabled key is InvalidKeyId', async () => {
    const { keyMetadata } = await h.kms.createKey(admin, { description: 'params' })
    await h.params.putParameter(admin, { name: '/cmk', value: 'under-cmk', type: 'SecureString', keyId: keyMetadata.keyId })
    expect((await h.params.describeParameters(admin, {})).parameters[0]!.keyId).toBe(keyMetadata.keyId)
    const gdk = kmsCalls.find((c) => c.action === 'kms:GenerateDataKey' && c.principal === admin.principalArn)
    expect(gdk?.viaService).toBe('ssm.us-east-1.amazonaws.com')
    expect((await h.params.getParameter(admin, { name: '/cmk', withDecryption: true })).parameter.value).toBe('under-cmk')
    await h.kms.disableKey(admin, { keyId: keyMetadata.keyId })
    expect((await rejection(h.params.getParameter(admin, { name: '/cmk', withDecryption: true }))).code).toBe('InvalidKeyId')
    expect((await rejection(h.params.putParameter(admin, { name: '/cmk2', value: 'v', type: 'SecureString', keyId: 'alias/missing' }))).code).toBe('InvalidKeyId')
  })
})

describe('the data-key cache', () => {
  it('is bounded, holds only service-key data keys, expires, and forgets a deleted parameter', async () => {
    for (let i = 0; i < 5; i++) await h.params.putParameter(admin, { name: `/c/p${i}`, value: `v${i}`, type: 'String' })
    await h.params.putParameter(admin, { name: '/c/secure', value: 's', type: 'SecureString' })
    for (let i = 0; i < 5; i++) await h.params.getParameter(admin, { name: `/c/p${i}` })
    expect(h.params.cachedDataKeys).toBe(3)
    await h.params.getParameter(admin, { name: '/c/secure', withDecryption: true })
    expect(h.params.cachedDataKeys).toBe(3)
    kmsCalls.length = 0
    await h.params.getParameter(admin, { name: '/c/p4' })
    expect(kmsCalls).toHaveLength(0)
    await h.params.deleteParameter(admin, { name: '/c/p4' })
    expect(h.params.cachedDataKeys).toBe(2)
    h.clock.advance(MS.minute + 1)
    await h.params.getParameter(admin, { name: '/c/p3' })
    expect(kmsCalls.filter((c) => c.action === 'kms:Decrypt')).toHaveLength(1)
  })
})
