import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ManualClock, randomBytes } from '../../src/core/index.ts'
import { type Caller, type Kms, type KmsDeps, createKms } from '../../src/kms/index.ts'
import { Seal } from '../../src/kms/root/index.ts'
import { metaStore } from '../../src/store/index.ts'
import { type TestDatabase, createTestDatabase } from './db.ts'

export const ACCOUNT = '111111111111'
export const OTHER_ACCOUNT = '222222222222'
export const REGION = 'us-east-1'

export const caller: Caller = { account: ACCOUNT, principalArn: `arn:aws:iam::${ACCOUNT}:root`, region: REGION }
export const otherCaller: Caller = { account: OTHER_ACCOUNT, principalArn: `arn:aws:iam::${OTHER_ACCOUNT}:root`, region: REGION }

export interface KmsHarness {
  kms: Kms
  db: TestDatabase
  clock: ManualClock
  seal: Seal
  /** A new Kms over the same data, as after a restart (fresh caches, database reopened). */
  restart(): Promise<Kms>
  dispose(): Promise<void>
}

/** The KMS core over a fresh test database, with the real seal as its barrier and a manual clock. */
export async function createKmsHarness(opts: Partial<Pick<KmsDeps, 'authorizer' | 'recordEvent' | 'cache'>> = {}): Promise<KmsHarness> {
  const db = await createTestDatabase()
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arca-kms-'))
  const rootKey = Buffer.from(randomBytes(32)).toString('base64')
  const clock = new ManualClock()
  const { seal } = await Seal.open(metaStore(db.db), { rootKey, dataDir })
  let current = db.db
  let reopened: Awaited<ReturnType<TestDatabase['reopen']>> | undefined
  const h: KmsHarness = {
    kms: createKms({ db: db.db, barrier: seal, clock, ...opts }),
    db,
    clock,
    seal,
    async restart() {
      reopened = await db.reopen()
      current = reopened.db
      const { seal: again } = await Seal.open(metaStore(current), { rootKey, dataDir })
      h.kms = createKms({ db: current, barrier: again, clock, ...opts })
      return h.kms
    },
    async dispose() {
      await reopened?.close().catch(() => {})
      await db.dispose()
      fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
  return h
}

export const utf8 = (s: string) => new TextEncoder().encode(s)
