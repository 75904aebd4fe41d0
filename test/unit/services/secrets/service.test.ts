/**
 * The secrets service on the test database (SQLite or PostgreSQL) with the real KMS core:
 * authorization questions asked, events written in the change's transaction without values,
 * blobs bound to their row, LastAccessedDate granularity, version pruning and the purge job.
 */
import type { Kysely } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ArcaError, MS } from '../../../../src/core/index.ts'
import type { Caller } from '../../../../src/kms/index.ts'
import { type Secrets, createSecrets } from '../../../../src/services/secrets/index.ts'
import type { Authorize, OutboundEvent } from '../../../../src/services/shared/index.ts'
import type { Schema } from '../../../../src/store/index.ts'
import { rawDatabaseBytes } from '../../../support/db.ts'
import { type KmsHarness, OTHER_ACCOUNT, REGION, caller, createKmsHarness } from '../../../support/kms-core.ts'

let h: KmsHarness
let secrets: Secrets
let asked: { action: string; resource: string; resourcePolicy?: string; conditions?: Record<string, unknown> }[]
let events: OutboundEvent[]
let deny: Set<string>

const authorize: Authorize = async (c, action, resource, extra) => {
  asked.push({ action, resource, ...extra })
  if (deny.has(action) || (resource !== '*' && !resource.includes(`:${c.account}:`))) throw new ArcaError('AccessDenied', `denied ${action}`)
}

beforeEach(async () => {
  h = await createKmsHarness()
  asked = []
  events = []
  deny = new Set()
  secrets = createSecrets({
    db: h.db.db,
    kms: h.kms,
    clock: h.clock,
    authorize,
    events: {
      async record(tx: Kysely<Schema>, e) {
        // written inside the change's transaction: the row it describes is visible to it
        const n = await tx.selectFrom('secrets').select('id').execute()
        expect(Array.isArray(n)).toBe(true)
        events.push(e)
      },
    },
  })
})
afterEach(async () => {
  await h.dispose()
})

const err = async (p: Promise<unknown>) => p.then(() => undefined, (e: ArcaError) => e)

describe('authorization and events', () => {
  it('asks secretsmanager:<Action> on the secret ARN with its resource policy and tags; events name the change, never the value', async () => {
    const made = await secrets.createSecret(caller, { name: 'app/x', secretString: 'event-canary', tags: [{ key: 'env', value: 'prod' }] })
    await secrets.putResourcePolicy(caller, { secretId: 'app/x', resourcePolicy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222222222222:root' }, Action: 'secretsmanager:*', Resource: '*' }] }) })
    asked = []
    await secrets.getSecretValue(caller, { secretId: 'app/x' })
    expect(asked).toEqual([
      expect.objectContaining({
        action: 'secretsmanager:GetSecretValue',
        resource: made.arn,
        resourcePolicy: expect.stringContaining('222222222222'),
        conditions: expect.objectContaining({ 'secretsmanager:SecretId': made.arn, 'secretsmanager:VersionStage': 'AWSCURRENT', 'aws:ResourceTag/env': 'prod', 'secretsmanager:ResourceTag/env': 'prod' }),
      }),
    ])
    await secrets.putSecretValue(caller, { secretId: 'app/x', secretString: 'event-canary-2' })
    await secrets.deleteSecret(caller, { secretId: 'app/x' })
    await secrets.restoreSecret(caller, { secretId: 'app/x' })
    expect(events.map((e) => e.detail.operation)).toEqual(['CreateSecret', 'PutResourcePolicy', 'PutSecretValue', 'DeleteSecret', 'RestoreSecret'])
    for (const e of events) {
      expect(e).toMatchObject({ source: 'aws.secretsmanager', detailType: 'Secrets Manager Secret Change', account: caller.account, region: REGION, resources: [made.arn] })
      expect(JSON.stringify(e)).not.toContain('event-canary')
    }
    expect(events[2]!.detail).toMatchObject({ versionStages: ['AWSCURRENT'] })
  })

  it('a refusal writes nothing', async () => {
    deny.add('secretsmanager:PutSecretValue')
    await secrets.createSecret(caller, { name: 'app/y', secretString: 'a' })
    expect((await err(secrets.putSecretValue(caller, { secretId: 'app/y', secretString: 'b' })))?.code).toBe('AccessDenied')
    const versions = await h.db.db.selectFrom('secret_versions').selectAll().execute()
    expect(versions).toHaveLength(1)
    expect(events).toHaveLength(1)
  })

  it('another account reaches a secret only by ARN and only when authorization allows', async () => {
    const made = await secrets.createSecret(caller, { name: 'shared', secretString: 'v' })
    const other: Caller = { account: OTHER_ACCOUNT, principalArn: `arn:aws:iam::${OTHER_ACCOUNT}:root`, region: REGION }
    expect((await err(secrets.getSecretValue(other, { secretId: 'shared' })))?.code).toBe('NotFound')
    expect((await err(secrets.getSecretValue(other, { secretId: made.arn })))?.code).toBe('AccessDenied')
  })
})

describe('encryption at rest', () => {
  it('each version has its own data key under the default key, bound to ARN and version: a blob moved to another row fails', async () => {
    await secrets.createSecret(caller, { name: 'a', secretString: 'value-of-a' })
    await secrets.createSecret(caller, { name: 'b', secretString: 'value-of-b' })
    await secrets.putSecretValue(caller, { secretId: 'a', secretString: 'value-of-a2' })
    const rows = await h.db.db.selectFrom('secret_versions as v').innerJoin('secrets as s', 's.id', 'v.secret_id').select(['s.name', 'v.version_id', 'v.data_key', 'v.value', 'v.default_key']).execute()
    expect(rows).toHaveLength(3)
    expect(new Set(rows.map((r) => Buffer.from(r.data_key!).toString('hex'))).size).toBe(3)
    expect(rows.every((r) => r.default_key === 1)).toBe(true)
    const a = rows.find((r) => r.name === 'a')!
    const b = rows.find((r) => r.name === 'b')!
    await h.db.db.updateTable('secret_versions').set({ data_key: a.data_key, value: a.value }).where('version_id', '=', b.version_id).execute()
    expect((await err(secrets.getSecretValue(caller, { secretId: 'b' })))?.code).toBe('DecryptionFailure')
    const bytes = await rawDatabaseBytes(h.db)
    for (const v of ['value-of-a', 'value-of-b', 'value-of-a2']) expect(bytes.includes(Buffer.from(v))).toBe(false)
  })
})

describe('labels', () => {
  it('a version holds at most 20 staging labels (InvalidRequestException on the AWS face)', async () => {
    await secrets.createSecret(caller, { name: 'l', secretString: 'v' })
    const stages = Array.from({ length: 19 }, (_, i) => `s${i}`)
    const v = await secrets.putSecretValue(caller, { secretId: 'l', secretString: 'w', versionStages: ['AWSCURRENT', ...stages] })
    expect(v.versionStages).toHaveLength(20)
    const e = await err(secrets.updateSecretVersionStage(caller, { secretId: 'l', versionStage: 'one-too-many', moveToVersionId: v.versionId }))
    expect(e?.code).toBe('VersionLabelLimitExceeded')
    expect((await secrets.describeSecret(caller, { secretId: 'l' })).versionIdsToStages![v.versionId]).toHaveLength(20)
  })
})

describe('time', () => {
  it('LastAccessedDate is the start of the UTC day and written once a day', async () => {
    h.clock.set(Date.UTC(2026, 2, 3, 15, 30))
    await secrets.createSecret(caller, { name: 't', secretString: 'v' })
    await secrets.getSecretValue(caller, { secretId: 't' })
    const d1 = await secrets.describeSecret(caller, { secretId: 't' })
    expect(d1.lastAccessedDate).toBe(Date.UTC(2026, 2, 3))
    h.clock.advance(MS.day)
    await secrets.getSecretValue(caller, { secretId: 't' })
    expect((await secrets.describeSecret(caller, { secretId: 't' })).lastAccessedDate).toBe(Date.UTC(2026, 2, 4))
    const v = await secrets.listSecretVersionIds(caller, { secretId: 't' })
    expect(v.versions[0]!.lastAccessedDate).toBe(Date.UTC(2026, 2, 4))
  })

  it('prunes unlabelled versions beyond 100 but never one younger than 24 hours', async () => {
    await secrets.createSecret(caller, { name: 'many', secretString: 'v0' })
    for (let i = 1; i <= 104; i++) await secrets.putSecretValue(caller, { secretId: 'many', secretString: `v${i}` })
    const count = async () => (await secrets.listSecretVersionIds(caller, { secretId: 'many', includeDeprecated: true })).versions.length
    expect(await count()).toBe(100) // a page
    const all = await h.db.db.selectFrom('secret_versions').select('version_id').execute()
    expect(all).toHaveLength(105) // all younger than 24 h: none pruned
    h.clock.advance(25 * MS.hour)
    const last = await secrets.putSecretValue(caller, { secretId: 'many', secretString: 'v105' })
    const left = await h.db.db.selectFrom('secret_versions').select(['version_id', 'stages']).execute()
    expect(left).toHaveLength(100)
    expect(left.find((r) => r.version_id === last.versionId)?.stages).toBe('["AWSCURRENT"]')
    expect(events.at(-1)!.detail.prunedVersionIds).toHaveLength(6)
    expect((await secrets.getSecretValue(caller, { secretId: 'many', versionStage: 'AWSPREVIOUS' })).secretString).toBe('v104')
  })

  it('purgeDeletedSecrets removes secrets whose window ended, with their versions; a restore before wins', async () => {
    await secrets.createSecret(caller, { name: 'p1', secretString: 'v' })
    await secrets.createSecret(caller, { name: 'p2', secretString: 'v' })
    await secrets.deleteSecret(caller, { secretId: 'p1', recoveryWindowInDays: 7 })
    await secrets.deleteSecret(caller, { secretId: 'p2', recoveryWindowInDays: 7 })
    await secrets.restoreSecret(caller, { secretId: 'p2' })
    expect(await secrets.purgeDeletedSecrets(h.clock.now() + 7 * MS.day - 1)).toBe(0)
    expect(await secrets.purgeDeletedSecrets(h.clock.now() + 7 * MS.day)).toBe(1)
    expect(await secrets.purgeDeletedSecrets(h.clock.now() + 7 * MS.day)).toBe(0)
    expect(events.at(-1)!.detail.operation).toBe('PurgeSecret')
    expect((await err(secrets.describeSecret(caller, { secretId: 'p1' })))?.code).toBe('NotFound')
    expect((await secrets.getSecretValue(caller, { secretId: 'p2' })).secretString).toBe('v')
    const orphans = await h.db.db.selectFrom('secret_versions').select('secret_id').execute()
    expect(orphans).toHaveLength(1)
  })
})
