/**
 * sts.GetCallerIdentity (awsQuery on `POST /`), which SDKs and the CLI use to check credentials.
 */
import { GetCallerIdentityCommand, STSServiceException } from '@aws-sdk/client-sts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { awsCli, awsCliVersion, createAccount, sdkError, signedFetch, stsClient } from '../support/aws.ts'
import { TEST_ACCOUNT, type TestServer, startTestServer } from '../support/server.ts'

let t: TestServer
beforeAll(async () => {
  t = await startTestServer()
})
afterAll(async () => {
  await t?.stop()
})

const ADMIN_ARN = `arn:aws:iam::${TEST_ACCOUNT}:user/admin`

describe('GetCallerIdentity with @aws-sdk/client-sts', () => {
  it("returns the administrator's Arn, Account and UserId", async () => {
    const sts = stsClient(t)
    const out = await sts.send(new GetCallerIdentityCommand({}))
    expect(out.Arn).toBe(ADMIN_ARN)
    expect(out.Account).toBe(TEST_ACCOUNT)
    expect(out.UserId).toMatch(/^AIDA[A-Z0-9]+$/)
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/)
    sts.destroy()
  })

  it('answers for a principal of another account and from any region', async () => {
    const creds = await createAccount(t, '222222222222')
    const sts = stsClient(t, { credentials: creds, region: 'ap-southeast-2' })
    const out = await sts.send(new GetCallerIdentityCommand({}))
    expect(out).toMatchObject({ Arn: 'arn:aws:iam::222222222222:user/admin', Account: '222222222222' })
    sts.destroy()
  })

  it('unknown key → InvalidClientTokenId (403); wrong secret → SignatureDoesNotMatch (403)', async () => {
    let sts = stsClient(t, { credentials: { accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: 'x'.repeat(40) } })
    let e = await sdkError(sts.send(new GetCallerIdentityCommand({})))
    expect(e).toBeInstanceOf(STSServiceException)
    expect(e.name).toBe('InvalidClientTokenId')
    expect(e.$metadata.httpStatusCode).toBe(403)
    sts.destroy()
    sts = stsClient(t, { credentials: { accessKeyId: t.admin.accessKeyId, secretAccessKey: 'x'.repeat(40) } })
    e = await sdkError(sts.send(new GetCallerIdentityCommand({})))
    expect(e.name).toBe('SignatureDoesNotMatch')
    expect(e.$metadata.httpStatusCode).toBe(403)
    sts.destroy()
  })

  it('the XML answer has AWS namespace, result and request id', async () => {
    const res = await signedFetch(t, {
      service: 'sts',
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/xml/)
    const xml = await res.text()
    expect(xml).toContain('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">')
    expect(xml).toContain(`<Arn>${ADMIN_ARN}</Arn>`)
    expect(xml).toMatch(/<ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata>/)
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('an unsupported action is an STS error document, not a 500', async () => {
    const res = await signedFetch(t, {
      service: 'sts',
      body: 'Action=AssumeRole&Version=2011-06-15',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    })
    expect(res.status).toBe(400)
    const xml = await res.text()
    expect(xml).toMatch(/<ErrorResponse[^>]*><Error><Type>Sender<\/Type><Code>InvalidAction<\/Code>/)
  })
})

const cli = awsCliVersion()
describe.skipIf(!cli && !process.env.CI)(`aws sts get-caller-identity${cli ? '' : ' (skipped: the aws CLI is not installed; CI requires it)'}`, () => {
  it('prints the administrator', async () => {
    expect(cli, 'the aws CLI must be installed in CI (.ci/run installs Debian awscli)').toBeTruthy()
    const r = await awsCli(t, ['sts', 'get-caller-identity', '--output', 'json'])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ Arn: ADMIN_ARN, Account: TEST_ACCOUNT, UserId: expect.any(String) })
  })
})
