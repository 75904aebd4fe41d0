import type { Kysely } from 'kysely'
import { type Logger, silentLogger, uuid } from '../../core/index.ts'
import type { Schema } from '../../store/index.ts'
import type { AttemptTrigger } from './history.ts'
import type { RotationHost } from './host.ts'
import { startPendingVersion } from './pending.ts'
import { storedSchedule, windowFor } from './schedule.ts'
import { beginRotation, ensureState, retryNow } from './state.ts'

// Arca: secrets looked at per run, and attempts run at once on one node (each is a worker thread).
export const DUE_BATCH = 100
export const ROTATION_CONCURRENCY = 2

export interface DueDeps {
  db: Kysely<Schema>
  host: RotationHost
  logger?: Logger
}

/**
 * The scheduler job's work at `now`: (1) secrets whose rotation is due and whose window is open
 * get a new rotation (a pending version, and the next window as NextRotationDate); (2) every
 * in-flight rotation that is due — just started, backing off after a failure, or left behind by
 * a node that died — gets an attempt, if this node wins its lease. Returns the attempts run.
 */
export async function runDueRotations(deps: DueDeps, now: number, signal?: AbortSignal): Promise<number> {
  const logger = deps.logger ?? silentLogger
  const triggers = new Map<string, AttemptTrigger>()
  const scheduled = await deps.db
    .selectFrom('secrets as s')
    .leftJoin('secret_rotations as r', 'r.secret_id', 's.id')
    .select(['s.id', 's.next_rotation_at', 's.rotation_rules', 'r.token', 'r.paused'])
    .where('s.rotation_enabled', '=', 1)
    .where('s.deleted_at', 'is', null)
    .where('s.next_rotation_at', '<=', now)
    .where((eb) => eb.or([eb('r.paused', 'is', null), eb('r.paused', '=', 0)]))
    .orderBy('s.next_rotation_at')
    .limit(DUE_BATCH)
    .execute()
  for (const s of scheduled) {
    if (signal?.aborted) break
    const due = s.next_rotation_at!
    const schedule = storedSchedule(s.rotation_rules, now)
    const window = schedule ? windowFor(schedule, due, now) : undefined
    try {
      await deps.db.transaction().execute(async (tx) => {
        // Compare-and-set on the due time: another node that got here first changed it.
        const moved = await tx
          .updateTable('secrets')
          .set({ next_rotation_at: !schedule ? null : window!.start > now ? window!.start : schedule.next(now) })
          .where('id', '=', s.id)
          .where('next_rotation_at', '=', due)
          .executeTakeFirst()
        if (Number(moved.numUpdatedRows) !== 1 || !window || window.start > now) return
        if (s.token) {
          // The rotation in flight never finished: this window reattempts it (AWS reuses its version).
          await retryNow(tx, s.id, now)
          return
        }
        await ensureState(tx, s.id)
        const pending = await startPendingVersion(tx, { id: s.id }, uuid(), now)
        if (!(await beginRotation(tx, s.id, pending.token, uuid(), now))) throw new Error('a rotation started concurrently')
        triggers.set(s.id, 'schedule')
      })
    } catch (e) {
      logger.warn('rotation: could not start a scheduled rotation', { secretId: s.id, error: e instanceof Error ? e.message : String(e) })
    }
  }

  const inFlight = await deps.db
    .selectFrom('secret_rotations')
    .select('secret_id')
    .where('token', 'is not', null)
    .where('paused', '=', 0)
    .where('next_attempt_at', '<=', now)
    .where('lease_expires_at', '<=', now)
    .orderBy('next_attempt_at')
    .limit(DUE_BATCH)
    .execute()
  const queue = inFlight.map((r) => r.secret_id)
  let ran = 0
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined && !signal?.aborted; id = queue.shift()) {
      const r = await deps.host.runAttempt(id, triggers.get(id) ?? 'retry')
      if (r.ran) ran++
    }
  }
  await Promise.all(Array.from({ length: ROTATION_CONCURRENCY }, worker))
  return ran
}
