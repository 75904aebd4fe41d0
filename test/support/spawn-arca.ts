import { type ChildProcess, spawn } from 'node:child_process'
import path from 'node:path'

const BIN = path.resolve(import.meta.dirname, '../../src/cli/arca.mjs')

export interface RunningArca {
  child: ChildProcess
  stdout(): string
  stderr(): string
  /** Resolves when stdout satisfies `predicate`; rejects after `timeoutMs`. */
  waitFor(predicate: (stdout: string) => boolean, timeoutMs?: number): Promise<void>
  /** Resolves with how the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** Starts the real `arca` command and keeps hold of the process (for signals and --watch). */
export function startArca(args: string[], env: Record<string, string>): RunningArca {
  const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', ...env }, stdio: ['pipe', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  const waiters = new Set<() => void>()
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString()
    for (const w of [...waiters]) w()
  })
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })))
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(predicate, timeoutMs = 20_000) {
      if (predicate(out)) return Promise.resolve()
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(new Error(`arca: stdout did not match within ${timeoutMs} ms; stdout ${JSON.stringify(out)}, stderr ${JSON.stringify(err)}`))
        }, timeoutMs)
        const check = () => {
          if (!predicate(out)) return
          clearTimeout(timer)
          waiters.delete(check)
          resolve()
        }
        waiters.add(check)
        void exited.then(() => setTimeout(check, 0))
      })
    },
  }
}
