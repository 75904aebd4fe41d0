/**
 * Per-account request quotas on the AWS faces: a burst over a class's limit gets
 * ThrottlingException (HTTP 400, AWS's wording) for the excess only, recorded in the audit trail;
 * the real SDK's retries succeed once the (injected) clock refills the bucket; another account,
 * and another operation class, are unaffected. Time moves only with the test's ManualClock.
 */
import { GenerateRandomCommand, KMSClient, ListKeysCommand } from '@aws-sdk/client-kms'
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adminApi, createAccount, kmsClient, sdkError } from '../support/aws.ts'
import { TEST_ACCOUNT, TEST_REGION, type TestServer, startTestServer } from '../support/server.ts'

const RATE = 5
let t: TestServer

beforeAll(async () => {
  t = await startTestServer({ ARCA_QUOTAS: 'on', ARCA_QUOTA_KMS_SYMMETRIC: `${RATE}/${RATE}`, ARCA_QUOTA_SSM_GET: '2/2' })
})
afterAll(async () => t?.stop())

/** Sends n GenerateRandom calls at one instant; how many succeeded, and the errors of the rest. */
async function burst(client: KMSClient, n: number) {
  const results = await Promise.allSettled(Array.from({ length: n }, () => client.send(new GenerateRandomCommand({ NumberOfBytes: 16 }))))
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as Error & { $metadata: { httpStatusCode?: number } })
  return { ok: n - failed.length, failed }
}

describe('request quotas', () => {
  it('a burst over the limit is throttled for the excess only, with AWS wording and an audit record', async () => {
    t.clock.advance(10_000)
    const { ok, failed } = await burst(kmsClient(t), RATE + 3)
    expect(ok).toBe(RATE)
    expect(failed).toHaveLength(3)
    for (const e of failed) {
      expect(e.name).toBe('ThrottlingException')
      expect(e.$metadata.httpStatusCode).toBe(400)
      expect(e.message).toBe('You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.')
    }
    const audit = await t.services.audit.query({ service: 'kms', operation: 'GenerateRandom', limit: 1000 })
    expect(audit.records.filter((r) => r.errorCode === 'ThrottlingException').length).toBeGreaterThanOrEqual(3)
    // Management calls have their own bucket.
    await kmsClient(t).send(new ListKeysCommand({}))
    // One second later the bucket is full again: RATE more, no more.
    t.clock.advance(1000)
    expect((await burst(kmsClient(t), RATE + 1)).ok).toBe(RATE)
  })

  it('another account is unaffected by a noisy one', async () => {
    t.clock.advance(10_000)
    const other = await createAccount(t, '222222222222')
    await burst(kmsClient(t), RATE * 3)
    const quiet = new KMSClient({ endpoint: t.url, region: TEST_REGION, credentials: other, maxAttempts: 1 })
    expect((await burst(quiet, RATE)).ok).toBe(RATE)
  })

  it("the real SDK's retries succeed once time refills the bucket", async () => {
    t.clock.advance(10_000)
    await burst(kmsClient(t), RATE)
    // The SDK's standard retry mode: 3 attempts with back-off. Each retry happens one second later.
    const client = new KMSClient({ endpoint: t.url, region: TEST_REGION, credentials: t.admin, maxAttempts: 3 })
    let attempts = 0
    client.middlewareStack.add(
      (next) => async (args) => {
        if (++attempts > 1) t.clock.advance(1000)
        return next(args)
      },
      { step: 'finalizeRequest', priority: 'low', name: 'advanceManualClockOnRetry' },
    )
    const out = await client.send(new GenerateRandomCommand({ NumberOfBytes: 8 }))
    expect(out.Plaintext).toHaveLength(8)
    expect(attempts).toBe(2)
  })

  it('SSM GetParameter answers "Rate exceeded"', async () => {
    t.clock.advance(10_000)
    const ssm = new SSMClient({ endpoint: t.url, region: TEST_REGION, credentials: t.admin, maxAttempts: 1 })
    await ssm.send(new PutParameterCommand({ Name: '/q/p', Value: 'v', Type: 'String' }))
    await ssm.send(new GetParameterCommand({ Name: '/q/p' }))
    await ssm.send(new GetParameterCommand({ Name: '/q/p' }))
    const e = await sdkError(ssm.send(new GetParameterCommand({ Name: '/q/p' })))
    expect(e.name).toBe('ThrottlingException')
    expect(e.message).toBe('Rate exceeded')
  })

  it('GET /v1/admin/quotas shows the limits and current use', async () => {
    const view = await adminApi(t, 'GET', '/quotas')
    expect(view.status).toBe(200)
    expect(view.json.account).toBe(TEST_ACCOUNT)
    const classes = view.json.classes as { class: string; rate: number; burst: number; throttled: number; allowed: number }[]
    const sym = classes.find((c) => c.class === 'kms-symmetric')!
    expect(sym).toMatchObject({ rate: RATE, burst: RATE })
    expect(sym.throttled).toBeGreaterThan(0)
    expect(classes.find((c) => c.class === 'secrets-get')).toMatchObject({ rate: 10_000, burst: 10_000 })
    const other = await adminApi(t, 'GET', '/quotas?account=222222222222')
    expect(other.status).toBe(200)
    expect((other.json.classes as { class: string; throttled: number }[]).every((c) => c.throttled === 0)).toBe(true)
  })
})
