/**
 * The MySQL/MariaDB plugins against the server at ARCA_TEST_MYSQL_URL (default root@127.0.0.1:3306):
 * after a rotation the new password logs in and the old one is refused; alternating users switch
 * between user and user_clone with the same grants, the previous user working until the next
 * rotation; a password full of quotes and backslashes works.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { uuid } from '../../src/core/index.ts'
import { type MysqlServer, connectMysql } from '../support/mariadb.ts'
import { type RotationHarness, caller, createRotationHarness, needServer, rotationEvents } from '../support/rotation.ts'

const server = await connectMysql()
const run = needServer('MySQL/MariaDB rotation', 'unavailable' in server ? server.unavailable : undefined)

describe.runIf(run)('MySQL/MariaDB rotation', () => {
  const my = server as MysqlServer
  let t: RotationHarness
  const cleanup: string[] = []
  afterAll(async () => {
    for (const sql of cleanup) await my.admin.query(sql).catch(() => {})
    await my.close()
  })
  beforeEach(async () => {
    t = await createRotationHarness()
  })
  afterEach(async () => {
    await t.dispose()
  })

  async function makeUser(password: string, grantDb?: string): Promise<string> {
    const user = my.name('app')
    await my.admin.query('CREATE USER ?@? IDENTIFIED BY ?', [user, '%', password])
    cleanup.push(`DROP USER IF EXISTS '${user}'@'%'`, `DROP USER IF EXISTS '${user}_clone'@'%'`)
    if (grantDb) await my.admin.query(`GRANT SELECT ON \`${grantDb}\`.* TO ?@?`, [user, '%'])
    return user
  }
  const secretOf = (username: string, password: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ engine: 'mysql', host: my.host, port: my.port, username, password, ...extra })
  async function current(name: string) {
    return JSON.parse((await t.secrets.getSecretValue(caller, { secretId: name })).secretString!) as { username: string; password: string }
  }

  it('single user: the new password logs in, the old one is refused', async () => {
    const user = await makeUser('Initial-pass-1')
    await t.secrets.createSecret(caller, { name: 'my/single', secretString: secretOf(user, 'Initial-pass-1') })
    await t.rotation.rotateSecret(caller, { secretId: 'my/single', rotationLambdaARN: 'mysql-single-user', rotationRules: { automaticallyAfterDays: 30 } })
    await t.rotation.idle()
    const now = await current('my/single')
    expect(now.password).not.toBe('Initial-pass-1')
    expect(await my.canLogin(user, now.password)).toBe(true)
    expect(await my.canLogin(user, 'Initial-pass-1')).toBe(false)
    expect(rotationEvents(t.events)).toEqual(['RotationStarted', 'RotationSucceeded'])
  })

  it('a password full of quotes and backslashes works, in and out', async () => {
    const nasty = `it's "quoted" \\ back\\\\slash '' ; DROP USER x; -- \\' %_?`
    const user = await makeUser('plain-start-password')
    await t.secrets.createSecret(caller, { name: 'my/quotes', secretString: secretOf(user, 'plain-start-password') })
    const token = uuid()
    await t.secrets.putSecretValue(caller, { secretId: 'my/quotes', clientRequestToken: token, secretString: secretOf(user, nasty), versionStages: ['AWSPENDING'] })
    await t.rotation.rotateSecret(caller, { secretId: 'my/quotes', clientRequestToken: token, rotationLambdaARN: 'mysql-single-user' })
    await t.rotation.idle()
    expect((await current('my/quotes')).password).toBe(nasty)
    expect(await my.canLogin(user, nasty)).toBe(true)
    expect(await my.canLogin(user, 'plain-start-password')).toBe(false)
    await t.secrets.tagResource(caller, { secretId: 'my/quotes', tags: [{ key: 'rotation:excludeCharacters', value: '' }] })
    await t.rotation.rotateSecret(caller, { secretId: 'my/quotes' })
    await t.rotation.idle()
    const after = await current('my/quotes')
    expect(await my.canLogin(user, after.password)).toBe(true)
    expect(await my.canLogin(user, nasty)).toBe(false)
  })

  it('alternating users: user ↔ user_clone with the same grants; the previous user works until the next rotation', async () => {
    const db = my.name('arcadb')
    await my.admin.query(`CREATE DATABASE \`${db}\``)
    cleanup.push(`DROP DATABASE IF EXISTS \`${db}\``)
    await my.admin.query(`CREATE TABLE \`${db}\`.t (x int)`)
    await my.admin.query(`INSERT INTO \`${db}\`.t VALUES (42)`)
    const user = await makeUser('p0-password', db)
    const admin = my.name('admin')
    const adminPw = `adm'"\\${uuid()}`
    await my.admin.query('CREATE USER ?@? IDENTIFIED BY ?', [admin, '%', adminPw])
    await my.admin.query('GRANT ALL PRIVILEGES ON *.* TO ?@? WITH GRANT OPTION', [admin, '%'])
    cleanup.push(`DROP USER IF EXISTS '${admin}'@'%'`)
    const master = await t.secrets.createSecret(caller, { name: 'my/master', secretString: secretOf(admin, adminPw) })
    await t.secrets.createSecret(caller, { name: 'my/alt', secretString: secretOf(user, 'p0-password', { dbname: db, masterarn: master.arn }) })
    const { default: mysql } = await import('mysql2/promise')
    const selectAs = async (u: string, p: string) => {
      const c = await mysql.createConnection({ host: my.host, port: my.port, user: u, password: p, database: db })
      const [rows] = await c.query('SELECT x FROM t')
      await c.end()
      return (rows as { x: number }[])[0]!.x
    }

    await t.rotation.rotateSecret(caller, { secretId: 'my/alt', rotationLambdaARN: 'mysql-alternating-users' })
    await t.rotation.idle()
    const first = await current('my/alt')
    expect(first.username).toBe(`${user}_clone`)
    expect(await selectAs(first.username, first.password)).toBe(42)
    expect(await my.canLogin(user, 'p0-password')).toBe(true)

    await t.rotation.rotateSecret(caller, { secretId: 'my/alt' })
    await t.rotation.idle()
    const second = await current('my/alt')
    expect(second.username).toBe(user)
    expect(await selectAs(user, second.password)).toBe(42)
    expect(await my.canLogin(user, 'p0-password')).toBe(false)
    expect(await my.canLogin(first.username, first.password)).toBe(true)
    for (const e of t.events) expect(JSON.stringify(e)).not.toContain(adminPw)
  })
})
