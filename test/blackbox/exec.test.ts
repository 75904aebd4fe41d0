import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createArcaClient, RestClient } from '../../src/client/index.ts'
import { arca } from '../support/cli.ts'
import { startArca } from '../support/spawn-arca.ts'
import { type TestServer, TEST_ACCOUNT, startTestServer } from '../support/server.ts'

const SLOW = { timeout: 180_000 }
/** A child that prints its whole environment as JSON. */
const PRINT_ENV = ['node', '-e', 'process.stdout.write(JSON.stringify(process.env))']

let t: TestServer
let base: Record<string, string>
let ciphertext: string
beforeAll(async () => {
  t = await startTestServer()
  base = { ARCA_ENDPOINT: t.url, AWS_ACCESS_KEY_ID: t.admin.accessKeyId, AWS_SECRET_ACCESS_KEY: t.admin.secretAccessKey }
  const rest = new RestClient({ endpoint: t.url, auth: { kind: 'sigv4', credentials: t.admin, region: 'us-east-1' } })
  await rest.request('PUT', '/v1/parameters/svc/prod/db/url', { value: 'postgres://db:5432/svc', type: 'String' })
  await rest.request('PUT', '/v1/parameters/svc/prod/api-key', { value: 'k-secure', type: 'SecureString' })
  await rest.request('PUT', '/v1/parameters/svc/prod/feature.flags', { value: 'a,b', type: 'StringList' })
  await rest.request('PUT', '/v1/parameters/svc/common/log-level', { value: 'info', type: 'String' })
  await rest.request('PUT', '/v1/parameters/svc/common/api-key', { value: 'overridden', type: 'String' })
  await rest.request('POST', '/v1/secrets', { name: 'svc/db', value: JSON.stringify({ username: 'svc', password: 'pw-1', port: 5432 }) })
  await rest.request('POST', '/v1/secrets', { name: 'svc/stripe-key', value: 'sk_live_1' })
  const client = createArcaClient({ endpoint: t.url, credentials: t.admin, env: {} })
  const key = (await (await import('../../src/client/index.ts')).awsJson<{ KeyMetadata: { KeyId: string } }>(client, 'kms', 'CreateKey', {})).KeyMetadata.KeyId
  ciphertext = (await client.encrypt(key, 'decrypted-by-arca')).ciphertext
})
afterAll(async () => {
  await t.stop()
})

async function childEnv(args: string[], env: Record<string, string> = {}) {
  const r = await arca(['exec', ...args, '--', ...PRINT_ENV], { ...base, ...env })
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`)
  return JSON.parse(r.stdout) as Record<string, string>
}

describe('arca exec', SLOW, () => {
  it('gives the command exactly the starting environment plus the loaded variables', async () => {
    const env = await childEnv(['--path', '/svc/common', '--path', '/svc/prod', '--secret', 'svc/db', '--secret', 'svc/stripe-key'])
    expect(env).toEqual({
      PATH: process.env.PATH,
      HOME: '/nonexistent',
      ...base,
      LOG_LEVEL: 'info',
      API_KEY: 'k-secure', // the later --path wins
      DB_URL: 'postgres://db:5432/svc',
      FEATURE_FLAGS: 'a,b',
      USERNAME: 'svc',
      PASSWORD: 'pw-1',
      PORT: '5432',
      STRIPE_KEY: 'sk_live_1',
    })
  })

  it('applies --prefix and --map', async () => {
    const env = await childEnv(['--path', '/svc/prod', '--prefix', 'APP_', '--map', 'DATABASE=/svc/prod/db/url', '--map', 'DB_PASS=arca:secret:svc/db#password'])
    expect(Object.keys(env).filter((k) => !(k in base) && k !== 'PATH' && k !== 'HOME').sort()).toEqual(['APP_API_KEY', 'APP_DB_URL', 'APP_FEATURE_FLAGS', 'DATABASE', 'DB_PASS'])
    expect(env.DATABASE).toBe('postgres://db:5432/svc')
    expect(env.DB_PASS).toBe('pw-1')
  })

  it('decrypts arca:kms values and resolves references in the starting environment', async () => {
    const env = await childEnv([], {
      ENCRYPTED: `arca:kms:${ciphertext}`,
      A: 'arca:ssm:/svc/prod/api-key',
      B: 'arca:secret:svc/db#password',
      C: 'arca:secret:svc/stripe-key@AWSCURRENT',
      D: '{{resolve:ssm:/svc/prod/db/url}}',
      E: '{{resolve:secretsmanager:svc/db:SecretString:username}}',
      F: 'jdbc:{{resolve:ssm:/svc/common/log-level}}/{{resolve:secretsmanager:svc/db:SecretString:port}}',
      PLAIN: 'arca is not a reference',
    })
    expect(env).toMatchObject({ ENCRYPTED: 'decrypted-by-arca', A: 'k-secure', B: 'pw-1', C: 'sk_live_1', D: 'postgres://db:5432/svc', E: 'svc', F: 'jdbc:info/5432', PLAIN: 'arca is not a reference' })
  })

  it('refuses to start when a reference is denied or missing, unless --allow-missing', async () => {
    await t.services.identity.createPrincipal('user', { name: 'exec-limited', account: TEST_ACCOUNT })
    await t.services.identity.putPolicy('user', TEST_ACCOUNT, 'exec-limited', 'params', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ssm:GetParameter*', Resource: '*' }] }))
    const key = await t.services.identity.createAccessKey('user', TEST_ACCOUNT, 'exec-limited')
    const limited = { ARCA_ENDPOINT: t.url, AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey }
    const marker = ['node', '-e', 'console.log("CHILD RAN", JSON.stringify({ A: process.env.A, S: process.env.S }))']

    const denied = await arca(['exec', '--', ...marker], { ...limited, A: 'arca:ssm:/svc/prod/db/url', S: 'arca:secret:svc/db#password' })
    expect(denied.code).toBe(4)
    expect(denied.stdout).toBe('')
    expect(denied.stderr.trim().split('\n')).toHaveLength(1)
    expect(denied.stderr).toMatch(/^arca: cannot resolve S \(secret svc\/db#password\): .*exec-limited.*secretsmanager:GetSecretValue/)
    expect(denied.stderr).not.toContain('pw-1')

    const missing = await arca(['exec', '--', ...marker], { ...base, A: 'arca:ssm:/svc/nope' })
    expect(missing.code).toBe(3)
    expect(missing.stderr).toMatch(/^arca: cannot resolve A \(parameter \/svc\/nope\)/)

    const allowed = await arca(['exec', '--allow-missing', '--', ...marker], { ...limited, A: 'arca:ssm:/svc/prod/db/url', S: 'arca:secret:svc/db#password' })
    expect(allowed.code).toBe(0)
    expect(allowed.stdout).toBe('CHILD RAN {"A":"postgres://db:5432/svc"}\n')
    expect(allowed.stderr).toMatch(/cannot resolve S .*left unset \(--allow-missing\)/)
  })

  it('passes stdin, stdout, stderr and the exit code through', async () => {
    const r = await arca(['exec', '--path', '/svc/prod', '--', 'node', '-e', 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{process.stdout.write(s.toUpperCase()+process.env.DB_URL);process.stderr.write("to stderr");process.exit(7)})'], base, 'piped input ')
    expect(r).toEqual({ code: 7, stdout: 'PIPED INPUT postgres://db:5432/svc', stderr: 'to stderr' })
    expect((await arca(['exec', '--', 'no-such-command-xyz'], base)).code).toBe(127)
    expect((await arca(['exec', '--path', '/svc/prod'], base)).code).toBe(2)
  })

  it('forwards signals to the command, and dies of the signal that killed the command', async () => {
    const handles = startArca(['exec', '--', 'node', '-e', 'process.on("SIGTERM",()=>{console.log("child got SIGTERM");process.exit(0)});console.log("ready");setInterval(()=>{},1000)'], base)
    await handles.waitFor((o) => o.includes('ready'))
    handles.child.kill('SIGTERM')
    expect(await handles.exited).toEqual({ code: 0, signal: null })
    expect(handles.stdout()).toBe('ready\nchild got SIGTERM\n')

    const dies = startArca(['exec', '--', 'node', '-e', 'console.log("ready");setInterval(()=>{},1000)'], base)
    await dies.waitFor((o) => o.includes('ready'))
    dies.child.kill('SIGINT')
    expect(await dies.exited).toEqual({ code: null, signal: 'SIGINT' })
  })
})
