export { type Capabilities, type Database, type DatabaseOptions, openDatabase, isPostgresUrl } from './db.ts'
export { migrateToLatest, schemaVersion } from './migrate.ts'
export { type MetaStore, metaStore } from './meta.ts'
export type * from './schema.ts'
