/**
 * The backup archive: JSON lines, UTF-8.
 *
 *   line 1        {"format":"arca-backup","formatVersion":1,"arcaVersion",…,"schemaVersion",…,"createdAt",…,"counts":{table:n}}
 *   per table     {"table":"t","columns":["a","b",…]}
 *   per row       ["v1","v2",…]             values in column order; a blob is {"b64":"…"}
 *   last line     {"end":true,"sha256":"<hex of every byte before this line>"}
 *
 * Rows are stored as they are at rest: every sealed value stays a barrier blob, so the archive
 * reveals nothing without the root key or the unseal shares. A file without its last line was
 * cut short; a digest that does not match was damaged.
 */
export const BACKUP_FORMAT = 'arca-backup'
export const BACKUP_FORMAT_VERSION = 1

export interface BackupHeader {
  format: typeof BACKUP_FORMAT
  formatVersion: number
  arcaVersion: string
  /** The newest migration applied to the source database. */
  schemaVersion: string
  /** Epoch milliseconds, from the server's clock. */
  createdAt: number
  /** The source back end (informational: a backup restores into either). */
  backend: 'sqlite' | 'postgres'
  /** Rows per table, in the order the tables follow in the file (referenced tables first). */
  counts: Record<string, number>
}

export interface TableLine {
  table: string
  columns: string[]
}

export interface Trailer {
  end: true
  sha256: string
}

export type Value = string | number | null | Uint8Array

type Encoded = string | number | null | { b64: string }

export function encodeValue(v: unknown): Encoded {
  if (v === null || v === undefined) return null
  if (v instanceof Uint8Array) return { b64: Buffer.from(v).toString('base64') }
  if (typeof v === 'bigint') return Number(v)
  if (typeof v === 'boolean') return v ? 1 : 0
  if (typeof v === 'number' || typeof v === 'string') return v
  throw new Error(`a value of type ${typeof v} cannot be backed up`)
}

export function decodeValue(v: unknown): Value {
  if (v === null || typeof v === 'string' || typeof v === 'number') return v
  if (typeof v === 'object' && typeof (v as { b64?: unknown }).b64 === 'string') return Buffer.from((v as { b64: string }).b64, 'base64')
  throw new Error('malformed value')
}

export function encodeRow(columns: string[], row: Record<string, unknown>): string {
  return JSON.stringify(columns.map((c) => encodeValue(row[c])))
}
