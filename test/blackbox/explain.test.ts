/**
 * `POST /v1/admin/explain` and `arca admin explain`: for a principal, an action and a key, the
 * decision and what decided it (statement Sid, grant id, or the kind of policy with no allow),
 * from the same engine that decides real requests. Administrators only.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { CreateAliasCommand, CreateGrantCommand, CreateKeyCommand, EncryptCommand, type KMSClient } from '@aws-sdk/client-kms'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAccount, kmsClient, sdkError } from '../support/aws.ts'
import { arca } from '../support/cli.ts'
import { accountAdmin, makePrincipal, tokenFor } from '../support/principals.ts'
import { TEST_ACCOUNT, TEST_REGION, type TestServer, startTestServer } from '../support/server.ts'

let t: TestServer
let admin: KMSClient
let adminToken: string
let keyArn: string
let lockedArn: string
let grantId: string
const OTHER = '222233334444'
const arn = (name: string) => `arn:aws:iam::${TEST_ACCOUNT}:user/${name}`
const SSM = `ssm.${TEST_REGION}.amazonaws.com`

const KEY_POLICY = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'EnableIAM', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TEST_ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
    { Sid: 'AliceDecrypt', Effect: 'Allow', Principal: { AWS: arn('alice') }, Action: 'kms:Decrypt', Resource: '*' },
    { Sid: 'AliceEncryptWeb', Effect: 'Allow', Principal: { AWS: arn('alice') }, Action: 'kms:Encrypt', Resource: '*', Condition: { StringEquals: { 'kms:EncryptionContext:app': 'web' } } },
    { Sid: 'AliceViaSsm', Effect: 'Allow', Principal: { AWS: arn('alice') }, Action: 'kms:GenerateDataKey', Resource: '*', Condition: { StringEquals: { 'kms:ViaService': SSM } } },
    { Sid: 'NoDelete', Effect: 'Deny', Principal: '*', Action: 'kms:ScheduleKeyDeletion', Resource: '*' },
  ],
}
// A key whose policy names alice only: nobody else's identity policy counts.
const LOCKED_POLICY = { Version: '2012-10-17', Statement: [{ Sid: 'OnlyAlice', Effect: 'Allow', Principal: { AWS: arn('alice') }, Action: 'kms:*', Resource: '*' }] }

interface Answer {
  allowed: boolean
  decision: string
  by?: { source: string; sid?: string; grantId?: string }
  missing?: string
  message?: string
  principal: string
  action: string
  resource: string
  trace: { source: string; sid?: string; outcome: string; detail?: string }[]
}

async function explain(body: unknown, token = adminToken): Promise<{ status: number; json: Answer & { code?: string; detail?: string } }> {
  const res = await fetch(`${t.url}/v1/admin/explain`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: res.status, json: (await res.json()) as Answer & { code?: string; detail?: string } }
}

beforeAll(async () => {
  t = await startTestServer()
  admin = kmsClient(t)
  adminToken = await tokenFor(t, TEST_ACCOUNT, 'admin')
  await makePrincipal(t, { account: TEST_ACCOUNT, name: 'alice' })
  await makePrincipal(t, {
    account: TEST_ACCOUNT,
    name: 'carol',
    policies: [{ Version: '2012-10-17', Statement: [{ Sid: 'CarolKms', Effect: 'Allow', Action: 'kms:*', Resource: '*' }, { Sid: 'NoEncrypt', Effect: 'Deny', Action: 'kms:Encrypt', Resource: '*' }] }],
  })
  await makePrincipal(t, { account: TEST_ACCOUNT, name: 'dave' })
  keyArn = (await admin.send(new CreateKeyCommand({ Policy: JSON.stringify(KEY_POLICY) }))).KeyMetadata!.Arn!
  await admin.send(new CreateAliasCommand({ AliasName: 'alias/explained', TargetKeyId: keyArn }))
  grantId = (await admin.send(new CreateGrantCommand({ KeyId: keyArn, GranteePrincipal: arn('dave'), Operations: ['Encrypt'] }))).GrantId!
  lockedArn = (await admin.send(new CreateKeyCommand({ Policy: JSON.stringify(LOCKED_POLICY), BypassPolicyLockoutSafetyCheck: true }))).KeyMetadata!.Arn!
})
afterAll(async () => {
  admin?.destroy()
  await t?.stop()
})

describe('POST /v1/admin/explain', () => {
  it('an allowed request names the allowing statement', async () => {
    const { status, json } = await explain({ principal: arn('alice'), action: 'kms:Decrypt', keyId: keyArn })
    expect(status).toBe(200)
    expect(json).toMatchObject({ allowed: true, decision: 'Allow', by: { source: 'key-policy', sid: 'AliceDecrypt' }, principal: arn('alice'), action: 'kms:Decrypt', resource: keyArn })
    expect(json.message).toBeUndefined()
    expect(json.trace).toContainEqual(expect.objectContaining({ source: 'key-policy', sid: 'AliceDecrypt', outcome: 'applies' }))
  })

  it('takes a user name, a bare operation name and an alias; the encryption context decides a condition', async () => {
    const withContext = await explain({ principal: 'alice', action: 'Encrypt', keyId: 'alias/explained', encryptionContext: { app: 'web' } })
    expect(withContext.json).toMatchObject({ decision: 'Allow', by: { sid: 'AliceEncryptWeb' }, resource: keyArn })
    const without = await explain({ principal: 'alice', action: 'Encrypt', keyId: 'alias/explained' })
    expect(without.json).toMatchObject({ decision: 'ImplicitDeny', allowed: false })
    expect(without.json.trace).toContainEqual(expect.objectContaining({ sid: 'AliceEncryptWeb', outcome: 'condition-false', detail: 'StringEquals kms:EncryptionContext:app' }))
  })

  it('viaService stands for a call made through SSM', async () => {
    expect((await explain({ principal: 'alice', action: 'kms:GenerateDataKey', keyId: keyArn, viaService: SSM })).json).toMatchObject({ decision: 'Allow', by: { sid: 'AliceViaSsm' } })
    expect((await explain({ principal: 'alice', action: 'kms:GenerateDataKey', keyId: keyArn })).json.decision).toBe('ImplicitDeny')
  })

  it('an allow by a grant names the grant id', async () => {
    const { json } = await explain({ principal: arn('dave'), action: 'kms:Encrypt', keyId: keyArn })
    expect(json).toMatchObject({ decision: 'Allow', by: { source: 'grant', grantId } })
  })

  it('an explicit deny names the denying statement, in the key policy or in an identity policy', async () => {
    const key = await explain({ principal: 'alice', action: 'kms:ScheduleKeyDeletion', keyId: keyArn })
    expect(key.json).toMatchObject({ allowed: false, decision: 'ExplicitDeny', by: { source: 'key-policy', sid: 'NoDelete' } })
    expect(key.json.message).toBe(`User: ${arn('alice')} is not authorized to perform: kms:ScheduleKeyDeletion on resource: ${keyArn} with an explicit deny in a resource-based policy`)
    const identity = await explain({ principal: 'carol', action: 'kms:Encrypt', keyId: keyArn })
    expect(identity.json).toMatchObject({ decision: 'ExplicitDeny', by: { source: 'identity-policy', sid: 'NoEncrypt' } })
    expect(identity.json.message).toMatch(/with an explicit deny in an identity-based policy$/)
  })

  it('an implicit deny says which kind of policy had no allow, in the words the caller gets', async () => {
    const noIdentity = await explain({ principal: 'dave', action: 'kms:Decrypt', keyId: keyArn })
    expect(noIdentity.json).toMatchObject({ decision: 'ImplicitDeny', missing: 'identity-based' })
    expect(noIdentity.json.message).toBe(`User: ${arn('dave')} is not authorized to perform: kms:Decrypt on resource: ${keyArn} because no identity-based policy allows the kms:Decrypt action`)
    const noResource = await explain({ principal: 'carol', action: 'kms:Decrypt', keyId: lockedArn })
    expect(noResource.json).toMatchObject({ decision: 'ImplicitDeny', missing: 'resource-based' })
    expect(noResource.json.message).toMatch(/because no resource-based policy allows the kms:Decrypt action$/)
  })

  it('says what the real call answers: the same AccessDenied message', async () => {
    const carol = await t.services.identity.createAccessKey('user', TEST_ACCOUNT, 'carol')
    const kms = kmsClient(t, { credentials: carol })
    try {
      const e = await sdkError(kms.send(new EncryptCommand({ KeyId: keyArn, Plaintext: new TextEncoder().encode('x') })))
      expect(e.name).toBe('AccessDeniedException')
      expect((await explain({ principal: 'carol', action: 'kms:Encrypt', keyId: keyArn })).json.message).toBe(e.message)
    } finally {
      kms.destroy()
    }
  })

  it('is for administrators only: 403 for another principal, 401 without credentials', async () => {
    const alice = await tokenFor(t, TEST_ACCOUNT, 'alice')
    const { status, json } = await explain({ principal: 'alice', action: 'kms:Decrypt', keyId: keyArn }, alice)
    expect(status).toBe(403)
    expect(json.code).toBe('AccessDenied')
    const anonymous = await fetch(`${t.url}/v1/admin/explain`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    expect(anonymous.status).toBe(401)
  })

  it("an administrator of another account may not explain this account's principals", async () => {
    await createAccount(t, OTHER)
    const otherAdmin = await tokenFor(t, OTHER, 'admin')
    const { status } = await explain({ principal: arn('alice'), action: 'kms:Decrypt', keyId: keyArn }, otherAdmin)
    expect(status).toBe(403)
    // Its own principals, yes.
    expect((await explain({ principal: 'admin', action: 'kms:CreateKey' }, otherAdmin)).json).toMatchObject({ decision: 'Allow', by: { source: 'admin' } })
  })

  it('an unknown principal or key is 404; a request without a principal is 400', async () => {
    const nobody = await explain({ principal: arn('nobody'), action: 'kms:Decrypt', keyId: keyArn })
    expect(nobody.status).toBe(404)
    expect(nobody.json.code).toBe('NotFound')
    expect((await explain({ principal: 'alice', action: 'kms:Decrypt', keyId: 'alias/nothing-here' })).status).toBe(404)
    expect((await explain({ action: 'kms:Decrypt', keyId: keyArn })).status).toBe(400)
  })
})

describe('arca admin explain --file', () => {
  it('prints the same answer as the REST API', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arca-explain-'))
    try {
      const body = { principal: 'alice', action: 'kms:ScheduleKeyDeletion', keyId: keyArn }
      const file = path.join(dir, 'req.json')
      fs.writeFileSync(file, JSON.stringify(body))
      const env = { ARCA_ENDPOINT: t.url, AWS_ACCESS_KEY_ID: t.admin.accessKeyId, AWS_SECRET_ACCESS_KEY: t.admin.secretAccessKey }
      const out = await arca(['admin', 'explain', '--file', file], env)
      expect(out.stderr).toBe('')
      expect(out.code).toBe(0)
      const printed = JSON.parse(out.stdout) as Answer
      expect(printed).toEqual((await explain(body)).json)
      expect(printed).toMatchObject({ decision: 'ExplicitDeny', by: { sid: 'NoDelete' } })
      const missing = await arca(['admin', 'explain'], env)
      expect(missing.code).not.toBe(0)
      expect(missing.stderr).toMatch(/--file/)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }, 30_000) // two CLI processes: each starts Node and loads the CLI (seconds on a loaded machine)
})
