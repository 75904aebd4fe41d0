import { createHash } from 'node:crypto'
import fs from 'node:fs'
import { ArcaError } from '../../core/index.ts'
import { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, type BackupHeader, type TableLine, type Value, decodeValue } from './format.ts'

/** Why an archive cannot be used; the message is safe to show (it never quotes the file's content). */
const BackupFileError = class extends ArcaError {
  constructor(message: string) {
    super('Validation', message)
  }
}

export interface ReadHandlers {
  table?(t: TableLine): Promise<void> | void
  rows?(table: string, columns: string[], rows: Value[][]): Promise<void> | void
}

export interface BackupSummary {
  header: BackupHeader
  sha256: string
  bytes: number
}

// Rows handed to `rows` at once (a restore inserts them in one statement or a few).
const ROWS_PER_CALL = 200

async function* lines(file: string): AsyncGenerator<{ line: Buffer; terminated: boolean }> {
  let rest: Buffer = Buffer.alloc(0)
  for await (const chunk of fs.createReadStream(file)) {
    let buf = rest.length ? Buffer.concat([rest, chunk as Buffer]) : (chunk as Buffer)
    let at: number
    while ((at = buf.indexOf(0x0a)) !== -1) {
      yield { line: buf.subarray(0, at), terminated: true }
      buf = buf.subarray(at + 1)
    }
    rest = Buffer.from(buf)
  }
  if (rest.length) yield { line: rest, terminated: false }
}

function parse(line: Buffer, what: string): unknown {
  const text = line.toString('utf8')
  if (Buffer.byteLength(text) !== line.length || text.includes('\uFFFD')) throw new BackupFileError(`the backup is damaged: ${what} is not valid UTF-8`)
  try {
    return JSON.parse(text)
  } catch {
    throw new BackupFileError(`the backup is damaged: ${what} is not valid JSON`)
  }
}

function checkHeader(h: unknown): BackupHeader {
  const x = h as Partial<BackupHeader> | null
  if (!x || typeof x !== 'object' || x.format !== BACKUP_FORMAT) throw new BackupFileError('not an Arca backup (the first line is not an arca-backup header)')
  if (x.formatVersion !== BACKUP_FORMAT_VERSION) throw new BackupFileError(`backup format version ${String(x.formatVersion)} is not supported (this Arca reads version ${BACKUP_FORMAT_VERSION})`)
  if (typeof x.schemaVersion !== 'string' || typeof x.createdAt !== 'number' || !x.counts || typeof x.counts !== 'object')
    throw new BackupFileError('the backup header is incomplete')
  return x as BackupHeader
}

/**
 * Reads and checks an archive from start to end: format, header, every row's shape, the row
 * counts and the SHA-256. Handlers (a restore) see the rows as they go; a caller acting on them
 * must undo its work when this throws (the damage may only show at the end).
 */
export async function readBackup(file: string, handlers: ReadHandlers = {}): Promise<BackupSummary> {
  if (!fs.existsSync(file)) throw new BackupFileError(`no such file: ${file}`)
  const hash = createHash('sha256')
  let header: BackupHeader | undefined
  let current: TableLine | undefined
  let pending: Value[][] = []
  const seen: Record<string, number> = {}
  let trailer: { sha256: string } | undefined
  let bytes = 0
  let lineNo = 0
  const flush = async () => {
    if (current && pending.length) await handlers.rows?.(current.table, current.columns, pending)
    pending = []
  }
  for await (const { line, terminated } of lines(file)) {
    lineNo++
    if (trailer) throw new BackupFileError('the backup is damaged: content after its end line')
    if (!terminated) throw new BackupFileError('the backup is incomplete: it was cut short (no end line)')
    const what = `line ${lineNo}`
    const value = parse(line, what)
    if (lineNo === 1) {
      header = checkHeader(value)
    } else if (Array.isArray(value)) {
      if (!current) throw new BackupFileError(`the backup is damaged: a row before any table (${what})`)
      if (value.length !== current.columns.length) throw new BackupFileError(`the backup is damaged: ${what} has ${value.length} values for ${current.columns.length} columns`)
      try {
        pending.push(value.map(decodeValue))
      } catch {
        throw new BackupFileError(`the backup is damaged: ${what} holds a malformed value`)
      }
      seen[current.table] = (seen[current.table] ?? 0) + 1
      if (pending.length >= ROWS_PER_CALL) await flush()
    } else if (value && typeof value === 'object' && (value as { end?: unknown }).end === true) {
      await flush()
      trailer = { sha256: String((value as { sha256?: unknown }).sha256) }
      bytes += line.length + 1
      continue
    } else if (value && typeof value === 'object' && typeof (value as TableLine).table === 'string' && Array.isArray((value as TableLine).columns)) {
      await flush()
      const t = value as TableLine
      if (!header || !(t.table in header.counts) || t.table in seen) throw new BackupFileError(`the backup is damaged: unexpected table '${t.table}' (${what})`)
      current = { table: t.table, columns: t.columns.map(String) }
      seen[t.table] = 0
      await handlers.table?.(current)
    } else {
      throw new BackupFileError(`the backup is damaged: ${what} is neither a table, a row nor the end`)
    }
    hash.update(line)
    hash.update('\n')
    bytes += line.length + 1
  }
  if (!header) throw new BackupFileError('the backup is empty')
  if (!trailer) throw new BackupFileError('the backup is incomplete: it was cut short (no end line)')
  const digest = hash.digest('hex')
  if (digest !== trailer.sha256) throw new BackupFileError('the backup is damaged: its SHA-256 does not match its content')
  for (const [t, n] of Object.entries(header.counts))
    if ((seen[t] ?? 0) !== n) throw new BackupFileError(`the backup is damaged: table ${t} has ${seen[t] ?? 0} rows, the header says ${n}`)
  return { header, sha256: digest, bytes }
}
