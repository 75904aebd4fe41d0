import type { Kysely } from 'kysely'
import * as m0001 from './0001-core.ts'
import * as m0002 from './0002-kms.ts'
import * as m0003 from './0003-identity.ts'
import * as m0004 from './0004-grants.ts'
import * as m0005 from './0005-notify.ts'
import * as m0006 from './0006-audit.ts'
import * as m0007 from './0007-params.ts'
import * as m0008 from './0008-secrets.ts'
import * as m0009 from './0009-rotation.ts'
import * as m0010 from './0010-expiry.ts'

export interface MigrationModule {
  up(db: Kysely<any>): Promise<void>
  down?(db: Kysely<any>): Promise<void>
}

/** Every migration, in order. Names never change once released. */
export const migrations: Record<string, MigrationModule> = {
  '0001-core': m0001,
  '0002-kms': m0002,
  '0003-identity': m0003,
  '0004-grants': m0004,
  '0005-notify': m0005,
  '0006-audit': m0006,
  '0007-params': m0007,
  '0008-secrets': m0008,
  '0009-rotation': m0009,
  '0010-expiry': m0010,
}
