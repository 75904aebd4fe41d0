import type { Kysely } from 'kysely'
import type { Clock, Logger } from '../../core/index.ts'
import type { AuditRecordTable, Schema } from '../../store/index.ts'
import { GENESIS_HASH, recordHash, toColumns } from './chain.ts'
import type { AuditSigner, Checkpoint } from './checkpoint.ts'
import type { AuditRecord } from './record.ts'

/**
 * `sync`: `append` resolves only once the record's transaction committed, so no response is
 * sent for a request whose record is not stored. `async`: `append` resolves at once and the
 * record is committed within about one event-loop turn; a crash may lose the records of the
 * last few milliseconds. After a failed write, `async` behaves as `sync` until a write succeeds.
 */
export type AuditMode = 'sync' | 'async'
export const AUDIT_MODES: readonly AuditMode[] = ['sync', 'async']

/** Records per transaction at most (also the size at which a batch is written at once). */
export const MAX_BATCH = 256
/** A signed checkpoint at least every this many records… */
export const CHECKPOINT_EVERY_RECORDS = 1000
/** …and at least this often (by the injected clock) while records arrive. */
export const CHECKPOINT_EVERY_MS = 60_000

export interface WriterOptions {
  db: Kysely<Schema>
  clock: Clock
  signer: AuditSigner
  node: string
  mode: AuditMode
  logger?: Pick<Logger, 'error'>
  maxBatch?: number
  checkpointEveryRecords?: number
  checkpointEveryMs?: number
}

interface Batch {
  records: AuditRecord[]
  /** Its appenders wait for the commit (sync mode, or async after a failure). */
  waited: boolean
  promise: Promise<void>
  resolve(): void
  reject(e: unknown): void
}

function newBatch(waited: boolean): Batch {
  let resolve!: () => void
  let reject!: (e: unknown) => void
  const promise = new Promise<void>((res, rej) => {
    resolve = res
    reject = rej
  })
  // Nobody may be waiting (async mode); the failure is logged instead.
  promise.catch(() => {})
  return { records: [], waited, promise, resolve, reject }
}

/**
 * Group commit: records buffered during one event-loop turn (or up to `maxBatch`) are hashed
 * into the chain and inserted in one transaction, together with a signed checkpoint when one
 * is due. One write runs at a time; the chain head advances only after a commit, so a failed
 * transaction leaves no hole in the chain.
 */
export class AuditWriter {
  readonly node: string
  /** Committed transactions and records, for tests and metrics. */
  readonly stats = { transactions: 0, records: 0, checkpoints: 0, failures: 0 }
  private readonly o: Required<Omit<WriterOptions, 'logger'>> & Pick<WriterOptions, 'logger'>
  private queue: Batch[] = []
  private scheduled = false
  private running: Promise<void> | undefined
  private checkpointWanted = false
  private degraded = false
  private retryWanted = false
  /** Acknowledged records (async mode) whose write failed: written first by the next write. */
  private heldBack: AuditRecord[] = []
  private closed = false
  private head = { seq: 0, hash: GENESIS_HASH }
  private lastCheckpoint: { seq: number; time: number }

  constructor(opts: WriterOptions) {
    this.o = {
      maxBatch: MAX_BATCH,
      checkpointEveryRecords: CHECKPOINT_EVERY_RECORDS,
      checkpointEveryMs: CHECKPOINT_EVERY_MS,
      ...opts,
    }
    this.node = opts.node
    this.lastCheckpoint = { seq: 0, time: opts.clock.now() }
  }

  /** Queues one record; see `AuditMode` for when the promise settles. Rejects if the write failed. */
  append(record: AuditRecord): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the audit log is closed'))
    const waited = this.o.mode === 'sync' || this.degraded
    let batch = this.queue.at(-1)
    if (batch === undefined || batch.records.length >= this.o.maxBatch || batch.waited !== waited) {
      batch = newBatch(waited)
      this.queue.push(batch)
    }
    batch.records.push(record)
    if (batch.records.length >= this.o.maxBatch) this.kick()
    else if (!this.scheduled) {
      this.scheduled = true
      setImmediate(() => {
        this.scheduled = false
        this.kick()
      })
    }
    return waited ? batch.promise : Promise.resolve()
  }

  /** Resolves once everything appended so far was written (or its write failed). */
  async flush(): Promise<void> {
    const last = this.queue.at(-1)
    this.retryWanted = true
    this.kick()
    await this.running
    if (last) await last.promise.catch(() => {})
  }

  /** Writes a signed checkpoint of the chain head now if records arrived since the last one. */
  async checkpoint(): Promise<void> {
    this.checkpointWanted = true
    this.kick()
    await this.running
  }

  /** A checkpoint if the time bound passed (called by a timer; tests move the clock then call it). */
  async tick(): Promise<void> {
    if (this.head.seq > this.lastCheckpoint.seq && this.o.clock.now() - this.lastCheckpoint.time >= this.o.checkpointEveryMs) await this.checkpoint()
  }

  /** Flushes, writes a final checkpoint, and refuses further records. */
  async close(): Promise<void> {
    await this.flush()
    await this.checkpoint()
    this.closed = true
  }

  private kick(): void {
    if (this.running) return
    this.running = this.drain().finally(() => {
      this.running = undefined
      // Records that arrived during the last write and found no timer scheduled.
      if (this.queue.length > 0 && !this.scheduled) this.kick()
    })
  }

  // Each batch is attempted once; held-back records ride along with the next write, so a
  // database outage fails requests quickly instead of spinning.
  private async drain(): Promise<void> {
    for (;;) {
      const batch = this.queue.shift()
      if (batch) await this.write(batch, false)
      else if (this.checkpointWanted || this.retryWanted) {
        const checkpoint = this.checkpointWanted
        this.checkpointWanted = false
        this.retryWanted = false
        if (this.heldBack.length > 0 || (checkpoint && this.head.seq > this.lastCheckpoint.seq)) await this.write(undefined, checkpoint)
      } else return
    }
  }

  /** Writes held-back records and one batch (or only a checkpoint) in one transaction. */
  private async write(batch: Batch | undefined, forceCheckpoint: boolean): Promise<void> {
    const records = this.heldBack.length > 0 ? [...this.heldBack, ...(batch?.records ?? [])] : (batch?.records ?? [])
    const rows: AuditRecordTable[] = []
    let { seq, hash } = this.head
    for (const r of records) {
      seq += 1
      const columns = toColumns(r)
      const h = recordHash(this.node, seq, hash, columns)
      rows.push({ node: this.node, seq, prev_hash: hash, hash: h, ...columns })
      hash = h
    }
    const now = this.o.clock.now()
    const due = forceCheckpoint || seq - this.lastCheckpoint.seq >= this.o.checkpointEveryRecords || now - this.lastCheckpoint.time >= this.o.checkpointEveryMs
    const cp: Checkpoint | undefined = due && seq > this.lastCheckpoint.seq ? { node: this.node, seq, hash, time: now } : undefined
    try {
      const signature = cp ? this.o.signer.sign(cp) : undefined
      await this.o.db.transaction().execute(async (trx) => {
        if (rows.length > 0) await trx.insertInto('audit_records').values(rows).execute()
        if (cp) await trx.insertInto('audit_checkpoints').values({ ...cp, signature: signature! }).execute()
      })
    } catch (e) {
      this.stats.failures += 1
      this.o.logger?.error('audit write failed', { records: records.length, error: e instanceof Error ? e.message : String(e) })
      if (batch && !batch.waited) {
        // Acknowledged already (async mode): keep them for the next write, and make callers
        // wait for commits until one succeeds, so no further request is answered unrecorded.
        this.heldBack.push(...batch.records)
        this.degraded = true
      }
      // Waiting requests fail; their records are dropped with them (each caller got an error).
      batch?.reject(e)
      return
    }
    this.head = { seq, hash }
    this.heldBack = []
    this.degraded = false
    this.stats.transactions += 1
    this.stats.records += rows.length
    if (cp) {
      this.stats.checkpoints += 1
      this.lastCheckpoint = { seq: cp.seq, time: cp.time }
    }
    batch?.resolve()
  }
}
