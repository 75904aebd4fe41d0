/**
 * `aws ssm …` as a user runs it against Arca: only --endpoint-url and credentials in the
 * environment (see test/support/aws.ts). Put, get, get-parameters-by-path --recursive with paging,
 * labels, history, describe, delete, and an error's exit status and code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { awsCli, awsCliVersion } from '../support/aws.ts'
import { type TestServer, startTestServer } from '../support/server.ts'

const version = awsCliVersion()
const required = Boolean(process.env.CI)
let t: TestServer

async function aws(...args: string[]): Promise<Record<string, any>> {
  const r = await awsCli(t, ['ssm', ...args, '--output', 'json'])
  if (r.code !== 0) throw new Error(`aws ssm ${args.join(' ')} exited ${r.code}:\n${r.stderr}`)
  return r.stdout.trim() === '' ? {} : (JSON.parse(r.stdout) as Record<string, any>)
}

// Each CLI run starts a Python process (about a second, more on a busy machine).
describe.skipIf(!version && !required)(`aws ssm (${version ?? 'skipped: the aws CLI is not installed; CI requires it'})`, { timeout: 120_000 }, () => {
  beforeAll(async () => {
    t = await startTestServer()
  })
  afterAll(async () => {
    await t?.stop()
  })

  it('the aws CLI is installed (CI installs it)', () => {
    expect(version, 'aws --version failed: install the AWS CLI').toBeTruthy()
  })

  it('put-parameter, get-parameter (with decryption, selectors), label, history', async () => {
    expect(await aws('put-parameter', '--name', '/cli/db/user', '--value', 'app_user', '--type', 'String')).toEqual({ Version: 1, Tier: 'Standard' })
    expect((await aws('put-parameter', '--name', '/cli/db/user', '--value', 'app_user2', '--overwrite')).Version).toBe(2)
    await aws('put-parameter', '--name', '/cli/db/pass', '--value', 'pa55word', '--type', 'SecureString', '--description', 'db password')
    expect((await aws('get-parameter', '--name', '/cli/db/user')).Parameter).toMatchObject({ Name: '/cli/db/user', Value: 'app_user2', Version: 2, Type: 'String' })
    expect((await aws('get-parameter', '--name', '/cli/db/pass')).Parameter.Value).not.toContain('pa55word')
    expect((await aws('get-parameter', '--name', '/cli/db/pass', '--with-decryption')).Parameter.Value).toBe('pa55word')
    expect(await aws('label-parameter-version', '--name', '/cli/db/user', '--parameter-version', '1', '--labels', 'golden')).toMatchObject({ ParameterVersion: 1, InvalidLabels: [] })
    expect((await aws('get-parameter', '--name', '/cli/db/user:golden')).Parameter).toMatchObject({ Value: 'app_user', Selector: ':golden' })
    const history = await aws('get-parameter-history', '--name', '/cli/db/user')
    expect(history.Parameters.map((p: { Version: number; Value: string; Labels: string[] }) => [p.Version, p.Value, p.Labels])).toEqual([
      [1, 'app_user', ['golden']],
      [2, 'app_user2', []],
    ])
    expect(history.Parameters[0].LastModifiedDate).toBeDefined()
  })

  it('get-parameters-by-path --recursive follows NextToken across small pages', async () => {
    for (let i = 0; i < 7; i++) await aws('put-parameter', '--name', `/cli/tree/n${i}`, '--value', `v${i}`, '--type', 'String')
    await aws('put-parameter', '--name', '/cli/tree/deep/leaf', '--value', 'leaf', '--type', 'String')
    const all = await aws('get-parameters-by-path', '--path', '/cli/tree', '--recursive', '--page-size', '3')
    expect(all.Parameters.map((p: { Name: string }) => p.Name)).toEqual(['/cli/tree/deep/leaf', ...Array.from({ length: 7 }, (_, i) => `/cli/tree/n${i}`)])
    const one = await aws('get-parameters-by-path', '--path', '/cli/tree/')
    expect(one.Parameters).toHaveLength(7)
    const described = await aws('describe-parameters', '--parameter-filters', 'Key=Path,Option=Recursive,Values=/cli/tree')
    expect(described.Parameters).toHaveLength(8)
  })

  it('delete-parameter, and an error exits non-zero with the AWS code', async () => {
    await aws('delete-parameter', '--name', '/cli/tree/n0')
    const r = await awsCli(t, ['ssm', 'get-parameter', '--name', '/cli/tree/n0'])
    expect(r.code).not.toBe(0)
    expect(r.stderr).toContain('ParameterNotFound')
  })
})
