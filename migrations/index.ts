import type { Kysely } from 'kysely'
import * as m0001 from './0001-core.ts'
import * as m0002 from './0002-kms.ts'
import * as m0003 from './0003-identity.ts'

export interface MigrationModule {
  up(db: Kysely<any>): Promise<void>
  down?(db: Kysely<any>): Promise<void>
}

/** Every migration, in order. Names never change once released. */
export const migrations: Record<string, MigrationModule> = {
  '0001-core': m0001,
  '0002-kms': m0002,
  '0003-identity': m0003,
}
