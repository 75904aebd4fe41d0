import { createHash } from 'node:crypto'
import type { AuditRecordTable } from '../../store/index.ts'
import type { AuditRecord } from './record.ts'

/** The `prev_hash` of a chain's first record. */
export const GENESIS_HASH = '0'.repeat(64)
const VERSION = 'arca-audit-record-v1'

/** A record's columns other than the chain's own (node, seq, prev_hash, hash). */
export type RecordColumns = Omit<AuditRecordTable, 'node' | 'seq' | 'prev_hash' | 'hash'>

/** A record as stored: JSON text for resources and params, null for what is absent. */
export function toColumns(r: AuditRecord): RecordColumns {
  return {
    time: r.time,
    request_id: r.requestId,
    account: r.account ?? null,
    recipient_account: r.recipientAccount,
    principal_arn: r.principalArn ?? null,
    access_key_id: r.accessKeyId ?? null,
    source_ip: r.sourceIp ?? null,
    user_agent: r.userAgent ?? null,
    region: r.region ?? null,
    service: r.service,
    operation: r.operation,
    via_service: r.viaService ?? null,
    resources: JSON.stringify(r.resources),
    params: JSON.stringify(r.params),
    error_code: r.errorCode ?? null,
    error_message: r.errorMessage ?? null,
  }
}

/**
 * hash = SHA-256 over the canonical encoding of (node, seq, prev hash, every stored column):
 * a JSON array in a fixed order of strings, numbers and nulls, which has exactly one text form.
 * The stored JSON text of params/resources is hashed as stored, so verification needs no
 * re-serialisation. seq is inside the hash, so moving a record to another position breaks it.
 */
export function recordHash(node: string, seq: number, prevHash: string, c: RecordColumns): string {
  const canonical = JSON.stringify([
    VERSION,
    node,
    seq,
    prevHash,
    Number(c.time),
    c.request_id,
    c.account,
    c.recipient_account,
    c.principal_arn,
    c.access_key_id,
    c.source_ip,
    c.user_agent,
    c.region,
    c.service,
    c.operation,
    c.via_service,
    c.resources,
    c.params,
    c.error_code,
    c.error_message,
  ])
  return createHash('sha256').update(canonical).digest('hex')
}
