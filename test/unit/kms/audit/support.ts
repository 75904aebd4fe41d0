import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ManualClock, randomBytes } from '../../../../src/core/index.ts'
import { type AuditLog, type AuditLogDeps, type AuditRecord, buildRecord, createAuditLog } from '../../../../src/kms/audit/index.ts'
import { Seal } from '../../../../src/kms/root/index.ts'
import { metaStore } from '../../../../src/store/index.ts'
import { type TestDatabase, createTestDatabase } from '../../../support/db.ts'

export const ACCOUNT = '111111111111'
export const OTHER = '222222222222'

export interface AuditHarness {
  db: TestDatabase
  clock: ManualClock
  seal: Seal
  log: AuditLog
  open(opts?: Partial<AuditLogDeps>): Promise<AuditLog>
  dispose(): Promise<void>
}

/** A real audit log over a fresh test database, the real seal as barrier, a manual clock. */
export async function createAuditHarness(opts: Partial<AuditLogDeps> = {}): Promise<AuditHarness> {
  const db = await createTestDatabase()
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arca-audit-'))
  const { seal } = await Seal.open(metaStore(db.db), { rootKey: Buffer.from(randomBytes(32)).toString('base64'), dataDir })
  const clock = new ManualClock()
  const logs: AuditLog[] = []
  const open = async (o: Partial<AuditLogDeps> = {}) => {
    const log = await createAuditLog({ db: db.db, barrier: seal, clock, mode: 'sync', tickMs: 0, ...opts, ...o })
    logs.push(log)
    return log
  }
  const h: AuditHarness = {
    db,
    clock,
    seal,
    log: await open(),
    open,
    async dispose() {
      for (const l of logs) await l.close().catch(() => {})
      await db.dispose()
      fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
  return h
}

let n = 0
/** A plausible KMS record; `over` replaces fields of the input. */
export function record(clock: ManualClock, over: Partial<Parameters<typeof buildRecord>[0]> = {}): AuditRecord {
  n += 1
  return buildRecord({
    time: clock.now(),
    requestId: `req-${n}`,
    service: 'kms',
    operation: 'Decrypt',
    defaultAccount: ACCOUNT,
    account: ACCOUNT,
    principalArn: `arn:aws:iam::${ACCOUNT}:user/alice`,
    accessKeyId: 'AKIAEXAMPLEEXAMPLE01',
    region: 'us-east-1',
    sourceIp: '127.0.0.1',
    userAgent: 'test',
    params: { keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', encryptionContext: { app: 'billing' } },
    ...over,
  })
}
