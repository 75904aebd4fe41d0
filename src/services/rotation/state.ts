import type { Kysely } from 'kysely'
import type { Schema, SecretRotationTable } from '../../store/index.ts'
import type { RotationStep } from './contract.ts'

/**
 * `secret_rotations`: a secret's in-flight rotation and the lease on it. Every change is a
 * compare-and-set on the row, so two nodes never run the same secret's rotation at once: a run
 * claims the lease (`lease_expires_at <= now`), renews it before each step (which also notices a
 * cancel or a pause), and releases it at the end. A node that dies leaves its lease to lapse;
 * whoever claims it next resumes at `step`.
 */
export type RotationState = SecretRotationTable

export async function ensureState(tx: Kysely<Schema>, secretId: string): Promise<void> {
  await tx
    .insertInto('secret_rotations')
    .values({ secret_id: secretId, paused: 0, token: null, rotation_token: null, step: null, attempts: 0, next_attempt_at: null, started_at: null, last_error: null, lease_holder: '', lease_expires_at: 0 })
    .onConflict((oc) => oc.column('secret_id').doNothing())
    .execute()
}

export async function loadState(db: Kysely<Schema>, secretId: string): Promise<RotationState | undefined> {
  return db.selectFrom('secret_rotations').selectAll().where('secret_id', '=', secretId).executeTakeFirst()
}

/** Marks a new rotation in flight (only when none is); its first attempt is due at once. */
export async function beginRotation(tx: Kysely<Schema>, secretId: string, token: string, rotationToken: string, now: number): Promise<boolean> {
  const r = await tx
    .updateTable('secret_rotations')
    .set({ token, rotation_token: rotationToken, step: 'createSecret', attempts: 0, next_attempt_at: now, started_at: now, last_error: null })
    .where('secret_id', '=', secretId)
    .where('token', 'is', null)
    .executeTakeFirst()
  return Number(r.numUpdatedRows) === 1
}

/**
 * Claims the lease of an in-flight rotation that is due (or any in-flight one when `force`).
 * True when this holder now runs it.
 */
export async function claimRotation(db: Kysely<Schema>, secretId: string, holder: string, now: number, ttlMs: number, force: boolean): Promise<boolean> {
  let q = db
    .updateTable('secret_rotations')
    .set({ lease_holder: holder, lease_expires_at: now + ttlMs })
    .where('secret_id', '=', secretId)
    .where('token', 'is not', null)
    .where('paused', '=', 0)
    .where('lease_expires_at', '<=', now)
  if (!force) q = q.where('next_attempt_at', '<=', now)
  const r = await q.executeTakeFirst()
  return Number(r.numUpdatedRows) === 1
}

/** Extends the lease before a step; false when it was lost, or the rotation was cancelled or paused. */
export async function renewRotation(db: Kysely<Schema>, secretId: string, holder: string, token: string, now: number, ttlMs: number): Promise<boolean> {
  const r = await db
    .updateTable('secret_rotations')
    .set({ lease_expires_at: now + ttlMs })
    .where('secret_id', '=', secretId)
    .where('lease_holder', '=', holder)
    .where('token', '=', token)
    .where('paused', '=', 0)
    .executeTakeFirst()
  return Number(r.numUpdatedRows) === 1
}

export async function countAttempt(tx: Kysely<Schema>, secretId: string, holder: string): Promise<void> {
  await tx
    .updateTable('secret_rotations')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('secret_id', '=', secretId)
    .where('lease_holder', '=', holder)
    .execute()
}

/** The step to run next, once the one before it succeeded. */
export async function advanceStep(tx: Kysely<Schema>, secretId: string, holder: string, step: RotationStep): Promise<void> {
  await tx.updateTable('secret_rotations').set({ step }).where('secret_id', '=', secretId).where('lease_holder', '=', holder).execute()
}

/** A failed attempt: the next one starts over at createSecret (steps are idempotent) at `nextAttemptAt`. */
export async function failRotation(tx: Kysely<Schema>, secretId: string, holder: string, error: string, nextAttemptAt: number | null): Promise<void> {
  await tx
    .updateTable('secret_rotations')
    .set({ step: 'createSecret', last_error: error, next_attempt_at: nextAttemptAt, lease_holder: '', lease_expires_at: 0 })
    .where('secret_id', '=', secretId)
    .where('lease_holder', '=', holder)
    .execute()
}

/** Nothing in flight any more (success, abandonment, cancel). */
export async function clearRotation(tx: Kysely<Schema>, secretId: string): Promise<void> {
  await tx
    .updateTable('secret_rotations')
    .set({ token: null, rotation_token: null, step: null, attempts: 0, next_attempt_at: null, started_at: null, last_error: null, lease_holder: '', lease_expires_at: 0 })
    .where('secret_id', '=', secretId)
    .execute()
}

/** Gives the lease back (the rotation stays where it is, due again at once). */
export async function releaseRotation(db: Kysely<Schema>, secretId: string, holder: string): Promise<void> {
  await db.updateTable('secret_rotations').set({ lease_holder: '', lease_expires_at: 0 }).where('secret_id', '=', secretId).where('lease_holder', '=', holder).execute()
}

export async function setPaused(tx: Kysely<Schema>, secretId: string, paused: boolean): Promise<void> {
  await ensureState(tx, secretId)
  await tx.updateTable('secret_rotations').set({ paused: paused ? 1 : 0 }).where('secret_id', '=', secretId).execute()
}

/** Makes an in-flight rotation due now (RotateSecret again, run-now, a new window), with fresh retries. */
export async function retryNow(tx: Kysely<Schema>, secretId: string, now: number): Promise<void> {
  await tx.updateTable('secret_rotations').set({ next_attempt_at: now, attempts: 0 }).where('secret_id', '=', secretId).where('token', 'is not', null).execute()
}
