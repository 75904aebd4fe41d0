/**
 * The audit trail (DESIGN.md "Audit"): one record per API request, built from an allow-list of
 * fields with request parameters passed through the one redaction function, hash-chained per
 * writer node, group-committed, and checkpointed with Ed25519 signatures by a key kept under
 * the root key.
 *
 * tables: audit_records, audit_checkpoints; meta rows audit.signing-key (barrier blob),
 * audit.public-key (hex).
 */
import type { Kysely } from 'kysely'
import { type Clock, type Logger, uuid } from '../../core/index.ts'
import { type Schema, metaStore } from '../../store/index.ts'
import type { Barrier } from '../barrier.ts'
import { describePublicKey, loadAuditSigner } from './checkpoint.ts'
import { type AuditPage, type AuditQuery, exportAudit, queryAudit } from './query.ts'
import type { AuditRecord } from './record.ts'
import type { CloudTrailEvent } from './cloudtrail.ts'
import { type VerifyOptions, type VerifyResult, verifyAudit } from './verify.ts'
import { type AuditMode, AuditWriter } from './writer.ts'

export { redact, REDACTED, type AuditService } from './redact.ts'
export { buildRecord, type AuditRecord, type RecordInput } from './record.ts'
export { GENESIS_HASH, recordHash, toColumns } from './chain.ts'
export { type Checkpoint, type AuditSigner, checkpointMessage, verifyCheckpoint, describePublicKey, META_SIGNING_KEY, META_PUBLIC_KEY } from './checkpoint.ts'
export { AuditWriter, type AuditMode, AUDIT_MODES, MAX_BATCH, CHECKPOINT_EVERY_RECORDS, CHECKPOINT_EVERY_MS } from './writer.ts'
export { type AuditQuery, type AuditPage, DEFAULT_LIMIT, MAX_LIMIT } from './query.ts'
export type { CloudTrailEvent } from './cloudtrail.ts'
export type { VerifyOptions, VerifyResult } from './verify.ts'

export interface AuditLogDeps {
  db: Kysely<Schema>
  barrier: Barrier
  clock: Clock
  mode: AuditMode
  /** This writer's chain id; default: a random id per process start (each start begins a new chain). */
  node?: string
  logger?: Pick<Logger, 'error'>
  /** How often (real time) to check whether a time-based checkpoint is due; 0 disables the timer. */
  tickMs?: number
  checkpointEveryRecords?: number
  checkpointEveryMs?: number
}

/** The audit log of one running node. */
export interface AuditLog {
  readonly node: string
  readonly mode: AuditMode
  /** Appends one record (built with `buildRecord`); in `sync` mode resolves once it is committed. */
  append(record: AuditRecord): Promise<void>
  /** Waits until everything appended so far is written. */
  flush(): Promise<void>
  /** Writes a signed checkpoint of this node's chain head now (when records arrived since the last). */
  checkpoint(): Promise<void>
  query(q: AuditQuery): Promise<AuditPage>
  export(q: Omit<AuditQuery, 'limit'>): AsyncGenerator<CloudTrailEvent>
  verify(opts?: VerifyOptions): Promise<VerifyResult>
  /** The checkpoint signing key's public half: PEM and base64 DER SubjectPublicKeyInfo, raw hex. */
  publicKey(): ReturnType<typeof describePublicKey>
  /** Counters of the group-commit writer. */
  stats(): AuditWriter['stats']
  /** Flushes, writes a final checkpoint, stops the timer. */
  close(): Promise<void>
}

const DEFAULT_TICK_MS = 1000

/** Loads (first start: creates) the signing key and starts this node's chain. */
export async function createAuditLog(deps: AuditLogDeps): Promise<AuditLog> {
  const signer = await loadAuditSigner(metaStore(deps.db), deps.barrier)
  const node = deps.node ?? uuid()
  const writer = new AuditWriter({
    db: deps.db,
    clock: deps.clock,
    signer,
    node,
    mode: deps.mode,
    ...(deps.logger ? { logger: deps.logger } : {}),
    ...(deps.checkpointEveryRecords !== undefined ? { checkpointEveryRecords: deps.checkpointEveryRecords } : {}),
    ...(deps.checkpointEveryMs !== undefined ? { checkpointEveryMs: deps.checkpointEveryMs } : {}),
  })
  const tickMs = deps.tickMs ?? DEFAULT_TICK_MS
  const timer = tickMs > 0 ? setInterval(() => void writer.tick().catch(() => {}), tickMs) : undefined
  timer?.unref()
  return {
    node,
    mode: deps.mode,
    append: (r) => writer.append(r),
    flush: () => writer.flush(),
    checkpoint: () => writer.checkpoint(),
    query: (q) => queryAudit(deps.db, q),
    export: (q) => exportAudit(deps.db, q),
    verify: (opts) => verifyAudit(deps.db, signer.publicKey, opts),
    publicKey: () => describePublicKey(signer.publicKey),
    stats: () => writer.stats,
    async close() {
      if (timer) clearInterval(timer)
      await writer.close()
    },
  }
}
