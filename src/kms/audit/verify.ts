import type { Kysely } from 'kysely'
import type { AuditCheckpointTable, AuditRecordTable, Schema } from '../../store/index.ts'
import { GENESIS_HASH, recordHash } from './chain.ts'
import { verifyCheckpoint } from './checkpoint.ts'

export interface VerifyOptions {
  /** One writer node's chain; absent: every chain. */
  node?: string
  /** Epoch ms: start with the first record at or after this time (linked to its predecessor). */
  from?: number
  /** Epoch ms: stop after the last record at or before this time. */
  to?: number
}

export interface VerifyResult {
  valid: boolean
  /** Records whose hash and link were checked. */
  checked: number
  /** Checkpoints whose signature and hash were checked. */
  checkpoints: number
  /** The chain (writer node) of the first problem. */
  node?: string
  /** The sequence number of the first record found changed, removed, inserted or reordered. */
  firstBadSequence?: number
  reason?: string
}

const PAGE = 1000

/**
 * Recomputes each chain and checks every checkpoint. A record is bad when its sequence number
 * skips (one was removed), its hash does not match its contents (changed, inserted, or moved:
 * the sequence number is inside the hash), or its `prev_hash` is not its predecessor's hash.
 * A checkpoint is bad when its Ed25519 signature fails, or when the chain's hash at its
 * sequence is not the signed one (the chain was rewritten and re-hashed after the change, or
 * the checkpointed record is gone). Records after a chain's last checkpoint are protected by
 * the chain only: truncating that tail is not detectable.
 */
export async function verifyAudit(db: Kysely<Schema>, publicKey: Uint8Array, opts: VerifyOptions = {}): Promise<VerifyResult> {
  let nodes: string[]
  if (opts.node !== undefined) nodes = [opts.node]
  else {
    const a = await db.selectFrom('audit_records').select('node').distinct().execute()
    const b = await db.selectFrom('audit_checkpoints').select('node').distinct().execute()
    nodes = [...new Set([...a, ...b].map((r) => r.node))].sort()
  }
  const total: VerifyResult = { valid: true, checked: 0, checkpoints: 0 }
  for (const node of nodes) {
    const r = await verifyChain(db, publicKey, node, opts)
    total.checked += r.checked
    total.checkpoints += r.checkpoints
    if (!r.valid) return { ...r, checked: total.checked, checkpoints: total.checkpoints }
  }
  return total
}

async function verifyChain(db: Kysely<Schema>, publicKey: Uint8Array, node: string, opts: VerifyOptions): Promise<VerifyResult> {
  let checked = 0
  let cpChecked = 0
  const bad = (seq: number, reason: string): VerifyResult => ({ valid: false, checked, checkpoints: cpChecked, node, firstBadSequence: seq, reason })

  // The first record in range, and the hash it must link to.
  let start = 1
  if (opts.from !== undefined) {
    const first = await db.selectFrom('audit_records').select('seq').where('node', '=', node).where('time', '>=', opts.from).orderBy('seq').limit(1).executeTakeFirst()
    if (first === undefined) return { valid: true, checked, checkpoints: cpChecked }
    start = Number(first.seq)
  }
  let end = Number.MAX_SAFE_INTEGER
  if (opts.to !== undefined) {
    const last = await db.selectFrom('audit_records').select('seq').where('node', '=', node).where('time', '<=', opts.to).orderBy('seq', 'desc').limit(1).executeTakeFirst()
    end = last === undefined ? 0 : Number(last.seq)
  }
  let prevHash = GENESIS_HASH
  if (start > 1) {
    const before = await db.selectFrom('audit_records').select('hash').where('node', '=', node).where('seq', '=', start - 1).executeTakeFirst()
    if (before === undefined) return bad(start - 1, `record ${start - 1} is missing`)
    prevHash = before.hash
  }

  const checkpoints = new Map<number, AuditCheckpointTable>()
  for (const cp of await db.selectFrom('audit_checkpoints').selectAll().where('node', '=', node).where('seq', '>=', start).where('seq', '<=', end).orderBy('seq').execute()) {
    if (!verifyCheckpoint(publicKey, { node, seq: Number(cp.seq), hash: cp.hash, time: Number(cp.time) }, cp.signature)) {
      return bad(Number(cp.seq), `the signature of the checkpoint at record ${cp.seq} does not verify`)
    }
    checkpoints.set(Number(cp.seq), cp)
  }
  // The last checkpoint that matched: a rewritten stretch is reported from just after it.
  let trusted = start - 1
  let expected = start
  let lastSeq = start - 1
  for (;;) {
    const rows: AuditRecordTable[] = await db.selectFrom('audit_records').selectAll().where('node', '=', node).where('seq', '>=', expected).where('seq', '<=', end).orderBy('seq').limit(PAGE).execute()
    for (const row of rows) {
      const seq = Number(row.seq)
      if (seq !== expected) return bad(expected, `record ${expected} is missing`)
      if (recordHash(node, seq, row.prev_hash, row) !== row.hash) {
        // A record whose hash is right for the neighbouring position was renumbered: the chain
        // was shifted by an insertion (or a removal) just before it.
        if (seq > 1 && recordHash(node, seq - 1, row.prev_hash, row) === row.hash) return bad(seq - 1, `record ${seq - 1} was inserted`)
        if (recordHash(node, seq + 1, row.prev_hash, row) === row.hash) return bad(seq, `record ${seq} is out of place (a record was removed or reordered)`)
        return bad(seq, `record ${seq} does not match its hash (changed, inserted or moved)`)
      }
      if (row.prev_hash !== prevHash) return bad(seq, `record ${seq} does not follow record ${seq - 1} (a record was inserted, removed or reordered)`)
      checked += 1
      const cp = checkpoints.get(seq)
      if (cp !== undefined) {
        cpChecked += 1
        if (cp.hash !== row.hash) return bad(trusted + 1, `the chain up to record ${seq} differs from the signed checkpoint (records after ${trusted} were rewritten)`)
        trusted = seq
      }
      prevHash = row.hash
      lastSeq = seq
      expected = seq + 1
    }
    if (rows.length < PAGE) break
  }
  // A checkpoint beyond the last record: signed records were removed from the end.
  for (const seq of checkpoints.keys()) {
    if (seq > lastSeq) return bad(lastSeq + 1, `record ${lastSeq + 1} is missing (a checkpoint covers record ${seq})`)
  }
  return { valid: true, checked, checkpoints: cpChecked }
}
