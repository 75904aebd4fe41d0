import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { arca } from '../support/cli.ts'
import { type TestServer, TEST_ACCOUNT, startTestServer } from '../support/server.ts'

// Each test runs the real CLI several times (a process start each): generous on a busy machine.
const SLOW = { timeout: 180_000 }

let t: TestServer
let env: Record<string, string>
let dir: string
beforeAll(async () => {
  t = await startTestServer()
  env = { ARCA_ENDPOINT: t.url, AWS_ACCESS_KEY_ID: t.admin.accessKeyId, AWS_SECRET_ACCESS_KEY: t.admin.secretAccessKey }
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arca-cli-'))
})
afterAll(async () => {
  await t.stop()
  fs.rmSync(dir, { recursive: true, force: true })
})

/** A port nothing listens on: bound once by us, then closed. */
async function closedPort(): Promise<number> {
  const srv = net.createServer()
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()))
  const port = (srv.address() as net.AddressInfo).port
  await new Promise<void>((r) => srv.close(() => r()))
  return port
}

const ok = async (args: string[], input?: string, extra: Record<string, string> = {}) => {
  const r = await arca(args, { ...env, ...extra }, input)
  if (r.code !== 0) throw new Error(`arca ${args.join(' ')} exited ${r.code}: ${r.stderr}`)
  return r.stdout
}

describe('arca get / put / ls / history / rm', SLOW, () => {
  it('writes and reads parameters (SecureString by default) and secrets', async () => {
    expect(await ok(['put', '/cli/app/db-url', 'postgres://h/db'])).toBe('/cli/app/db-url: version 1\n')
    await ok(['put', '/cli/app/db-url', '-'], 'postgres://h2/db\n')
    await ok(['put', '/cli/app/mode', 'fast', '--type', 'String'])
    expect(await ok(['get', '/cli/app/db-url'])).toBe('postgres://h2/db\n')
    expect(await ok(['get', '/cli/app/db-url', '--version', '1'])).toBe('postgres://h/db\n')
    const rec = JSON.parse(await ok(['get', '/cli/app/db-url', '--output', 'json']))
    expect(rec).toMatchObject({ name: '/cli/app/db-url', type: 'SecureString', version: 2, value: 'postgres://h2/db' })

    expect(await ok(['put', 'cli/db', JSON.stringify({ username: 'u', password: 'p@ss' })])).toMatch(/^cli\/db: version /)
    expect(JSON.parse(await ok(['get', 'cli/db']))).toEqual({ username: 'u', password: 'p@ss' })
    expect(await ok(['get', 'cli/db', '--json-key', 'password'])).toBe('p@ss\n')
    await ok(['put', 'cli/db', JSON.stringify({ username: 'u', password: 'new' })])
    expect(await ok(['get', 'cli/db', '--stage', 'AWSPREVIOUS', '--json-key', 'password'])).toBe('p@ss\n')
    expect(await ok(['get', 'arca:secret:cli/db#password'])).toBe('new\n')
    expect(await ok(['get', '{{resolve:ssm:/cli/app/mode}}'])).toBe('fast\n')
  })

  it('lists names, types and versions but never values', async () => {
    const human = await ok(['ls', '/cli/app'])
    expect(human).toMatch(/^NAME\s+TYPE\s+VERSION\s+MODIFIED\n/)
    expect(human).toMatch(/\/cli\/app\/db-url\s+SecureString\s+2\s/)
    expect(human).not.toContain('postgres')
    const listed = JSON.parse(await ok(['ls', '/cli', '-r', '--output', 'json']))
    expect(listed.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['/cli/app/db-url', '/cli/app/mode'])
    expect(JSON.stringify(listed)).not.toContain('postgres')
    expect(JSON.parse(await ok(['ls', '/cli', '--output', 'json'])).parameters).toEqual([])
    const secrets = JSON.parse(await ok(['ls', 'cli/', '--output', 'json']))
    expect(secrets.secrets.map((s: { name: string }) => s.name)).toEqual(['cli/db'])
  })

  it('shows history without values, and removes', async () => {
    const h = JSON.parse(await ok(['history', '/cli/app/db-url', '--output', 'json']))
    expect(h.versions.map((v: { version: number }) => v.version)).toEqual([1, 2])
    expect(JSON.stringify(h)).not.toContain('postgres')
    expect(await ok(['history', 'cli/db'])).toMatch(/AWSCURRENT/)
    expect(await ok(['rm', '/cli/app/mode'])).toBe('deleted /cli/app/mode\n')
    const gone = await arca(['get', '/cli/app/mode'], env)
    expect(gone.code).toBe(3)
    expect(gone.stderr).toBe('arca: not found: parameter /cli/app/mode\n')
    expect(await ok(['rm', 'cli/db'])).toMatch(/^cli\/db will be deleted at /)
  })
})

describe('arca import / export / diff', SLOW, () => {
  it('imports a .env file, skips unchanged values, and exports it back in three formats', async () => {
    const file = path.join(dir, 'prod.env')
    fs.writeFileSync(file, ['# comment', 'DB_URL=postgres://prod/db', 'export API_KEY="k \\"quoted\\" value"', "SINGLE='a b # not a comment'", 'PLAIN=x # comment', ''].join('\n'))
    expect(await ok(['import', file, '--path', '/imp/prod'])).toBe('imported 4 entries into /imp/prod: 4 created, 0 updated, 0 unchanged\n')
    fs.appendFileSync(file, 'PLAIN=y\n')
    expect(await ok(['import', file, '--path', '/imp/prod'])).toBe('imported 4 entries into /imp/prod: 0 created, 1 updated, 3 unchanged\n')
    expect(JSON.parse(await ok(['get', '/imp/prod/API_KEY', '--output', 'json']))).toMatchObject({ type: 'SecureString', value: 'k "quoted" value' })

    const dotenv = await ok(['export', '--path', '/imp/prod'])
    expect(dotenv.split('\n').sort().join('\n')).toBe(['', 'API_KEY="k \\"quoted\\" value"', 'DB_URL="postgres://prod/db"', 'PLAIN="y"', 'SINGLE="a b # not a comment"'].join('\n'))
    const back = path.join(dir, 'back.env')
    expect((await arca(['export', '--path', '/imp/prod', '--out', back], env)).stderr).toBe(`arca: exported 4 parameters from /imp/prod to ${back}\n`)
    expect(fs.statSync(back).mode & 0o777).toBe(0o600)
    expect(await ok(['import', back, '--path', '/imp/prod'])).toMatch(/0 created, 0 updated, 4 unchanged/)

    expect(JSON.parse(await ok(['export', '--path', '/imp/prod', '--format', 'json']))).toEqual({ API_KEY: 'k "quoted" value', DB_URL: 'postgres://prod/db', PLAIN: 'y', SINGLE: 'a b # not a comment' })
    expect(await ok(['export', '--path', '/imp/prod', '--format', 'shell'])).toContain(`export API_KEY='k "quoted" value'`)
  })

  it('imports nested JSON as path segments', async () => {
    const file = path.join(dir, 'staging.json')
    fs.writeFileSync(file, JSON.stringify({ DB_URL: 'postgres://staging/db', API_KEY: 'k "quoted" value', DEBUG: true, feature: { flags: 'a,b' } }))
    const r = JSON.parse(await ok(['import', file, '--path', '/imp/staging', '--output', 'json']))
    expect(r.created.sort()).toEqual(['/imp/staging/API_KEY', '/imp/staging/DB_URL', '/imp/staging/DEBUG', '/imp/staging/feature/flags'])
    expect(await ok(['get', '/imp/staging/DEBUG'])).toBe('true\n')
    expect(await ok(['get', '/imp/staging/feature/flags'])).toBe('a,b\n')
  })

  it('diffs two paths, naming changed keys without their values', async () => {
    const human = await ok(['diff', '/imp/staging', '/imp/prod'])
    expect(human).toBe(
      [
        '- DEBUG  (only in /imp/staging)',
        '- feature/flags  (only in /imp/staging)',
        '+ PLAIN  (only in /imp/prod)',
        '+ SINGLE  (only in /imp/prod)',
        '~ DB_URL  (changed)',
        '5 differences: 2 only in /imp/staging, 2 only in /imp/prod, 1 changed; 1 the same',
        '',
      ].join('\n'),
    )
    expect(human).not.toContain('postgres')
    const j = JSON.parse(await ok(['diff', '/imp/staging', '/imp/prod', '--output', 'json']))
    expect(j).toEqual({ a: '/imp/staging', b: '/imp/prod', onlyInA: ['DEBUG', 'feature/flags'], onlyInB: ['PLAIN', 'SINGLE'], changed: ['DB_URL'], same: 1 })
  })
})

describe('arca keys / encrypt / decrypt', SLOW, () => {
  it('creates, lists, describes and rotates a key; encrypt output decrypts, also as an arca:kms reference', async () => {
    const created = JSON.parse(await ok(['keys', 'create', '--description', 'env values', '--alias', 'alias/cli-env', '--output', 'json']))
    expect(created.KeyId).toMatch(/^[0-9a-f-]{36}$/)
    expect(await ok(['keys', 'list'])).toMatch(new RegExp(`${created.KeyId}\\s+alias/cli-env`))
    expect(await ok(['keys', 'describe', 'alias/cli-env'])).toMatch(/State\s+Enabled/)
    expect(await ok(['keys', 'rotate', created.KeyId])).toMatch(/rotation of .* started/)

    const ref = (await ok(['encrypt', '--key', 'alias/cli-env', 's3cret value'])).trim()
    expect(ref).toMatch(/^arca:kms:[A-Za-z0-9+/]+=*$/)
    expect(await ok(['decrypt', ref])).toBe('s3cret value')
    expect(await ok(['decrypt', '-'], ref.slice('arca:kms:'.length))).toBe('s3cret value')
    expect(await ok(['get', ref])).toBe('s3cret value\n')
    const raw = (await ok(['encrypt', '--key', 'alias/cli-env', '--raw', '-'], 'piped')).trim()
    expect(await ok(['decrypt', raw])).toBe('piped')
  })

  it('explains a KMS call made with only a token', async () => {
    const r = await arca(['keys', 'list'], { ARCA_ENDPOINT: t.url, ARCA_TOKEN: 'x' })
    expect(r.code).toBe(4)
    expect(r.stderr).toMatch(/^arca: kms ListKeys needs AWS-style credentials/)
  })
})

describe('arca configure and errors', SLOW, () => {
  it('writes a profile (mode 0600, other profiles kept) that later commands use, endpoint included', async () => {
    const home = fs.mkdtempSync(path.join(dir, 'home-'))
    const creds = path.join(home, '.aws', 'credentials')
    fs.mkdirSync(path.dirname(creds))
    fs.writeFileSync(creds, '# mine\n[other]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = x\n')
    const r = await arca(['configure', '--profile', 'arca-test', '--region', 'us-east-1'], { HOME: home }, `${t.admin.accessKeyId}\n${t.admin.secretAccessKey}\n${t.url}\n`)
    expect(r.stderr).toBe('')
    expect(r.stdout).toContain(`saved profile 'arca-test' in ${creds} (mode 0600)`)
    expect(fs.statSync(creds).mode & 0o777).toBe(0o600)
    const text = fs.readFileSync(creds, 'utf8')
    expect(text).toContain('# mine\n[other]\naws_access_key_id = AKIAOTHER')
    expect(text).toContain(`[arca-test]\naws_access_key_id = ${t.admin.accessKeyId}\naws_secret_access_key = ${t.admin.secretAccessKey}\nregion = us-east-1\narca_endpoint = ${t.url}\n`)
    const who = await arca(['ls', '/', '--profile', 'arca-test'], { HOME: home })
    expect(who.code).toBe(0)
    await arca(['configure', '--profile', 'arca-test', '--access-key-id', 'AKIANEW', '--secret-access-key', 'y', '--region', 'eu-west-1', '--endpoint', t.url], { HOME: home })
    const after = fs.readFileSync(creds, 'utf8')
    expect(after.match(/\[arca-test\]/g)).toHaveLength(1)
    expect(after).toContain('aws_access_key_id = AKIANEW')
    expect(after).toContain('region = eu-west-1')
  })

  it('says what to fix in one line, with the documented exit codes', async () => {
    await t.services.identity.createPrincipal('user', { name: 'cli-reader', account: TEST_ACCOUNT })
    const key = await t.services.identity.createAccessKey('user', TEST_ACCOUNT, 'cli-reader')
    await ok(['put', '/cli/locked', 'v'])
    const denied = await arca(['get', '/cli/locked'], { ARCA_ENDPOINT: t.url, AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey })
    expect(denied.code).toBe(4)
    expect(denied.stderr.trim().split('\n')).toHaveLength(1)
    expect(denied.stderr).toMatch(/^arca: .*ssm:GetParameter.*\/cli\/locked.*access denied/)

    const badCreds = await arca(['get', '/cli/locked'], { ...env, AWS_SECRET_ACCESS_KEY: 'wrong' })
    expect(badCreds.code).toBe(4)
    expect(badCreds.stderr).toMatch(/^arca: .*signature.*bad credentials: check/i)

    const closed = await closedPort()
    const down = await arca(['get', '/cli/locked'], { ...env, ARCA_ENDPOINT: `http://127.0.0.1:${closed}` })
    expect(down.code).toBe(5)
    expect(down.stderr).toBe(`arca: cannot reach Arca at http://127.0.0.1:${closed} (ECONNREFUSED); is the server running, and is --endpoint / ARCA_ENDPOINT right?\n`)

    const missing = await arca(['get', 'no-such-thing'], env)
    expect(missing.code).toBe(3)
    expect(missing.stderr).toBe('arca: not found: no secret or parameter named no-such-thing\n')

    expect((await arca(['get'], env)).code).toBe(2)
    expect((await arca(['ls', '--bogus'], env)).code).toBe(2)
    expect((await arca(['export', '--path', '/x', '--format', 'yaml'], env)).code).toBe(2)
    const debug = await arca(['get', '/cli/nope', '--debug'], env)
    expect(debug.stderr).toMatch(/ArcaError: not found[\s\S]*at /)
  })
})
