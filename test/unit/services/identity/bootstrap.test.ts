import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../../../src/core/index.ts'
import { createIdentity, type Identity, TOKEN_TTL_MAX_SECONDS, writeAdminCredentials } from '../../../../src/services/identity/index.ts'
import type { Database } from '../../../../src/store/index.ts'
import { createTestDatabase, type TestDatabase } from '../../../support/db.ts'
import { rejection, testBarrier } from './support.ts'

const ACCOUNT = '123456789012'
const ENV_ID = 'AKIAIOSFODNN7EXAMPLE'
const ENV_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'

let t: TestDatabase
let clock: ManualClock
let barrier: ReturnType<typeof testBarrier>
let identity: Identity
const extra: Database[] = []

beforeEach(async () => {
  t = await createTestDatabase()
  clock = new ManualClock()
  barrier = testBarrier()
  identity = createIdentity({ db: t.db, barrier, clock })
})
afterEach(async () => {
  for (const d of extra.splice(0)) await d.close()
  await t.dispose()
})

describe('identity: bootstrap', () => {
  it('creates the default account and its administrator, and generates its first credentials once', async () => {
    const { generated } = await identity.bootstrap({ accountId: ACCOUNT })
    expect(generated?.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/)
    expect(await identity.listAccounts()).toEqual([{ id: ACCOUNT }])
    const found = await identity.accessKey(generated!.accessKeyId)
    expect(found?.secretAccessKey).toBe(generated!.secretAccessKey)
    expect(found?.principal).toMatchObject({ account: ACCOUNT, kind: 'user', name: 'admin', admin: true, arn: `arn:aws:iam::${ACCOUNT}:user/admin` })
    expect(await identity.authenticateToken(generated!.token)).toEqual(found?.principal)

    // A restart: nothing new is generated, nothing is lost.
    const again = createIdentity({ db: t.db, barrier, clock })
    expect(await again.bootstrap({ accountId: ACCOUNT })).toEqual({})
    expect((await again.getPrincipal('user', ACCOUNT, 'admin'))?.accessKeys.map((k) => k.accessKeyId)).toEqual([generated!.accessKeyId])
  })

  it('gives the generated token the longest life (it sits beside a non-expiring key)', async () => {
    const { generated } = await identity.bootstrap({ accountId: ACCOUNT })
    clock.advance(TOKEN_TTL_MAX_SECONDS * 1000 - 1)
    expect(await identity.authenticateToken(generated!.token)).toBeDefined()
    clock.advance(1)
    expect(await identity.authenticateToken(generated!.token)).toBeUndefined()
  })

  it("uses the operator's key from the environment and generates nothing", async () => {
    expect(await identity.bootstrap({ accountId: ACCOUNT, adminAccessKeyId: ENV_ID, adminSecretAccessKey: ENV_SECRET })).toEqual({})
    const found = await identity.accessKey(ENV_ID)
    expect(found).toMatchObject({ secretAccessKey: ENV_SECRET, principal: { name: 'admin', admin: true } })
    // Idempotent.
    expect(await identity.bootstrap({ accountId: ACCOUNT, adminAccessKeyId: ENV_ID, adminSecretAccessKey: ENV_SECRET })).toEqual({})
    expect((await identity.getPrincipal('user', ACCOUNT, 'admin'))?.accessKeys).toHaveLength(1)
  })

  it('accepts LocalStack-style short operator keys', async () => {
    await identity.bootstrap({ accountId: ACCOUNT, adminAccessKeyId: 'test', adminSecretAccessKey: 'test' })
    expect((await identity.accessKey('test'))?.secretAccessKey).toBe('test')
  })

  it('updates the secret when the environment says another one (the operator’s word)', async () => {
    await identity.bootstrap({ accountId: ACCOUNT, adminAccessKeyId: ENV_ID, adminSecretAccessKey: ENV_SECRET })
    expect((await identity.accessKey(ENV_ID))?.secretAccessKey).toBe(ENV_SECRET)
    await identity.bootstrap({ accountId: ACCOUNT, adminAccessKeyId: ENV_ID, adminSecretAccessKey: 'another-secret' })
    expect((await identity.accessKey(ENV_ID))?.secretAccessKey).toBe('another-secret')
    expect((await createIdentity({ db: t.db, barrier, clock }).accessKey(ENV_ID))?.secretAccessKey).toBe('another-secret')
  })

  it('moves the key to the administrator when another principal held that id', async () => {
    await identity.bootstrap({ accountId: ACCOUNT })
    await identity.createPrincipal('user', { name: 'app', account: ACCOUNT })
    const key = await identity.createAccessKey('user', ACCOUNT, 'app')
    expect((await identity.accessKey(key.accessKeyId))?.principal.name).toBe('app')
    await identity.bootstrap({ accountId: ACCOUNT, adminAccessKeyId: key.accessKeyId, adminSecretAccessKey: ENV_SECRET })
    expect(await identity.accessKey(key.accessKeyId)).toMatchObject({ secretAccessKey: ENV_SECRET, principal: { name: 'admin' } })
    expect((await identity.getPrincipal('user', ACCOUNT, 'app'))?.accessKeys).toEqual([])
  })

  it('refuses half a key pair, bad characters, and a bad account id; never echoes the secret', async () => {
    expect(await rejection(identity.bootstrap({ accountId: ACCOUNT, adminAccessKeyId: ENV_ID }))).toMatchObject({ code: 'Validation', field: 'adminSecretAccessKey' })
    expect(await rejection(identity.bootstrap({ accountId: ACCOUNT, adminSecretAccessKey: ENV_SECRET }))).toMatchObject({ code: 'Validation', field: 'adminAccessKeyId' })
    expect(await rejection(identity.bootstrap({ accountId: ACCOUNT, adminAccessKeyId: 'AKIA-X', adminSecretAccessKey: ENV_SECRET }))).toMatchObject({ code: 'Validation' })
    const e = await rejection(identity.bootstrap({ accountId: ACCOUNT, adminAccessKeyId: ENV_ID, adminSecretAccessKey: 'has space secret' }))
    expect(e).toMatchObject({ code: 'Validation', field: 'adminSecretAccessKey' })
    expect(e.message).not.toContain('has space secret')
    expect(await rejection(identity.bootstrap({ accountId: '42' }))).toMatchObject({ code: 'Validation', field: 'accountId' })
    expect(await identity.listAccounts()).toEqual([])
  })

  it('generates once when several nodes start together on one database', async () => {
    // PostgreSQL: each node its own pool. SQLite is single-node (one writer connection per
    // process; a second better-sqlite3 connection would block the event loop while busy), so
    // there the nodes share the connection.
    const nodes = [identity]
    for (let i = 0; i < 3; i++) {
      let db = t.db
      if (t.caps.shared) {
        const other = await t.reopen()
        extra.push(other)
        db = other.db
      }
      nodes.push(createIdentity({ db, barrier, clock }))
    }
    const results = await Promise.all(nodes.map((n) => n.bootstrap({ accountId: ACCOUNT })))
    expect(results.filter((r) => r.generated !== undefined)).toHaveLength(1)
    expect(await identity.listPrincipals('user', ACCOUNT)).toHaveLength(1)
    expect((await identity.getPrincipal('user', ACCOUNT, 'admin'))?.accessKeys).toHaveLength(1)
  })
})

describe('identity: writeAdminCredentials', () => {
  let dir: string
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arca-creds-'))
  })
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true })
  })

  const creds = { accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', secretAccessKey: 'S'.repeat(40), token: `arca_${'t'.repeat(40)}` }

  it('writes an AWS credentials file, mode 0600, with the token line', async () => {
    const file = await writeAdminCredentials(path.join(dir, 'data'), creds)
    expect(file).toBe(path.join(dir, 'data', 'admin-credentials'))
    expect(fs.readFileSync(file, 'utf8')).toBe(
      `[arca]\naws_access_key_id = ${creds.accessKeyId}\naws_secret_access_key = ${creds.secretAccessKey}\narca_token = ${creds.token}\n`,
    )
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    expect(fs.readdirSync(path.join(dir, 'data'))).toEqual(['admin-credentials'])
  })

  it('replaces an older file, and the result is still 0600', async () => {
    const file = path.join(dir, 'admin-credentials')
    fs.writeFileSync(file, 'old', { mode: 0o644 })
    await writeAdminCredentials(dir, creds)
    expect(fs.readFileSync(file, 'utf8')).toContain(creds.secretAccessKey)
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
  })
})
