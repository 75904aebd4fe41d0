import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ArcaError, ManualClock, randomBytes } from '../../../../src/core/index.ts'
import { type Authorizer, type Caller, type Kms, createKms } from '../../../../src/kms/index.ts'
import { Seal } from '../../../../src/kms/root/index.ts'
import { createOutbox } from '../../../../src/services/notify/index.ts'
import { type Params, type ParamsDeps, createParams } from '../../../../src/services/params/index.ts'
import type { Authorize, EventSink } from '../../../../src/services/shared/index.ts'
import { type Database, metaStore } from '../../../../src/store/index.ts'
import { type TestDatabase, createTestDatabase } from '../../../support/db.ts'

export const ACCOUNT = '111111111111'
export const REGION = 'us-east-1'
export const admin: Caller = { account: ACCOUNT, principalArn: `arn:aws:iam::${ACCOUNT}:user/admin`, region: REGION, admin: true }
export const alice: Caller = { account: ACCOUNT, principalArn: `arn:aws:iam::${ACCOUNT}:user/alice`, region: REGION }

export interface StoredEvent {
  detailType: string
  resources: string[]
  detail: Record<string, unknown>
}

export interface ParamsHarness {
  params: Params
  kms: Kms
  db: TestDatabase
  clock: ManualClock
  /** Every authorize() call, in order. */
  authorized: { principal: string; action: string; resource: string }[]
  /** Denies matching requests with AccessDenied (the service's authorize dependency). */
  deny(test: (caller: Caller, action: string, resource: string) => boolean): void
  /** Events written to the outbox, oldest first. */
  events(): Promise<StoredEvent[]>
  /** A second, independent service over the same data (a fresh pool: another node). */
  another(): Promise<{ params: Params; close(): Promise<void> }>
  /** Everything rebuilt over reopened data (fresh caches). */
  restart(): Promise<Params>
  dispose(): Promise<void>
}

/**
 * The params service over a fresh test database, the real KMS core and seal, the real outbox
 * as its event sink, a manual clock and a recording authorize. `kmsAuthorizer` decides for the KMS
 * core (default: the key's own account may do everything).
 */
export async function createParamsHarness(opts: { kmsAuthorizer?: Authorizer; cache?: ParamsDeps['cache'] } = {}): Promise<ParamsHarness> {
  const db = await createTestDatabase()
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arca-params-'))
  const rootKey = Buffer.from(randomBytes(32)).toString('base64')
  const clock = new ManualClock(Date.UTC(2026, 0, 1))
  const authorized: ParamsHarness['authorized'] = []
  let denyTest: ((caller: Caller, action: string, resource: string) => boolean) | undefined
  const authorize: Authorize = async (caller, action, resource) => {
    authorized.push({ principal: caller.principalArn, action, resource })
    if (denyTest?.(caller, action, resource)) throw new ArcaError('AccessDenied', `User: ${caller.principalArn} is not authorized to perform: ${action} on resource: ${resource}`)
  }
  const outbox = createOutbox({ clock })
  const events: EventSink = { record: async (tx, e) => void (await outbox.recordEvent(tx, e)) }
  const opened: Database[] = []
  const build = async (database: Database) => {
    const { seal } = await Seal.open(metaStore(database.db), { rootKey, dataDir })
    const kms = createKms({ db: database.db, barrier: seal, clock, ...(opts.kmsAuthorizer ? { authorizer: opts.kmsAuthorizer } : {}) })
    return { kms, params: createParams({ db: database.db, kms, clock, authorize, events, ...(opts.cache ? { cache: opts.cache } : {}) }) }
  }
  let current = await build(db)
  let currentDb: Database = db
  const h: ParamsHarness = {
    get params() {
      return current.params
    },
    get kms() {
      return current.kms
    },
    db,
    clock,
    authorized,
    deny(test) {
      denyTest = test
    },
    async events() {
      const rows = await currentDb.db.selectFrom('events').select('body').orderBy('seq').execute()
      return rows.map((r) => {
        const e = JSON.parse(r.body) as { 'detail-type': string; resources: string[]; detail: Record<string, unknown> }
        return { detailType: e['detail-type'], resources: e.resources, detail: e.detail }
      })
    },
    async another() {
      const other = await db.reopen()
      opened.push(other)
      const built = await build(other)
      return { params: built.params, close: () => other.close() }
    },
    async restart() {
      const other = await db.reopen()
      opened.push(other)
      currentDb = other
      current = await build(other)
      return current.params
    },
    async dispose() {
      for (const o of opened) await o.close().catch(() => {})
      await db.dispose()
      fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
  return h
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(p: Promise<unknown>): Promise<ArcaError> {
  try {
    await p
  } catch (e) {
    return e as ArcaError
  }
  throw new Error('expected a rejection')
}
