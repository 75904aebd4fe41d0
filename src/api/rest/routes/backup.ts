import { Hono } from 'hono'
import { stream } from 'hono/streaming'
import { type Clock, isArcaError, type Logger, VERSION } from '../../../core/index.ts'
import { type Database, exportBackup } from '../../../store/index.ts'
import type { AppEnv } from '../env.ts'
import { deniedTo, principalOf } from './account-scope.ts'
import { problem } from '../problem.ts'

export interface BackupRouteOptions {
  /** Only this account's administrator may take a backup (it holds every account's data). */
  defaultAccount: string
  clock: Clock
  log?: Pick<Logger, 'error'>
}

/**
 * `POST /v1/admin/backup`: streams a consistent snapshot of the whole database (sealed values
 * stay sealed). A failure mid-stream cuts the archive short, which `--verify` and a restore detect.
 */
export function createBackupRoutes(database: Pick<Database, 'db' | 'caps' | 'file'>, opts: BackupRouteOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.onError((err, c) => {
    if (!isArcaError(err) || err.code === 'Internal') opts.log?.error('backup request failed', { error: String(err) })
    return problem(c, err)
  })
  app.post('/', (c) => {
    const p = principalOf(c)
    if (!(p.admin && p.account === opts.defaultAccount)) throw deniedTo(p, "taking a backup (only the default account's administrator may)")
    c.header('content-type', 'application/x-ndjson')
    c.header('content-disposition', 'attachment; filename="arca-backup.jsonl"')
    return stream(
      c,
      async (s) => {
        await exportBackup(database, (chunk) => s.write(chunk).then(() => undefined), { arcaVersion: VERSION, createdAt: opts.clock.now() })
      },
      async (err) => {
        opts.log?.error('backup stream failed', { error: String(err) })
      },
    )
  })
  return app
}
