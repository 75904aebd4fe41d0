import { Worker } from 'node:worker_threads'
import type { RotationConfig, RotationEvent, RotationLogger, RotationSecretsClient } from './contract.ts'
import type { HostMessage, WireError, WorkerData, WorkerMessage } from './protocol.ts'

/**
 * Runs a plugin in a worker thread of its own, one step at a time, each under a time limit: a
 * step that overruns is ended by terminating the thread (which stops even a busy loop). One
 * worker serves the steps of one attempt, as a warm Lambda container serves consecutive
 * invocations; the next attempt gets a fresh one.
 *
 * Why a worker thread: it starts faster than a child process and `terminate()` is immediate.
 * Either way the plugin's TypeScript is loaded through tsx, which a worker thread must register
 * again (Node 20 does not pass the host's loader on): about 0.5–1 s per attempt, measured.
 */

// Arca: loading tsx, the plugin and its driver in a fresh worker; generous on a busy machine.
export const BOOT_TIMEOUT_MS = 60_000
// Arca: a plugin's memory ceiling (old generation), so a runaway plugin fails alone.
const MAX_OLD_GENERATION_MB = 256

const BOOT = new URL('./worker-boot.mjs', import.meta.url)

export class StepError extends Error {
  constructor(
    /** 'failed': the handler threw; 'timeout': killed at the limit; 'crashed': the worker died. */
    readonly kind: 'failed' | 'timeout' | 'crashed' | 'stopped',
    message: string,
    readonly errorName = 'Error',
  ) {
    super(message)
    this.name = 'StepError'
  }
}

export interface RunnerOptions {
  pluginFile: string
  config: RotationConfig
  /** A call the plugin made to `context.secrets`; reject with a WireError. */
  onCall(method: keyof RotationSecretsClient, input: unknown): Promise<unknown>
  /** A log line of the plugin (logger calls, and its stdout/stderr). */
  onLog(level: keyof RotationLogger, message: string, fields?: Record<string, unknown>): void
}

export interface IsolatedPlugin {
  /** Runs one step; rejects with a StepError. */
  invoke(event: RotationEvent, timeoutMs: number): Promise<void>
  /** Ends the worker at once (a running step rejects with kind 'stopped'). */
  close(): Promise<void>
}

export async function startPlugin(opts: RunnerOptions): Promise<IsolatedPlugin> {
  const workerData: WorkerData = { pluginFile: opts.pluginFile, config: opts.config }
  const worker = new Worker(BOOT, { workerData, stdout: true, stderr: true, resourceLimits: { maxOldGenerationSizeMb: MAX_OLD_GENERATION_MB } })
  const lines = (level: 'info' | 'warn') => {
    let buf = ''
    return (chunk: Buffer) => {
      buf += chunk.toString('utf8')
      let i: number
      while ((i = buf.indexOf('\n')) >= 0) {
        opts.onLog(level, buf.slice(0, i))
        buf = buf.slice(i + 1)
      }
    }
  }
  worker.stdout.on('data', lines('info'))
  worker.stderr.on('data', lines('warn'))

  let settle: ((e?: StepError) => void) | undefined
  let closed = false
  let stopping = false
  const post = (m: HostMessage) => {
    if (!closed) worker.postMessage(m)
  }
  const fail = (e: StepError) => {
    const s = settle
    settle = undefined
    s?.(e)
  }

  worker.on('message', (m: WorkerMessage) => {
    switch (m.type) {
      case 'call':
        opts.onCall(m.method, m.input).then(
          (value) => post({ type: 'result', id: m.id, value }),
          (error: WireError) => post({ type: 'result', id: m.id, error: { name: error?.name ?? 'InternalServiceError', message: error?.message ?? 'error' } }),
        )
        break
      case 'log':
        opts.onLog(m.level, m.message, m.fields)
        break
      case 'ready':
      case 'done': {
        const s = settle
        settle = undefined
        s?.()
        break
      }
      case 'load-failed':
        fail(new StepError('failed', `the plugin could not be loaded: ${m.error.message}`, m.error.name))
        break
      case 'failed':
        fail(new StepError('failed', m.error.message, m.error.name))
        break
    }
  })
  worker.on('error', (e) => fail(new StepError('crashed', `the plugin's worker failed: ${e.message}`)))
  worker.on('exit', (code) => {
    closed = true
    fail(new StepError(code === 1 && stopping ? 'stopped' : 'crashed', `the plugin's worker exited (code ${code})`))
  })

  const wait = (timeoutMs: number, what: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        settle = undefined
        void worker.terminate()
        reject(new StepError('timeout', `${what} did not finish within ${timeoutMs} ms; the plugin was stopped`))
      }, timeoutMs)
      settle = (e) => {
        clearTimeout(timer)
        if (e) reject(e)
        else resolve()
      }
    })

  const close = async () => {
    stopping = true
    fail(new StepError('stopped', 'the rotation host stopped the plugin'))
    if (!closed) await worker.terminate()
  }

  try {
    await wait(BOOT_TIMEOUT_MS, 'loading the plugin')
  } catch (e) {
    await close()
    throw e
  }
  return {
    invoke(event, timeoutMs) {
      if (closed) return Promise.reject(new StepError('crashed', "the plugin's worker is gone"))
      const done = wait(timeoutMs, `step ${event.Step}`)
      post({ type: 'invoke', event, timeoutMs })
      return done
    },
    close,
  }
}
