import type { Kysely } from 'kysely'
import type { Clock, Logger } from '../../core/index.ts'
import type { Caller } from '../../kms/index.ts'
import type { Schema } from '../../store/index.ts'
import type { Authorize, EventSink } from '../shared/index.ts'
import { runDueRotations } from './due.ts'
import { type RotationHost, createRotationHost } from './host.ts'
import { type OpsDeps, cancelRotateSecret, getRotation, listRotationAttempts, rotateNow, rotateSecret, setRotationPaused } from './ops.ts'
import type { ScopedSecrets } from './scope.ts'

export interface RotationDeps {
  db: Kysely<Schema>
  /** The secrets service: plugins' calls go through it, with its rules and authorization. */
  secrets: ScopedSecrets
  clock: Clock
  authorize: Authorize
  events: EventSink
  logger?: Logger
  pluginsDir: string
  nodeId: string
  /** Each step's time limit (default 30 s; a plugin's `timeoutSeconds` setting overrides it). */
  stepTimeoutMs?: number
}

type Bound<F> = F extends (deps: OpsDeps, caller: Caller, input: infer I) => infer O ? (caller: Caller, input: I) => O : never

export interface Rotation {
  rotateSecret: Bound<typeof rotateSecret>
  cancelRotateSecret: Bound<typeof cancelRotateSecret>
  getRotation: Bound<typeof getRotation>
  rotateNow: Bound<typeof rotateNow>
  setRotationPaused: Bound<typeof setRotationPaused>
  listRotationAttempts: Bound<typeof listRotationAttempts>
  /** The scheduler job's work (see job.ts); returns the attempts run. */
  runDue(now: number, signal?: AbortSignal): Promise<number>
  host: RotationHost
  /** Resolves when rotations started in the background on this node have ended. */
  idle(): Promise<void>
  /** Stops running plugins (their rotations resume later) and refuses new work. */
  stop(): Promise<void>
}

export function createRotation(deps: RotationDeps): Rotation {
  const host = createRotationHost(deps)
  const ops: OpsDeps = { db: deps.db, clock: deps.clock, authorize: deps.authorize, events: deps.events, pluginsDir: deps.pluginsDir, host }
  const bind =
    <I, O>(fn: (d: OpsDeps, c: Caller, i: I) => O) =>
    (caller: Caller, input: I) =>
      fn(ops, caller, input ?? ({} as I))
  return {
    rotateSecret: bind(rotateSecret),
    cancelRotateSecret: bind(cancelRotateSecret),
    getRotation: bind(getRotation),
    rotateNow: bind(rotateNow),
    setRotationPaused: bind(setRotationPaused),
    listRotationAttempts: bind(listRotationAttempts),
    runDue: (now, signal) => runDueRotations({ db: deps.db, host, ...(deps.logger ? { logger: deps.logger } : {}) }, now, signal),
    host,
    idle: () => host.idle(),
    stop: () => host.stop(),
  }
}
