import type { Kysely } from 'kysely'
import { type Clock, type Logger, MS, silentLogger, uuid } from '../../core/index.ts'
import type { Caller } from '../../kms/index.ts'
import type { Schema } from '../../store/index.ts'
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS, type SecretRow, loadLabels } from '../secrets/index.ts'
import type { EventSink } from '../shared/index.ts'
import { ROTATION_STEPS, type RotationStep } from './contract.ts'
import { rotationEvent } from './events.ts'
import { type AttemptOutcome, type AttemptTrigger, type StepRecord, countAttempts, endAttempt, hasRunningAttempt, insertAttempt, saveSteps } from './history.ts'
import { DEFAULT_STEP_TIMEOUT_MS, loadPlugin, pluginConfig } from './plugins.ts'
import { type IsolatedPlugin, StepError, startPlugin } from './runner.ts'
import { Sanitiser } from './sanitise.ts'
import { storedSchedule } from './schedule.ts'
import { type ScopedSecrets, scopedCall } from './scope.ts'
import { advanceStep, clearRotation, claimRotation, countAttempt, failRotation, loadState, releaseRotation, renewRotation } from './state.ts'

// Arca: retries of a failed rotation (AWS retries "several times" without saying how many):
// 1, 2, 4, 8 minutes after each failure, then the rotation waits for its next window or a
// manual run (AWS-API.md §5.4: the pending version is kept and reused).
export const MAX_ATTEMPTS = 5
export const RETRY_BASE_MS = MS.minute
export const RETRY_CAP_MS = MS.hour
// Arca: a running rotation's lease lasts a step's time limit plus this margin, renewed before each step.
const LEASE_MARGIN_MS = MS.minute

export function retryDelay(failures: number): number {
  return Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.max(0, failures - 1))
}

export interface HostDeps {
  db: Kysely<Schema>
  secrets: ScopedSecrets
  clock: Clock
  events: EventSink
  logger?: Logger
  /** Where `plugins/<name>/index.ts` live. */
  pluginsDir: string
  /** Names this node in leases and the history. */
  nodeId: string
  /** Each step's time limit unless the plugin's configuration sets `timeoutSeconds` (default 30 s). */
  stepTimeoutMs?: number
}

export type AttemptResult = { ran: false } | { ran: true; attemptId: string; outcome: AttemptOutcome }

export interface RotationHost {
  /**
   * Runs one attempt of the secret's in-flight rotation if this node wins its lease (and it is
   * due, unless `force`): the steps from where the rotation stands, each isolated and timed.
   */
  runAttempt(secretId: string, trigger: AttemptTrigger, force?: boolean): Promise<AttemptResult>
  /** runAttempt in the background (RotateSecret answers before the rotation ends). */
  kick(secretId: string, trigger: AttemptTrigger): Promise<AttemptResult>
  /** Stops this node's running attempt of a secret (cancel): it ends as interrupted. */
  interrupt(secretId: string): Promise<void>
  /** Resolves when no attempt started by kick() is running. */
  idle(): Promise<void>
  /** Stops every running plugin (attempts end as interrupted and resume later) and refuses new work. */
  stop(): Promise<void>
}

/** The principal a rotation acts as: the secret's own account. */
export function rotationCaller(row: Pick<SecretRow, 'account' | 'region'>): Caller {
  return { account: row.account, region: row.region, principalArn: `arn:aws:iam::${row.account}:root`, admin: true }
}

function describeError(e: unknown): string {
  if (e instanceof StepError) return e.errorName && e.errorName !== 'Error' ? `${e.errorName}: ${e.message}` : e.message
  return e instanceof Error ? e.message : String(e)
}

export function createRotationHost(deps: HostDeps): RotationHost {
  const { db, clock } = deps
  const logger = deps.logger ?? silentLogger
  const defaultTimeout = deps.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS
  const active = new Map<string, { stopped: boolean; close?: () => Promise<void> }>()
  const kicked = new Set<Promise<unknown>>()
  let stopped = false

  /** Values the plugin may meet, for the sanitiser; and the superuser secret it may read. */
  async function preload(caller: Caller, row: SecretRow, sanitiser: Sanitiser): Promise<Set<string>> {
    const readable = new Set<string>()
    for (const stage of [AWSCURRENT, AWSPENDING, AWSPREVIOUS]) {
      const v = await deps.secrets.getSecretValue(caller, { secretId: row.arn, versionStage: stage }).catch(() => undefined)
      if (!v) continue
      sanitiser.add(v.secretString)
      sanitiser.add(v.secretBinary)
      if (stage !== AWSCURRENT || v.secretString === undefined) continue
      let master: unknown
      try {
        master = (JSON.parse(v.secretString) as { masterarn?: unknown }).masterarn
      } catch {
        master = undefined
      }
      if (typeof master === 'string' && master.length > 0) {
        readable.add(master)
        const m = await deps.secrets.getSecretValue(caller, { secretId: master }).catch(() => undefined)
        sanitiser.add(m?.secretString)
        sanitiser.add(m?.secretBinary)
      }
    }
    return readable
  }

  async function attempt(secretId: string, holder: string, trigger: AttemptTrigger, running: { stopped: boolean; close?: () => Promise<void> }): Promise<AttemptResult> {
    const state = await loadState(db, secretId)
    if (!state?.token) return { ran: false }
    const token = state.token
    const row = await db.selectFrom('secrets').selectAll().where('id', '=', secretId).executeTakeFirst()
    if (!row || row.deleted_at !== null || row.rotation_enabled !== 1 || !row.rotation_lambda_arn) {
      await db.transaction().execute((tx) => clearRotation(tx, secretId))
      return { ran: false }
    }
    const attemptId = uuid()
    // The attempt's number in the history (per version); `budget` counts towards MAX_ATTEMPTS and
    // starts again when a rotation is run by hand or by a new window.
    const attemptNo = (await countAttempts(db, secretId, token)) + 1
    const budget = state.attempts + 1
    const resumed = trigger === 'retry' && (await hasRunningAttempt(db, secretId)) ? 'resume' : trigger
    const plugin = (() => {
      try {
        return loadPlugin(deps.pluginsDir, row.rotation_lambda_arn!)
      } catch {
        return undefined
      }
    })()
    const pluginName = plugin?.name ?? row.rotation_lambda_arn
    const steps: StepRecord[] = []
    const begin = async (outcome?: 'abandoned', error?: string) =>
      db.transaction().execute(async (tx) => {
        const now = clock.now()
        await countAttempt(tx, secretId, holder)
        await insertAttempt(tx, { id: attemptId, secretId, token, attempt: attemptNo, trigger: resumed, plugin: pluginName, node: deps.nodeId, now })
        if (outcome === 'abandoned') {
          await endAttempt(tx, attemptId, now, 'abandoned', steps, { error: error! })
          await clearRotation(tx, secretId)
          await deps.events.record(tx, rotationEvent(row, 'RotationAbandoned', { versionId: token, reason: error }))
          return
        }
        await deps.events.record(tx, rotationEvent(row, 'RotationStarted', { versionId: token, attempt: attemptNo, trigger: resumed, fromStep: state.step ?? 'createSecret' }))
      })

    // AWS-API.md §5.4: a manual change that took AWSPENDING away abandons the rotation.
    const labels = await loadLabels(db, secretId)
    if (labels.get(AWSPENDING) !== token && labels.get(AWSCURRENT) !== token) {
      await begin('abandoned', `version ${token} no longer holds AWSPENDING (the secret was changed by hand); the rotation was abandoned`)
      logger.warn('rotation abandoned', { secretArn: row.arn, versionId: token })
      return { ran: true, attemptId, outcome: 'abandoned' }
    }
    await begin()

    const sanitiser = new Sanitiser()
    let isolated: IsolatedPlugin | undefined
    let failure: { step: RotationStep; error: string } | undefined
    let interrupted = false
    const first = ROTATION_STEPS.indexOf((state.step ?? 'createSecret') as RotationStep)
    try {
      if (!plugin) loadPlugin(deps.pluginsDir, row.rotation_lambda_arn) // throws the reason
      const { config, timeoutMs } = pluginConfig(deps.pluginsDir, plugin!, JSON.parse(row.tags) as { Key: string; Value: string }[], defaultTimeout)
      const leaseMs = timeoutMs + LEASE_MARGIN_MS
      const caller = rotationCaller(row)
      const readable = await preload(caller, row, sanitiser)
      const target = { arn: row.arn, name: row.name, token, rotationToken: state.rotation_token ?? token, readable }
      isolated = await startPlugin({
        pluginFile: plugin!.file,
        config,
        onCall: scopedCall(deps.secrets, caller, target, sanitiser),
        onLog: (level, message, fields) => logger[level](`rotation plugin ${plugin!.name}: ${sanitiser.clean(message)}`, { secretArn: row.arn, versionId: token, ...sanitiser.cleanFields(fields) }),
      })
      const worker = isolated
      running.close = () => worker.close()
      for (const step of ROTATION_STEPS.slice(first < 0 ? 0 : first)) {
        if (running.stopped || !(await renewRotation(db, secretId, holder, token, clock.now(), leaseMs))) {
          interrupted = true
          break
        }
        const rec: StepRecord = { step, startedAt: clock.now(), outcome: 'running' }
        steps.push(rec)
        await saveSteps(db, attemptId, steps)
        try {
          await worker.invoke({ Step: step, SecretId: row.arn, ClientRequestToken: token, RotationToken: target.rotationToken }, timeoutMs)
        } catch (e) {
          rec.endedAt = clock.now()
          if (e instanceof StepError && e.kind === 'stopped') {
            rec.outcome = 'interrupted'
            interrupted = true
          } else {
            rec.outcome = e instanceof StepError && e.kind === 'timeout' ? 'timeout' : 'failed'
            rec.error = sanitiser.clean(describeError(e))
            failure = { step, error: rec.error }
          }
          break
        }
        rec.endedAt = clock.now()
        rec.outcome = 'succeeded'
        const next = ROTATION_STEPS[ROTATION_STEPS.indexOf(step) + 1]
        await db.transaction().execute(async (tx) => {
          if (next) await advanceStep(tx, secretId, holder, next)
          await saveSteps(tx, attemptId, steps)
        })
      }
    } catch (e) {
      const step = steps.at(-1)?.step ?? ROTATION_STEPS[Math.max(0, first)]!
      failure = { step, error: sanitiser.clean(describeError(e)) }
    } finally {
      await isolated?.close().catch(() => {})
    }

    if (interrupted || running.stopped) {
      await endAttempt(db, attemptId, clock.now(), 'interrupted', steps, { error: 'the rotation was stopped (cancelled, paused, or the node shut down); it resumes at the interrupted step' })
      return { ran: true, attemptId, outcome: 'interrupted' }
    }
    if (!failure && (await loadLabels(db, secretId)).get(AWSCURRENT) !== token)
      failure = { step: 'finishSecret', error: `finishSecret ended but version ${token} is not AWSCURRENT` }

    const now = clock.now()
    const schedule = storedSchedule(row.rotation_rules, now)
    if (failure) {
      const exhausted = budget >= MAX_ATTEMPTS
      const nextAttemptAt = exhausted ? null : now + retryDelay(budget)
      const f = failure
      await db.transaction().execute(async (tx) => {
        await failRotation(tx, secretId, holder, f.error, nextAttemptAt)
        // Out of retries: the next window tries again with the same pending version.
        if (exhausted && schedule) await tx.updateTable('secrets').set({ next_rotation_at: schedule.next(now) }).where('id', '=', secretId).execute()
        await endAttempt(tx, attemptId, now, 'failed', steps, { step: f.step, error: f.error })
        await deps.events.record(
          tx,
          rotationEvent(row, 'RotationFailed', { versionId: token, attempt: attemptNo, step: f.step, error: f.error, ...(nextAttemptAt !== null ? { nextAttemptDate: nextAttemptAt } : { willRetry: false }) }),
        )
      })
      logger.warn('rotation failed', { secretArn: row.arn, versionId: token, step: f.step, attempt: attemptNo, error: f.error })
      return { ran: true, attemptId, outcome: 'failed' }
    }
    await db.transaction().execute(async (tx) => {
      await clearRotation(tx, secretId)
      await tx
        .updateTable('secrets')
        .set({ last_rotated_at: now, next_rotation_at: schedule ? schedule.next(now) : null })
        .where('id', '=', secretId)
        .execute()
      await endAttempt(tx, attemptId, now, 'succeeded', steps)
      await deps.events.record(tx, rotationEvent(row, 'RotationSucceeded', { versionId: token, attempt: attemptNo }))
    })
    logger.info('rotation succeeded', { secretArn: row.arn, versionId: token, attempt: attemptNo })
    return { ran: true, attemptId, outcome: 'succeeded' }
  }

  async function runAttempt(secretId: string, trigger: AttemptTrigger, force = false): Promise<AttemptResult> {
    if (stopped || active.has(secretId)) return { ran: false }
    const holder = `${deps.nodeId}/${uuid()}`
    const running: { stopped: boolean; close?: () => Promise<void> } = { stopped: false }
    active.set(secretId, running)
    try {
      if (!(await claimRotation(db, secretId, holder, clock.now(), defaultTimeout + LEASE_MARGIN_MS, force))) return { ran: false }
      try {
        return await attempt(secretId, holder, trigger, running)
      } finally {
        await releaseRotation(db, secretId, holder).catch(() => {})
      }
    } finally {
      active.delete(secretId)
    }
  }

  return {
    runAttempt,
    kick(secretId, trigger) {
      const p = runAttempt(secretId, trigger, true).catch((e: unknown) => {
        logger.error('rotation attempt failed to run', { secretId, error: e instanceof Error ? e.message : String(e) })
        return { ran: false } as const
      })
      kicked.add(p)
      void p.finally(() => kicked.delete(p))
      return p
    },
    async interrupt(secretId) {
      const r = active.get(secretId)
      if (!r) return
      r.stopped = true
      await r.close?.()
    },
    async idle() {
      while (kicked.size) await Promise.allSettled([...kicked])
    },
    async stop() {
      stopped = true
      for (const r of active.values()) {
        r.stopped = true
        await r.close?.().catch(() => {})
      }
      while (kicked.size) await Promise.allSettled([...kicked])
    },
  }
}
