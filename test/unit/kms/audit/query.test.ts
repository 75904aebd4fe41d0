import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ArcaError } from '../../../../src/core/index.ts'
import { type CloudTrailEvent } from '../../../../src/kms/audit/index.ts'
import { ACCOUNT, type AuditHarness, OTHER, createAuditHarness, record } from './support.ts'

let h: AuditHarness
const KEY = 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab'
const t0 = Date.UTC(2026, 0, 1)

beforeEach(async () => {
  h = await createAuditHarness()
  h.clock.set(t0)
  const { log, clock } = h
  await log.append(record(clock, { requestId: 'a', operation: 'Encrypt', params: { keyId: KEY, plaintext: new Uint8Array(3) } }))
  clock.advance(1000)
  await log.append(record(clock, { requestId: 'b', operation: 'Decrypt', errorCode: 'AccessDeniedException', errorMessage: 'no', principalArn: `arn:aws:iam::${ACCOUNT}:user/bob` }))
  clock.advance(1000)
  await log.append(record(clock, { requestId: 'c', operation: 'Decrypt', account: OTHER, principalArn: `arn:aws:iam::${OTHER}:user/eve`, params: {} }))
  clock.advance(1000)
  await log.append(record(clock, { requestId: 'd', operation: 'Decrypt', account: OTHER, principalArn: `arn:aws:iam::${OTHER}:user/eve`, params: { keyId: KEY } }))
  clock.advance(1000)
  await log.append(record(clock, { requestId: 'e', service: 'arca', operation: 'POST /v1/admin/users', params: { name: 'u' }, viaService: undefined }))
})
afterEach(async () => {
  await h.dispose()
})

const ids = (rs: CloudTrailEvent[]) => rs.map((r) => r.requestID)

describe('query', () => {
  it('answers CloudTrail-shaped events, oldest first', async () => {
    const { records, nextCursor } = await h.log.query({})
    expect(nextCursor).toBeUndefined()
    expect(ids(records)).toEqual(['a', 'b', 'c', 'd', 'e'])
    expect(records[0]).toMatchObject({
      eventVersion: '1.08',
      eventTime: '2026-01-01T00:00:00Z',
      eventSource: 'kms.amazonaws.com',
      eventName: 'Encrypt',
      eventType: 'AwsApiCall',
      awsRegion: 'us-east-1',
      userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/alice`, accountId: ACCOUNT, accessKeyId: 'AKIAEXAMPLEEXAMPLE01' },
      sourceIPAddress: '127.0.0.1',
      userAgent: 'test',
      requestParameters: { keyId: KEY, plaintext: '[redacted]' },
      responseElements: null,
      requestID: 'a',
      resources: [{ ARN: KEY, accountId: ACCOUNT, type: 'AWS::KMS::Key' }],
      recipientAccountId: ACCOUNT,
      readOnly: true,
    })
    expect(records[1]).toMatchObject({ errorCode: 'AccessDeniedException', errorMessage: 'no' })
    expect(records[4]).toMatchObject({ eventSource: 'arca', eventName: 'POST /v1/admin/users', readOnly: false })
  })

  it('filters by time range, principal, operation, resource and error', async () => {
    expect(ids((await h.log.query({ from: t0 + 1000, to: t0 + 2000 })).records)).toEqual(['b', 'c'])
    expect(ids((await h.log.query({ principal: `arn:aws:iam::${OTHER}:user/eve` })).records)).toEqual(['c', 'd'])
    expect(ids((await h.log.query({ operation: 'Decrypt' })).records)).toEqual(['b', 'c', 'd'])
    expect(ids((await h.log.query({ resource: KEY })).records)).toEqual(['a', 'b', 'd'])
    expect(ids((await h.log.query({ resource: 'arn:aws:kms:%' })).records)).toEqual([])
    expect(ids((await h.log.query({ error: 'AccessDeniedException' })).records)).toEqual(['b'])
    expect(ids((await h.log.query({ error: '*' })).records)).toEqual(['b'])
    expect(ids((await h.log.query({ error: 'none' })).records)).toEqual(['a', 'c', 'd', 'e'])
    expect(ids((await h.log.query({ service: 'arca' })).records)).toEqual(['e'])
  })

  it('an account sees the requests of its principals and those on its resources', async () => {
    // d: eve of OTHER used a key of ACCOUNT, so both accounts see it.
    expect(ids((await h.log.query({ account: OTHER })).records)).toEqual(['c', 'd'])
    expect(ids((await h.log.query({ account: ACCOUNT })).records)).toEqual(['a', 'b', 'd', 'e'])
  })

  it('pages with an opaque cursor, also across equal times', async () => {
    for (let i = 0; i < 5; i++) await h.log.append(record(h.clock, { requestId: `same-${i}` }))
    const seen: string[] = []
    let cursor: string | undefined
    do {
      const page = await h.log.query({ limit: 3, ...(cursor ? { cursor } : {}) })
      expect(page.records.length).toBeLessThanOrEqual(3)
      seen.push(...ids(page.records))
      cursor = page.nextCursor
    } while (cursor)
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e', 'same-0', 'same-1', 'same-2', 'same-3', 'same-4'])
  })

  it('export streams every matching record', async () => {
    const out: string[] = []
    for await (const e of h.log.export({ operation: 'Decrypt' })) out.push(e.requestID)
    expect(out).toEqual(['b', 'c', 'd'])
  })

  it('refuses a bad limit or cursor', async () => {
    await expect(h.log.query({ limit: 0 })).rejects.toBeInstanceOf(ArcaError)
    await expect(h.log.query({ limit: 1001 })).rejects.toMatchObject({ code: 'Validation' })
    await expect(h.log.query({ cursor: 'nope' })).rejects.toMatchObject({ code: 'InvalidMarker' })
  })
})
