/**
 * Backups: a consistent online export of every Arca table into a self-describing JSON-lines
 * archive (see format.ts), checked offline and restored into an empty database on either back
 * end. Data stays sealed as at rest: no key is needed to back up, and the archive reveals nothing
 * without the root key or the unseal shares.
 */
export { type BackupSink, type ExportOptions, exportBackup } from './export.ts'
export { type BackupSummary, type ReadHandlers, readBackup } from './read.ts'
export { type RestoreResult, restoreBackup } from './restore.ts'
export { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, type BackupHeader } from './format.ts'
export { type TableInfo, listTables } from './tables.ts'
