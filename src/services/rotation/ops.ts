import type { Kysely } from 'kysely'
import { ArcaError, type Clock, uuid } from '../../core/index.ts'
import type { Caller } from '../../kms/index.ts'
import type { Schema } from '../../store/index.ts'
import { type SecretRow, authorizeOn, changeEvent, findSecret, lockSecret, requireNotDeleted } from '../secrets/index.ts'
import type { Authorize, EventSink } from '../shared/index.ts'
import { type RotationAttempt, listAttempts } from './history.ts'
import type { RotationHost } from './host.ts'
import { startPendingVersion } from './pending.ts'
import { MAX_ROTATION_LAMBDA_ARN_LENGTH, loadPlugin } from './plugins.ts'
import { type RotationRules, parseRotationRules, storedSchedule } from './schedule.ts'
import { beginRotation, clearRotation, ensureState, loadState, retryNow, setPaused } from './state.ts'

/** The rotation operations of the AWS face (RotateSecret, CancelRotateSecret) and of REST. */

export interface OpsDeps {
  db: Kysely<Schema>
  clock: Clock
  authorize: Authorize
  events: EventSink
  pluginsDir: string
  host: RotationHost
}

export interface RotateSecretInput {
  secretId: string
  clientRequestToken?: string
  rotationLambdaARN?: string
  rotationRules?: RotationRules
  rotateImmediately?: boolean
}

export const PREVIOUS_ROTATION_INCOMPLETE = "A previous rotation isn't complete. That rotation will be reattempted."

// AWS: ClientRequestToken 32–64 characters.
function checkToken(token: unknown): string | undefined {
  if (token === undefined || token === null) return undefined
  if (typeof token !== 'string' || token.length < 32 || token.length > 64)
    throw new ArcaError('Validation', "1 validation error detected: Value at 'clientRequestToken' failed to satisfy constraint: Member must have length between 32 and 64", { field: 'clientRequestToken' })
  return token
}

async function secretFor(deps: Pick<OpsDeps, 'db' | 'authorize'>, caller: Caller, secretId: string, action: string, extra?: Record<string, string>): Promise<SecretRow> {
  const row = await findSecret(deps.db, caller, secretId)
  await authorizeOn(deps, caller, action, row, extra)
  return row
}

/**
 * RotateSecret (AWS-API.md §5.4): saves the configuration, turns rotation on and, unless
 * RotateImmediately is false, starts a rotation whose steps run in the background. A retry with
 * the same ClientRequestToken answers the same version; a rotation already in flight is
 * reattempted and reported as AWS does.
 */
export async function rotateSecret(deps: OpsDeps, caller: Caller, input: RotateSecretInput): Promise<{ arn: string; name: string; versionId?: string }> {
  const lambda = input.rotationLambdaARN ?? undefined
  if (lambda !== undefined && (typeof lambda !== 'string' || lambda.length > MAX_ROTATION_LAMBDA_ARN_LENGTH))
    throw new ArcaError('Validation', `RotationLambdaARN must be a string of at most ${MAX_ROTATION_LAMBDA_ARN_LENGTH} characters.`, { field: 'rotationLambdaARN' })
  const row = await secretFor(deps, caller, input.secretId, 'RotateSecret', lambda ? { 'secretsmanager:RotationLambdaARN': lambda } : undefined)
  requireNotDeleted(row)
  const token = checkToken(input.clientRequestToken) ?? uuid()
  const plugin = lambda ?? row.rotation_lambda_arn
  if (!plugin) throw new ArcaError('InvalidRequest', 'No Lambda rotation function ARN is associated with this secret.')
  loadPlugin(deps.pluginsDir, plugin)
  const now = deps.clock.now()
  const rules = input.rotationRules !== undefined && input.rotationRules !== null ? parseRotationRules(input.rotationRules, now) : undefined
  const storedRules = input.rotationRules !== undefined && input.rotationRules !== null ? (rules?.stored ?? null) : row.rotation_rules
  const schedule = rules?.schedule ?? (storedRules ? storedSchedule(storedRules, now) : undefined)
  const immediately = input.rotateImmediately ?? true

  let versionId: string | undefined
  let incomplete = false
  await deps.db.transaction().execute(async (tx) => {
    await lockSecret(tx, row.id, now)
    await ensureState(tx, row.id)
    const state = await loadState(tx, row.id)
    // AWSCURRENT moves when this rotation ends; until then the next window is counted from now
    // (or, not rotating now, from the last rotation: AWS's "based on the previous rotation").
    const anchor = immediately ? now : (row.last_rotated_at ?? now)
    await tx
      .updateTable('secrets')
      .set({ rotation_enabled: 1, rotation_lambda_arn: plugin, rotation_rules: storedRules, next_rotation_at: schedule ? schedule.next(anchor) : null })
      .where('id', '=', row.id)
      .execute()
    if (immediately) {
      if (state?.token) {
        versionId = state.token
        incomplete = state.token !== token
        await retryNow(tx, row.id, now)
      } else {
        const pending = await startPendingVersion(tx, row, token, now)
        versionId = pending.token
        incomplete = pending.adopted
        if (!(await beginRotation(tx, row.id, pending.token, uuid(), now))) throw new ArcaError('Conflict', 'A rotation of this secret started at the same time; retry the request.')
      }
    }
    await deps.events.record(tx, changeEvent(row, 'RotateSecret', { rotationLambdaARN: plugin, ...(storedRules ? { rotationRules: JSON.parse(storedRules) } : {}), ...(versionId ? { versionId } : {}) }))
  })
  if (immediately) void deps.host.kick(row.id, 'api')
  if (incomplete) throw new ArcaError('InvalidRequest', PREVIOUS_ROTATION_INCOMPLETE)
  return { arn: row.arn, name: row.name, ...(versionId ? { versionId } : {}) }
}

/** CancelRotateSecret: automatic rotation off, an in-flight rotation stopped (its AWSPENDING version stays). */
export async function cancelRotateSecret(deps: OpsDeps, caller: Caller, input: { secretId: string }): Promise<{ arn: string; name: string; versionId?: string }> {
  const row = await secretFor(deps, caller, input.secretId, 'CancelRotateSecret')
  requireNotDeleted(row)
  const state = await loadState(deps.db, row.id)
  await deps.db.transaction().execute(async (tx) => {
    await lockSecret(tx, row.id, deps.clock.now())
    await tx.updateTable('secrets').set({ rotation_enabled: 0, next_rotation_at: null }).where('id', '=', row.id).execute()
    await clearRotation(tx, row.id)
    await deps.events.record(tx, changeEvent(row, 'CancelRotateSecret', state?.token ? { versionId: state.token } : {}))
  })
  await deps.host.interrupt(row.id)
  return { arn: row.arn, name: row.name, ...(state?.token ? { versionId: state.token } : {}) }
}

/** What REST and the CLI show of a secret's rotation. */
export interface RotationStatus {
  arn: string
  name: string
  enabled: boolean
  paused: boolean
  rotationLambdaARN?: string
  rotationRules?: { automaticallyAfterDays?: number; scheduleExpression?: string; duration?: string }
  lastRotatedDate?: number
  nextRotationDate?: number
  inFlight?: { versionId: string; nextStep: string; attempts: number; nextAttemptDate?: number; lastError?: string; startedDate?: number }
}

export async function getRotation(deps: OpsDeps, caller: Caller, input: { secretId: string }): Promise<RotationStatus> {
  const row = await secretFor(deps, caller, input.secretId, 'DescribeSecret')
  const state = await loadState(deps.db, row.id)
  const out: RotationStatus = { arn: row.arn, name: row.name, enabled: row.rotation_enabled === 1, paused: state?.paused === 1 }
  if (row.rotation_lambda_arn) out.rotationLambdaARN = row.rotation_lambda_arn
  if (row.rotation_rules) {
    const r = JSON.parse(row.rotation_rules) as { AutomaticallyAfterDays?: number; ScheduleExpression?: string; Duration?: string }
    out.rotationRules = {
      ...(r.AutomaticallyAfterDays !== undefined ? { automaticallyAfterDays: r.AutomaticallyAfterDays } : {}),
      ...(r.ScheduleExpression !== undefined ? { scheduleExpression: r.ScheduleExpression } : {}),
      ...(r.Duration !== undefined ? { duration: r.Duration } : {}),
    }
  }
  if (row.last_rotated_at !== null) out.lastRotatedDate = row.last_rotated_at
  if (row.next_rotation_at !== null && row.rotation_enabled === 1) out.nextRotationDate = row.next_rotation_at
  if (state?.token) {
    out.inFlight = { versionId: state.token, nextStep: state.step ?? 'createSecret', attempts: state.attempts }
    if (state.next_attempt_at !== null) out.inFlight.nextAttemptDate = state.next_attempt_at
    if (state.last_error !== null) out.inFlight.lastError = state.last_error
    if (state.started_at !== null) out.inFlight.startedDate = state.started_at
  }
  return out
}

/**
 * Run now (REST, CLI): reattempts the rotation in flight at once, or starts a new one with the
 * saved configuration. `wait` resolves after the attempt instead of in the background.
 */
export async function rotateNow(deps: OpsDeps, caller: Caller, input: { secretId: string; wait?: boolean }): Promise<{ arn: string; name: string; versionId: string; outcome?: string }> {
  const row = await secretFor(deps, caller, input.secretId, 'RotateSecret')
  requireNotDeleted(row)
  if (row.rotation_enabled !== 1 || !row.rotation_lambda_arn) throw new ArcaError('InvalidRequest', 'Rotation is not configured for this secret: configure it first (RotateSecret or PUT …/rotation).')
  const now = deps.clock.now()
  let versionId = ''
  await deps.db.transaction().execute(async (tx) => {
    await ensureState(tx, row.id)
    const state = await loadState(tx, row.id)
    if (state?.paused === 1) throw new ArcaError('InvalidRequest', 'Rotation of this secret is paused; resume it first.')
    if (state?.token) {
      versionId = state.token
      await retryNow(tx, row.id, now)
      return
    }
    const pending = await startPendingVersion(tx, row, uuid(), now)
    versionId = pending.token
    if (!(await beginRotation(tx, row.id, pending.token, uuid(), now))) throw new ArcaError('Conflict', 'A rotation of this secret started at the same time; retry the request.')
  })
  const run = deps.host.kick(row.id, 'manual')
  if (!input.wait) return { arn: row.arn, name: row.name, versionId }
  const r = await run
  return { arn: row.arn, name: row.name, versionId, outcome: r.ran ? r.outcome : 'not-run' }
}

/** Pause (no attempt starts, a running one stops at its next step) or resume. */
export async function setRotationPaused(deps: OpsDeps, caller: Caller, input: { secretId: string; paused: boolean }): Promise<RotationStatus> {
  const row = await secretFor(deps, caller, input.secretId, 'RotateSecret')
  requireNotDeleted(row)
  await deps.db.transaction().execute(async (tx) => {
    await setPaused(tx, row.id, input.paused)
    // Resumed: an interrupted or backed-off rotation may go at once.
    if (!input.paused) await retryNow(tx, row.id, deps.clock.now())
  })
  if (input.paused) await deps.host.interrupt(row.id)
  return getRotation(deps, caller, { secretId: row.arn })
}

export async function listRotationAttempts(
  deps: OpsDeps,
  caller: Caller,
  input: { secretId: string; limit?: number; cursor?: string },
): Promise<{ arn: string; name: string; attempts: RotationAttempt[]; nextCursor?: string }> {
  const row = await secretFor(deps, caller, input.secretId, 'DescribeSecret')
  return { arn: row.arn, name: row.name, ...(await listAttempts(deps.db, row.id, input.limit, input.cursor)) }
}
