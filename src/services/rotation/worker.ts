import { parentPort, workerData } from 'node:worker_threads'
import { pathToFileURL } from 'node:url'
import type { RotationContext, RotationEvent, RotationHandler, RotationLogger, RotationSecretsClient } from './contract.ts'
import type { HostMessage, WorkerData, WorkerMessage, WireError } from './protocol.ts'

/**
 * The isolated side of rotation: runs in a worker thread, loads one plugin and calls its
 * handler once per step. Everything the plugin asks of Secrets Manager goes to the host as a
 * message; the host decides (one-secret scope) and answers. The host kills this thread when a
 * step overruns its time limit.
 */
const port = parentPort!
const data = workerData as WorkerData
const send = (m: WorkerMessage) => port.postMessage(m)

let nextCall = 1
const calls = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>()

function call(method: keyof RotationSecretsClient, input: unknown): Promise<never> {
  const id = nextCall++
  return new Promise((resolve, reject) => {
    calls.set(id, { resolve: resolve as (v: unknown) => void, reject })
    send({ type: 'call', id, method, input: input ?? {} })
  })
}

function toError(e: WireError): Error {
  const err = new Error(e.message)
  err.name = e.name
  return err
}

function wire(e: unknown): WireError {
  if (e instanceof Error) return { name: e.name || 'Error', message: e.message || String(e) }
  return { name: 'Error', message: String(e) }
}

const secrets: RotationSecretsClient = {
  getSecretValue: (input) => call('getSecretValue', input),
  putSecretValue: (input) => call('putSecretValue', input),
  describeSecret: (input) => call('describeSecret', input),
  updateSecretVersionStage: (input) => call('updateSecretVersionStage', input),
  getRandomPassword: (input) => call('getRandomPassword', input),
}

const log =
  (level: keyof RotationLogger) =>
  (message: string, fields?: Record<string, unknown>): void => {
    let safe: Record<string, unknown> | undefined
    try {
      safe = fields === undefined ? undefined : (JSON.parse(JSON.stringify(fields)) as Record<string, unknown>)
    } catch {
      safe = { fields: 'unserialisable' }
    }
    send({ type: 'log', level, message: String(message), ...(safe ? { fields: safe } : {}) })
  }
const logger: RotationLogger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') }

let handler: RotationHandler | undefined
try {
  const mod = (await import(pathToFileURL(data.pluginFile).href)) as { handler?: unknown; default?: { handler?: unknown } }
  const h = mod.handler ?? mod.default?.handler
  if (typeof h !== 'function') throw new Error(`${data.pluginFile} does not export a handler(event, context) function`)
  handler = h as RotationHandler
  send({ type: 'ready' })
} catch (e) {
  send({ type: 'load-failed', error: wire(e) })
}

port.on('message', (m: HostMessage) => {
  if (m.type === 'result') {
    const pending = calls.get(m.id)
    if (!pending) return
    calls.delete(m.id)
    if (m.error) pending.reject(toError(m.error))
    else pending.resolve(m.value)
    return
  }
  if (m.type === 'invoke' && handler) {
    const deadline = performance.now() + m.timeoutMs
    const context: RotationContext = {
      logger,
      secrets,
      config: data.config,
      getRemainingTimeInMillis: () => Math.max(0, Math.round(deadline - performance.now())),
    }
    const event: RotationEvent = m.event
    Promise.resolve()
      .then(() => handler!(event, context))
      .then(
        () => send({ type: 'done', step: event.Step }),
        (e: unknown) => send({ type: 'failed', step: event.Step, error: wire(e) }),
      )
  }
})
