import { spawn } from 'node:child_process'
import path from 'node:path'

const BIN = path.resolve(import.meta.dirname, '../../src/cli/arca.mjs')

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs the real `arca` command with only the given environment (plus PATH and HOME). */
export function arca(args: string[], env: Record<string, string> = {}, input?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: env.HOME ?? '/nonexistent', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(input ?? '')
  })
}
