import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { arca } from '../support/cli.ts'
import { type TestServer, TEST_ACCOUNT, startTestServer } from '../support/server.ts'

let t: TestServer
let sigv4: Record<string, string>
beforeAll(async () => {
  t = await startTestServer()
  sigv4 = { ARCA_ENDPOINT: t.url, AWS_ACCESS_KEY_ID: t.admin.accessKeyId, AWS_SECRET_ACCESS_KEY: t.admin.secretAccessKey }
})
afterAll(async () => {
  await t.stop()
})

describe('arca admin', () => {
  it('creates a user, an access key and a token; the new credentials authenticate', async () => {
    const created = await arca(['admin', 'users', 'create', 'bob', '--tag', 'team=web', '--output', 'json'], sigv4)
    expect(created.stderr).toBe('')
    expect(JSON.parse(created.stdout)).toEqual({ name: 'bob', arn: `arn:aws:iam::${TEST_ACCOUNT}:user/bob`, account: TEST_ACCOUNT })

    const key = JSON.parse((await arca(['admin', 'access-keys', 'create', 'bob', '--output', 'json'], sigv4)).stdout)
    expect(key.accessKeyId).toMatch(/^AKIA/)
    expect(typeof key.secretAccessKey).toBe('string')

    const token = JSON.parse((await arca(['admin', 'tokens', 'create', 'bob', '--ttl', '3600', '--output', 'json'], sigv4)).stdout)
    const who = await fetch(`${t.url}/v1/whoami`, { headers: { authorization: `Bearer ${token.token}` } })
    expect(await who.json()).toMatchObject({ arn: `arn:aws:iam::${TEST_ACCOUNT}:user/bob`, admin: false })

    const listed = JSON.parse((await arca(['admin', 'users', 'list', '--output', 'json'], sigv4)).stdout)
    expect(listed.users.map((u: { name: string }) => u.name).sort()).toEqual(['admin', 'bob'])
  })

  it('puts, lists and reads a policy', async () => {
    await arca(['admin', 'users', 'create', 'carol'], sigv4)
    const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }] })
    const put = await arca(['admin', 'policies', 'put', 'carol', 'decrypt', '--document', doc], sigv4)
    expect(put.code).toBe(0)
    expect(JSON.parse((await arca(['admin', 'policies', 'list', 'carol', '--output', 'json'], sigv4)).stdout)).toEqual({ policies: ['decrypt'] })
    expect(JSON.parse((await arca(['admin', 'policies', 'get', 'carol', 'decrypt', '--output', 'json'], sigv4)).stdout)).toEqual(JSON.parse(doc))
  })

  it('says clearly what is wrong, in one line, with a non-zero exit', async () => {
    const missing = await arca(['admin', 'users', 'get', 'nobody'], sigv4)
    expect(missing.code).toBe(3) // exit codes: 3 not found
    expect(missing.stderr.trim().split('\n')).toHaveLength(1)
    expect(missing.stderr).toMatch(/^arca: /)
    const badCreds = await arca(['admin', 'users', 'list'], { ...sigv4, AWS_SECRET_ACCESS_KEY: 'wrong' })
    expect(badCreds.code).toBe(4) // exit codes: 4 bad credentials or access denied
    expect(badCreds.stderr).toMatch(/signature/i)
    const down = await arca(['admin', 'users', 'list'], { ...sigv4, ARCA_ENDPOINT: 'http://127.0.0.1:9' })
    expect(down.stderr).toMatch(/cannot reach Arca/)
    expect(down.code).toBe(5)
    expect(down.stderr).not.toMatch(/at .*\.ts:\d+/)
    const usage = await arca(['admin', 'frobnicate'], sigv4)
    expect(usage.code).toBe(2)
  })
})
