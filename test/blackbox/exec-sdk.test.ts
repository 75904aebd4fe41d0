import { spawn } from 'node:child_process'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RestClient } from '../../src/client/index.ts'
import { type TestServer, startTestServer } from '../support/server.ts'

let t: TestServer
beforeAll(async () => {
  t = await startTestServer()
  const rest = new RestClient({ endpoint: t.url, auth: { kind: 'sigv4', credentials: t.admin, region: 'us-east-1' } })
  await rest.request('POST', '/v1/secrets', { name: 'prod/db-credentials', value: JSON.stringify({ host: 'db.internal', username: 'app', password: 'Tr0ub4dor&3' }) })
})
afterAll(async () => {
  await t.stop()
})

/** An unmodified application: the real AWS SDK, configured only by the standard environment variables. */
const APP = `
import { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager'
const sm = new SecretsManagerClient({})
const { SecretString } = await sm.send(new GetSecretValueCommand({ SecretId: 'prod/db-credentials' }))
const db = JSON.parse(SecretString)
console.log(JSON.stringify({ connecting: \`postgres://\${db.username}@\${db.host}\`, havePassword: db.password.length > 0 }))
`

function run(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // cwd is the repository, so the script finds @aws-sdk/* in its node_modules.
    const child = spawn(process.execPath, ['--input-type=module', '-e', APP], { cwd: path.resolve(import.meta.dirname, '../..'), env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', ...env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('no code change', { timeout: 120_000 }, () => {
  it('an app using @aws-sdk/client-secrets-manager fetches its database credentials with only AWS_ENDPOINT_URL set', async () => {
    // NODE_NO_WARNINGS: the SDK warns on stderr that its 2027 releases need Node 22.
    const r = await run({ NODE_NO_WARNINGS: '1', AWS_ENDPOINT_URL: t.url, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: t.admin.accessKeyId, AWS_SECRET_ACCESS_KEY: t.admin.secretAccessKey })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({ connecting: 'postgres://app@db.internal', havePassword: true })
  })
})
