import type { RotationConfig, RotationEvent, RotationLogger, RotationSecretsClient, RotationStep } from './contract.ts'

/** Messages between the rotation host and its isolated worker (structured-clone values only). */

export interface WorkerData {
  pluginFile: string
  config: RotationConfig
}

export interface WireError {
  name: string
  message: string
}

export type HostMessage =
  | { type: 'invoke'; event: RotationEvent; timeoutMs: number }
  | { type: 'result'; id: number; value?: unknown; error?: WireError }

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'load-failed'; error: WireError }
  | { type: 'call'; id: number; method: keyof RotationSecretsClient; input: unknown }
  | { type: 'log'; level: keyof RotationLogger; message: string; fields?: Record<string, unknown> }
  | { type: 'done'; step: RotationStep }
  | { type: 'failed'; step: RotationStep; error: WireError }
