import type { Kysely } from 'kysely'
import { ArcaError } from '../../core/index.ts'
import type { Schema } from '../../store/index.ts'
import type { RotationStep } from './contract.ts'

/** `secret_rotation_attempts`: every attempt and its steps, for `/v1/secrets/{name}/rotations`. */

export type AttemptOutcome = 'running' | 'succeeded' | 'failed' | 'interrupted' | 'abandoned'
export type AttemptTrigger = 'api' | 'schedule' | 'retry' | 'manual' | 'resume'

export interface StepRecord {
  step: RotationStep
  startedAt: number
  endedAt?: number
  outcome: 'running' | 'succeeded' | 'failed' | 'timeout' | 'interrupted'
  /** Sanitised: no secret value. */
  error?: string
}

export interface RotationAttempt {
  id: string
  versionId: string
  attempt: number
  trigger: AttemptTrigger
  plugin: string
  node: string
  startedAt: number
  endedAt?: number
  outcome: AttemptOutcome
  failedStep?: string
  error?: string
  steps: StepRecord[]
}

// Arca: history pages (REST `limit`), 1–100, 20 by default.
export const MAX_HISTORY_PAGE = 100
export const DEFAULT_HISTORY_PAGE = 20

export async function insertAttempt(
  tx: Kysely<Schema>,
  a: { id: string; secretId: string; token: string; attempt: number; trigger: AttemptTrigger; plugin: string; node: string; now: number },
): Promise<void> {
  // An attempt still 'running' here was cut short by a crash: say so.
  await tx
    .updateTable('secret_rotation_attempts')
    .set({ outcome: 'interrupted', ended_at: a.now, error: 'the node running this attempt stopped before it ended' })
    .where('secret_id', '=', a.secretId)
    .where('outcome', '=', 'running')
    .execute()
  await tx
    .insertInto('secret_rotation_attempts')
    .values({ id: a.id, secret_id: a.secretId, token: a.token, attempt: a.attempt, trigger: a.trigger, plugin: a.plugin, node: a.node, started_at: a.now, ended_at: null, outcome: 'running', failed_step: null, error: null, steps: '[]' })
    .execute()
}

export async function saveSteps(db: Kysely<Schema>, id: string, steps: StepRecord[]): Promise<void> {
  await db.updateTable('secret_rotation_attempts').set({ steps: JSON.stringify(steps) }).where('id', '=', id).execute()
}

export async function endAttempt(db: Kysely<Schema>, id: string, now: number, outcome: AttemptOutcome, steps: StepRecord[], failure?: { step?: string; error: string }): Promise<void> {
  await db
    .updateTable('secret_rotation_attempts')
    .set({ ended_at: now, outcome, steps: JSON.stringify(steps), failed_step: failure?.step ?? null, error: failure?.error ?? null })
    .where('id', '=', id)
    .execute()
}

/** Did an attempt on this secret stop without ending (its node died)? */
export async function hasRunningAttempt(db: Kysely<Schema>, secretId: string): Promise<boolean> {
  const r = await db.selectFrom('secret_rotation_attempts').select('id').where('secret_id', '=', secretId).where('outcome', '=', 'running').limit(1).executeTakeFirst()
  return r !== undefined
}

/** How many attempts a rotation (one version) has had. */
export async function countAttempts(db: Kysely<Schema>, secretId: string, token: string): Promise<number> {
  const r = await db
    .selectFrom('secret_rotation_attempts')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('secret_id', '=', secretId)
    .where('token', '=', token)
    .executeTakeFirstOrThrow()
  return Number(r.n)
}

/** Newest first; `cursor` is the opaque next-page token of the previous page. */
export async function listAttempts(db: Kysely<Schema>, secretId: string, limit = DEFAULT_HISTORY_PAGE, cursor?: string): Promise<{ attempts: RotationAttempt[]; nextCursor?: string }> {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY_PAGE) throw new ArcaError('Validation', `limit must be from 1 to ${MAX_HISTORY_PAGE}.`, { field: 'limit' })
  let offset = 0
  if (cursor !== undefined) {
    const m = /^a1\.(\d{1,9})$/.exec(cursor)
    if (!m) throw new ArcaError('InvalidMarker', 'The cursor is not valid.', { field: 'cursor' })
    offset = Number(m[1])
  }
  const rows = await db
    .selectFrom('secret_rotation_attempts')
    .selectAll()
    .where('secret_id', '=', secretId)
    .orderBy('started_at', 'desc')
    .orderBy('attempt', 'desc')
    .orderBy('id')
    .limit(limit + 1)
    .offset(offset)
    .execute()
  const attempts = rows.slice(0, limit).map((r) => {
    const a: RotationAttempt = {
      id: r.id,
      versionId: r.token,
      attempt: r.attempt,
      trigger: r.trigger as AttemptTrigger,
      plugin: r.plugin,
      node: r.node,
      startedAt: r.started_at,
      outcome: r.outcome as AttemptOutcome,
      steps: JSON.parse(r.steps) as StepRecord[],
    }
    if (r.ended_at !== null) a.endedAt = r.ended_at
    if (r.failed_step !== null) a.failedStep = r.failed_step
    if (r.error !== null) a.error = r.error
    return a
  })
  return { attempts, ...(rows.length > limit ? { nextCursor: `a1.${offset + limit}` } : {}) }
}
