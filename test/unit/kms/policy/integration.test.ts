import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ManualClock, randomBytes } from '../../../../src/core/index.ts'
import { type Caller, type Kms, createKms } from '../../../../src/kms/index.ts'
import { createPolicyAuthorizer } from '../../../../src/kms/policy/index.ts'
import { Seal } from '../../../../src/kms/root/index.ts'
import { metaStore } from '../../../../src/store/index.ts'
import { type TestDatabase, createTestDatabase } from '../../../support/db.ts'
import { ACCOUNT, REGION, caller as root, utf8 } from '../../../support/kms-core.ts'

// The policy engine as the KMS core's authorizer and lockout check, over a real database (both back ends).
let db: TestDatabase
let dataDir: string
let kms: Kms
beforeEach(async () => {
  db = await createTestDatabase()
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arca-policy-'))
  const { seal } = await Seal.open(metaStore(db.db), { rootKey: Buffer.from(randomBytes(32)).toString('base64'), dataDir })
  const clock = new ManualClock()
  const authorizer = createPolicyAuthorizer({
    clock,
    resourceTags: async (key) => {
      const rows = await db.db.selectFrom('kms_tags').select(['tag_key', 'tag_value']).where('region', '=', key.region).where('key_id', '=', key.id).execute()
      return Object.fromEntries(rows.map((r) => [r.tag_key, r.tag_value]))
    },
  })
  kms = createKms({ db: db.db, barrier: seal, clock, authorizer, lockoutCheck: authorizer.lockoutCheck })
})
afterEach(async () => {
  await db.dispose()
  fs.rmSync(dataDir, { recursive: true, force: true })
})

const alice = (policies: object[] = [], tags?: Record<string, string>): Caller => ({
  account: ACCOUNT,
  principalArn: `arn:aws:iam::${ACCOUNT}:user/alice`,
  region: REGION,
  policies: policies.map((p) => JSON.stringify(p)),
  ...(tags ? { principalTags: tags } : {}),
})
const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement })
const rootStmt = { Sid: 'Root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }

describe('policy authorizer in the KMS core', () => {
  it('the default key policy lets the root user work and delegates users to identity policies', async () => {
    const key = (await kms.createKey(root, {})).keyMetadata
    const { ciphertextBlob } = await kms.encrypt(root, { keyId: key.keyId, plaintext: utf8('hi') })
    await expect(kms.decrypt(alice(), { ciphertextBlob })).rejects.toMatchObject({
      code: 'AccessDenied',
      message: `User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: kms:Decrypt on resource: ${key.arn} because no identity-based policy allows the kms:Decrypt action`,
    })
    const reader = alice([{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: key.arn }] }])
    expect((await kms.decrypt(reader, { ciphertextBlob })).keyId).toBe(key.arn)
  })

  it('PutKeyPolicy refuses a policy that would lock the caller out, unless told to bypass', async () => {
    const key = (await kms.createKey(root, {})).keyMetadata
    const lockout = doc({ Sid: 'AliceOnly', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/alice` }, Action: 'kms:*', Resource: '*' })
    await expect(kms.putKeyPolicy(root, { keyId: key.keyId, policy: lockout })).rejects.toMatchObject({ code: 'MalformedPolicyDocument' })
    await expect(kms.putKeyPolicy(root, { keyId: key.keyId, policy: doc({ ...rootStmt, Effect: 'Allowed' }) })).rejects.toMatchObject({
      code: 'MalformedPolicyDocument',
      message: 'Statement[0].Effect must be Allow or Deny',
    })
    await kms.putKeyPolicy(root, { keyId: key.keyId, policy: lockout, bypassPolicyLockoutSafetyCheck: true })
    await expect(kms.describeKey(root, { keyId: key.keyId })).rejects.toMatchObject({ code: 'AccessDenied' })
    expect((await kms.describeKey(alice(), { keyId: key.keyId })).keyMetadata.keyId).toBe(key.keyId)
  })

  it('ABAC: aws:ResourceTag against aws:PrincipalTag reads the key tags', async () => {
    const key = (await kms.createKey(root, { tags: [{ tagKey: 'team', tagValue: 'blue' }] })).keyMetadata
    const abac = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } } }] }
    await kms.encrypt(alice([abac], { team: 'blue' }), { keyId: key.keyId, plaintext: utf8('x') })
    await expect(kms.encrypt(alice([abac], { team: 'red' }), { keyId: key.keyId, plaintext: utf8('x') })).rejects.toMatchObject({ code: 'AccessDenied' })
  })
})
