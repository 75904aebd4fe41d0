/**
 * Secrets Manager over time and under load, through real clients: the recovery window driven by
 * the server's clock and the purge job, racing writers, no value at rest in the raw database,
 * and `aws secretsmanager` as a user runs it.
 */
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidRequestException,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  RestoreSecretCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { MS } from '../../src/core/index.ts'
import { awsCli, awsCliVersion, sdkError } from '../support/aws.ts'
import { containsValue, followClock, secretsClient, serverDatabaseBytes } from '../support/secrets.ts'
import { type TestServer, startTestServer } from '../support/server.ts'

let t: TestServer
let sm: SecretsManagerClient

beforeAll(async () => {
  t = await startTestServer()
  sm = secretsClient(t)
})
afterAll(async () => {
  sm?.destroy()
  await t?.stop()
})

describe('recovery window and purge', () => {
  // The SDK signs with the machine's time and re-syncs from each answer's Date header: sign every
  // request at the server's moved clock, and put the clock back for the tests that follow.
  const send: SecretsManagerClient['send'] = ((cmd: never) => {
    followClock(sm, t)
    return sm.send(cmd)
  }) as never
  afterEach(() => t.clock.set(Date.now()))

  it('delete, reads refused, restore, reads work', async () => {
    await send(new CreateSecretCommand({ Name: 'win/restore', SecretString: 'kept' }))
    await send(new DeleteSecretCommand({ SecretId: 'win/restore', RecoveryWindowInDays: 7 }))
    expect(await sdkError(send(new GetSecretValueCommand({ SecretId: 'win/restore' })))).toBeInstanceOf(InvalidRequestException)
    t.clock.advance(6 * MS.day)
    expect(await t.services.secrets.purgeDeletedSecrets(t.clock.now())).toBe(0)
    await send(new RestoreSecretCommand({ SecretId: 'win/restore' }))
    t.clock.advance(30 * MS.day)
    expect(await t.services.secrets.purgeDeletedSecrets(t.clock.now())).toBe(0)
    expect((await send(new GetSecretValueCommand({ SecretId: 'win/restore' }))).SecretString).toBe('kept')
  })

  it('delete, move the clock past the window, purged, name reusable', async () => {
    const first = await send(new CreateSecretCommand({ Name: 'win/purge', SecretString: 'old' }))
    await send(new PutSecretValueCommand({ SecretId: 'win/purge', SecretString: 'older' }))
    await send(new DeleteSecretCommand({ SecretId: 'win/purge' }))
    t.clock.advance(30 * MS.day - 1)
    expect(await t.services.secrets.purgeDeletedSecrets(t.clock.now())).toBe(0)
    expect(await sdkError(send(new CreateSecretCommand({ Name: 'win/purge', SecretString: 'new' })))).toBeInstanceOf(InvalidRequestException)
    t.clock.advance(1)
    expect(await t.services.secrets.purgeDeletedSecrets(t.clock.now())).toBe(1)
    expect(await sdkError(send(new DescribeSecretCommand({ SecretId: first.ARN })))).toBeInstanceOf(ResourceNotFoundException)
    const again = await send(new CreateSecretCommand({ Name: 'win/purge', SecretString: 'new' }))
    expect(again.ARN).not.toBe(first.ARN)
    expect((await send(new GetSecretValueCommand({ SecretId: 'win/purge' }))).SecretString).toBe('new')
    expect((await send(new ListSecretVersionIdsCommand({ SecretId: 'win/purge', IncludeDeprecated: true }))).Versions).toHaveLength(1)
    // the old version rows went with it
    const left = await t.services.db.db.selectFrom('secret_versions').select('version_id').where('version_id', '=', first.VersionId!).execute()
    expect(left).toEqual([])
  })
})

describe('racing writers', () => {
  it('concurrent PutSecretValue from two clients leaves exactly one AWSCURRENT and one AWSPREVIOUS', async () => {
    const other = secretsClient(t)
    try {
      await sm.send(new CreateSecretCommand({ Name: 'race', SecretString: 'v0' }))
      for (let round = 0; round < 5; round++) {
        const [a, b] = await Promise.all([
          sm.send(new PutSecretValueCommand({ SecretId: 'race', SecretString: `a${round}` })),
          other.send(new PutSecretValueCommand({ SecretId: 'race', SecretString: `b${round}` })),
        ])
        const d = await sm.send(new DescribeSecretCommand({ SecretId: 'race' }))
        const labels = Object.entries(d.VersionIdsToStages!).flatMap(([v, s]) => s.map((l) => [l, v] as const))
        expect(labels.filter(([l]) => l === 'AWSCURRENT')).toHaveLength(1)
        expect(labels.filter(([l]) => l === 'AWSPREVIOUS')).toHaveLength(1)
        // one of the two is current, the other is previous: the writes were serialised
        const current = labels.find(([l]) => l === 'AWSCURRENT')![1]
        const previous = labels.find(([l]) => l === 'AWSPREVIOUS')![1]
        expect(new Set([current, previous])).toEqual(new Set([a.VersionId, b.VersionId]))
      }
    } finally {
      other.destroy()
    }
  })

  it('racing label moves keep every label on at most one version', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'race/labels', SecretString: 'v0' }))
    const ids: string[] = []
    for (let i = 0; i < 4; i++) ids.push((await sm.send(new PutSecretValueCommand({ SecretId: 'race/labels', SecretString: `v${i + 1}`, VersionStages: [`s${i}`] }))).VersionId!)
    const attempts = ids.map((id) =>
      sm.send(new UpdateSecretVersionStageCommand({ SecretId: 'race/labels', VersionStage: 'blue', MoveToVersionId: id })).then(
        () => 'ok',
        (e: Error) => e.name,
      ),
    )
    const results = await Promise.all(attempts)
    // the first to commit attaches "blue"; the others find it elsewhere without RemoveFromVersionId
    expect(results.filter((r) => r === 'ok')).toHaveLength(1)
    expect(results.filter((r) => r === 'InvalidParameterException')).toHaveLength(3)
    const d = await sm.send(new DescribeSecretCommand({ SecretId: 'race/labels' }))
    expect(Object.values(d.VersionIdsToStages!).flat().filter((l) => l === 'blue')).toHaveLength(1)
  })

  it('the same ClientRequestToken sent twice at once creates one version', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'race/token', SecretString: 'v0' }))
    const token = 'tok-'.padEnd(40, 'x')
    const r = await Promise.all([0, 1, 2].map(() => sm.send(new PutSecretValueCommand({ SecretId: 'race/token', SecretString: 'same', ClientRequestToken: token }))))
    expect(r.every((x) => x.VersionId === token)).toBe(true)
    expect((await sm.send(new ListSecretVersionIdsCommand({ SecretId: 'race/token', IncludeDeprecated: true }))).Versions).toHaveLength(2)
  })
})

describe('at rest', () => {
  it('no secret value appears in the raw database', async () => {
    const values = ['plaintext-canary-7f3a9c1e', '{"username":"app","password":"canary-pw-b81d2f"}']
    const binary = new Uint8Array(Buffer.from('binary-canary-0c4e5a6b'))
    await sm.send(new CreateSecretCommand({ Name: 'rest/a', SecretString: values[0] }))
    await sm.send(new PutSecretValueCommand({ SecretId: 'rest/a', SecretString: values[1] }))
    await sm.send(new CreateSecretCommand({ Name: 'rest/b', SecretBinary: binary }))
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'rest/a' }))).SecretString).toBe(values[1])
    const bytes = await serverDatabaseBytes(t)
    expect(bytes.length).toBeGreaterThan(0)
    expect(containsValue(bytes, 'rest/a')).toBe(true) // the scan sees the database
    for (const v of [...values, 'canary-pw-b81d2f']) expect(containsValue(bytes, v), v).toBe(false)
    expect(containsValue(bytes, binary)).toBe(false)
  })
})

const version = awsCliVersion()
const required = Boolean(process.env.CI)

describe.skipIf(!version && !required)(`aws secretsmanager (${version ?? 'skipped: the aws CLI is not installed; CI requires it'})`, { timeout: 120_000 }, () => {
  async function aws(...args: string[]): Promise<Record<string, unknown>> {
    const r = await awsCli(t, ['secretsmanager', ...args, '--output', 'json'])
    if (r.code !== 0) throw new Error(`aws secretsmanager ${args.join(' ')} exited ${r.code}:\n${r.stderr}`)
    return r.stdout.trim() === '' ? {} : (JSON.parse(r.stdout) as Record<string, unknown>)
  }

  it('create, get, put, describe, list, delete, restore', async () => {
    const made = await aws('create-secret', '--name', 'cli/db', '--secret-string', '{"password":"from-cli"}', '--description', 'via cli')
    expect(made.Name).toBe('cli/db')
    expect((await aws('get-secret-value', '--secret-id', 'cli/db')).SecretString).toBe('{"password":"from-cli"}')
    const put = await aws('put-secret-value', '--secret-id', made.ARN as string, '--secret-string', 'second')
    expect(put.VersionStages).toEqual(['AWSCURRENT'])
    expect((await aws('get-secret-value', '--secret-id', 'cli/db', '--version-stage', 'AWSPREVIOUS')).SecretString).toBe('{"password":"from-cli"}')
    const d = await aws('describe-secret', '--secret-id', 'cli/db')
    expect(d).toMatchObject({ Name: 'cli/db', Description: 'via cli', RotationEnabled: false })
    expect(Object.keys(d.VersionIdsToStages as object)).toHaveLength(2)
    const list = await aws('list-secrets', '--filters', 'Key=name,Values=cli/')
    expect((list.SecretList as { Name: string }[]).map((s) => s.Name)).toEqual(['cli/db'])
    const del = await aws('delete-secret', '--secret-id', 'cli/db', '--recovery-window-in-days', '7')
    expect(del.Name).toBe('cli/db')
    const refused = await awsCli(t, ['secretsmanager', 'get-secret-value', '--secret-id', 'cli/db'])
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toContain('InvalidRequestException')
    await aws('restore-secret', '--secret-id', 'cli/db')
    expect((await aws('get-secret-value', '--secret-id', 'cli/db')).SecretString).toBe('second')
  })
})
