import { MS } from '../../core/index.ts'
import type { Job } from '../scheduler/index.ts'

export const ROTATION_JOB_NAME = 'secretsmanager.rotate-due'
// Arca: rotation windows are an hour or more, so looking every minute is prompt enough.
export const ROTATION_JOB_INTERVAL_MS = MS.minute

/**
 * The scheduler job that starts due rotations inside their windows and runs due attempts. The
 * scheduler's lease makes one node run it at a time; each secret's own lease makes sure that an
 * attempt started elsewhere (RotateSecret, run-now) is never run twice at once.
 */
export function rotationJob(rotation: { runDue(now: number, signal?: AbortSignal): Promise<number> }, every: number | string = ROTATION_JOB_INTERVAL_MS): Job {
  return { name: ROTATION_JOB_NAME, every, run: (now, ctx) => rotation.runDue(now, ctx.signal) }
}
