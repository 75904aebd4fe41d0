/**
 * The PostgreSQL plugins against a real cluster with scram-sha-256 (started by the test): after a
 * rotation the new password logs in and the old one is refused by the server; alternating users
 * switch between user and user_clone with the same grants; a password full of quotes and
 * backslashes works; the database down at setSecret leaves AWSCURRENT working, records the
 * failure and succeeds on the retry once the database is back.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { MS, uuid } from '../../src/core/index.ts'
import { RETRY_BASE_MS } from '../../src/services/rotation/index.ts'
import { type PgCluster, postgresBinaries, startPgCluster } from '../support/pg-cluster.ts'
import { type RotationHarness, caller, createRotationHarness, needServer, rotationEvents } from '../support/rotation.ts'

const run = needServer('PostgreSQL rotation', postgresBinaries() ? undefined : 'PostgreSQL server binaries (initdb, pg_ctl) not found')

describe.runIf(run)('PostgreSQL rotation (scram-sha-256 cluster)', () => {
  let pgc: PgCluster
  let t: RotationHarness
  beforeAll(async () => {
    pgc = await startPgCluster()
  }, 120_000)
  afterAll(async () => {
    await pgc?.dispose()
  })
  beforeEach(async () => {
    t = await createRotationHarness()
  })
  afterEach(async () => {
    await t.dispose()
  })

  let n = 0
  async function makeUser(password: string): Promise<string> {
    const user = `app${++n}_${uuid().slice(0, 6)}`
    const c = pgc.client()
    await c.connect()
    await c.query(`CREATE ROLE ${c.escapeIdentifier(user)} WITH LOGIN PASSWORD ${c.escapeLiteral(password)}`)
    await c.end()
    return user
  }
  const secretOf = (username: string, password: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ engine: 'postgres', host: pgc.host, port: pgc.port, username, password, dbname: 'postgres', ...extra })
  async function current(name: string) {
    return JSON.parse((await t.secrets.getSecretValue(caller, { secretId: name })).secretString!) as { username: string; password: string }
  }
  async function attempts(name: string) {
    return (await t.rotation.listRotationAttempts(caller, { secretId: name })).attempts
  }

  it('single user: the new password logs in, the old one is refused; DescribeSecret shows the rotation', async () => {
    const user = await makeUser('initial-Password-1')
    await t.secrets.createSecret(caller, { name: 'db/single', secretString: secretOf(user, 'initial-Password-1') })
    const out = await t.rotation.rotateSecret(caller, { secretId: 'db/single', rotationLambdaARN: `arn:aws:lambda:us-east-1:${caller.account}:function:postgres-single-user`, rotationRules: { automaticallyAfterDays: 30 } })
    await t.rotation.idle()
    const now = await current('db/single')
    expect(now.username).toBe(user)
    expect(now.password).not.toBe('initial-Password-1')
    expect(await pgc.canLogin(user, now.password)).toBe(true)
    expect(await pgc.canLogin(user, 'initial-Password-1')).toBe(false)
    const d = await t.secrets.describeSecret(caller, { secretId: 'db/single' })
    expect(d).toMatchObject({ rotationEnabled: true, rotationLambdaARN: expect.stringContaining('function:postgres-single-user'), rotationRules: { automaticallyAfterDays: 30 }, lastRotatedDate: t.clock.now() })
    expect(d.nextRotationDate).toBe(t.clock.now() - (t.clock.now() % MS.day) + 30 * MS.day)
    expect(d.versionIdsToStages![out.versionId!]).toEqual(['AWSCURRENT'])
    const [a] = await attempts('db/single')
    expect(a).toMatchObject({ outcome: 'succeeded', versionId: out.versionId, plugin: 'postgres-single-user' })
    expect(a!.steps.map((s) => [s.step, s.outcome])).toEqual([
      ['createSecret', 'succeeded'],
      ['setSecret', 'succeeded'],
      ['testSecret', 'succeeded'],
      ['finishSecret', 'succeeded'],
    ])
    expect(rotationEvents(t.events)).toEqual(['RotationStarted', 'RotationSucceeded'])
    for (const e of t.events) expect(JSON.stringify(e)).not.toContain(now.password)
  })

  it('a password full of quotes, backslashes and SQL works (escapeIdentifier / escapeLiteral)', async () => {
    const nasty = `it's "quoted" \\ back\\\\slash '' ; DROP ROLE x; -- $$ $1 \\'`
    const user = await makeUser('plain-start-password')
    await t.secrets.createSecret(caller, { name: 'db/quotes', secretString: secretOf(user, 'plain-start-password') })
    // The pending value the rotation will use, written as the rotation's own version.
    const token = uuid()
    await t.secrets.putSecretValue(caller, { secretId: 'db/quotes', clientRequestToken: token, secretString: secretOf(user, nasty), versionStages: ['AWSPENDING'] })
    await t.rotation.rotateSecret(caller, { secretId: 'db/quotes', clientRequestToken: token, rotationLambdaARN: 'postgres-single-user' })
    await t.rotation.idle()
    expect((await current('db/quotes')).password).toBe(nasty)
    expect(await pgc.canLogin(user, nasty)).toBe(true)
    expect(await pgc.canLogin(user, 'plain-start-password')).toBe(false)
    // …and away from it again, with punctuation allowed in the generated password.
    await t.secrets.tagResource(caller, { secretId: 'db/quotes', tags: [{ key: 'rotation:excludeCharacters', value: '' }] })
    await t.rotation.rotateSecret(caller, { secretId: 'db/quotes' })
    await t.rotation.idle()
    const after = await current('db/quotes')
    expect(await pgc.canLogin(user, after.password)).toBe(true)
    expect(await pgc.canLogin(user, nasty)).toBe(false)
  })

  it('alternating users: user ↔ user_clone with the same grants; the previous user works until the next rotation', async () => {
    const user = await makeUser('p0-password')
    const c = pgc.client()
    await c.connect()
    const table = `t_${user}`
    await c.query(`CREATE TABLE ${c.escapeIdentifier(table)} (x int)`)
    await c.query(`INSERT INTO ${c.escapeIdentifier(table)} VALUES (42)`)
    await c.query(`GRANT SELECT ON ${c.escapeIdentifier(table)} TO ${c.escapeIdentifier(user)}`)
    await c.end()
    const master = await t.secrets.createSecret(caller, { name: 'db/master', secretString: secretOf('postgres', pgc.superPassword) })
    await t.secrets.createSecret(caller, { name: 'db/alt', secretString: secretOf(user, 'p0-password', { masterarn: master.arn }) })
    const selectAs = async (u: string, p: string) => {
      const k = pgc.client(u, p)
      await k.connect()
      const r = await k.query(`SELECT x FROM ${k.escapeIdentifier(table)}`)
      await k.end()
      return r.rows[0].x as number
    }

    await t.rotation.rotateSecret(caller, { secretId: 'db/alt', rotationLambdaARN: 'postgres-alternating-users', rotationRules: { scheduleExpression: 'rate(1 day)' } })
    await t.rotation.idle()
    const first = await current('db/alt')
    expect(first.username).toBe(`${user}_clone`)
    expect(await selectAs(first.username, first.password)).toBe(42)
    expect(await pgc.canLogin(user, 'p0-password')).toBe(true) // AWSPREVIOUS still works

    await t.rotation.rotateSecret(caller, { secretId: 'db/alt' })
    await t.rotation.idle()
    const second = await current('db/alt')
    expect(second.username).toBe(user)
    expect(await selectAs(user, second.password)).toBe(42)
    expect(await pgc.canLogin(user, 'p0-password')).toBe(false)
    expect(await pgc.canLogin(first.username, first.password)).toBe(true) // now AWSPREVIOUS
    const prev = JSON.parse((await t.secrets.getSecretValue(caller, { secretId: 'db/alt', versionStage: 'AWSPREVIOUS' })).secretString!)
    expect(prev.username).toBe(first.username)
    // The superuser's password is never in an event or the history.
    for (const e of t.events) expect(JSON.stringify(e)).not.toContain(pgc.superPassword)
  })

  it('database down at setSecret: AWSCURRENT still logs in, the failure is recorded with an event, the retry succeeds once it is back', async () => {
    const user = await makeUser('before-outage-1')
    await t.secrets.createSecret(caller, { name: 'db/outage', secretString: secretOf(user, 'before-outage-1') })
    await pgc.stop()
    try {
      await t.rotation.rotateSecret(caller, { secretId: 'db/outage', rotationLambdaARN: 'postgres-single-user', rotationRules: { automaticallyAfterDays: 7 } })
      await t.rotation.idle()
    } finally {
      await pgc.start()
    }
    expect((await current('db/outage')).password).toBe('before-outage-1')
    expect(await pgc.canLogin(user, 'before-outage-1')).toBe(true)
    const [failed] = await attempts('db/outage')
    expect(failed).toMatchObject({ outcome: 'failed', failedStep: 'setSecret' })
    expect(failed!.error).toMatch(/ECONNREFUSED|connect/i)
    expect(rotationEvents(t.events)).toEqual(['RotationStarted', 'RotationFailed'])
    const status = await t.rotation.getRotation(caller, { secretId: 'db/outage' })
    expect(status.inFlight).toMatchObject({ attempts: 1, nextStep: 'createSecret', nextAttemptDate: t.clock.now() + RETRY_BASE_MS })
    // The pending version (with its value) is kept for the retry.
    const pending = JSON.parse((await t.secrets.getSecretValue(caller, { secretId: 'db/outage', versionStage: 'AWSPENDING' })).secretString!)

    expect(await t.rotation.runDue(t.clock.now())).toBe(0) // not due yet: backoff
    t.clock.advance(RETRY_BASE_MS)
    expect(await t.rotation.runDue(t.clock.now())).toBe(1)
    const now = await current('db/outage')
    expect(now.password).toBe(pending.password)
    expect(await pgc.canLogin(user, now.password)).toBe(true)
    expect(await pgc.canLogin(user, 'before-outage-1')).toBe(false)
    expect(rotationEvents(t.events)).toEqual(['RotationStarted', 'RotationFailed', 'RotationStarted', 'RotationSucceeded'])
    expect((await attempts('db/outage')).map((a) => [a.attempt, a.trigger, a.outcome])).toEqual([
      [2, 'retry', 'succeeded'],
      [1, 'api', 'failed'],
    ])
    expect((await t.rotation.getRotation(caller, { secretId: 'db/outage' })).inFlight).toBeUndefined()
  })
})
