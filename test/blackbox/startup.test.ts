import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'

const ROOT = path.resolve(import.meta.dirname, '../..')
const children: { kill: () => void }[] = []
afterEach(() => {
  for (const c of children.splice(0)) c.kill()
})

/** Runs `arca server` as a user would, returns once it printed its listening line. */
function startArca(env: Record<string, string>): Promise<{ url: string; output: () => string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'src/cli/arca.mjs'), 'server'], {
    env: { ...process.env, ARCA_PORT: '0', ARCA_LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push({ kill: () => child.kill('SIGKILL') })
  let out = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`arca did not start:\n${out}`)), 20_000)
    const onData = (d: Buffer) => {
      out += d.toString()
      const m = /arca listening on (http:\/\/\S+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve({
          url: m[1],
          output: () => out,
          stop: () =>
            new Promise((res) => {
              child.once('exit', (code) => res(code))
              child.kill('SIGTERM')
            }),
        })
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`arca exited with ${code}:\n${out}`))
    })
  })
}

describe('start-up contract', () => {
  it('first start on an empty data dir: root key and admin credentials made (0600), health answers, second start reuses them', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arca-start-'))
    const first = await startArca({ ARCA_DATA_DIR: dataDir })
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const health = await fetch(`${first.url}/healthz`)
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ status: 'ok', sealed: false, version: expect.any(String) })
    expect(fs.statSync(path.join(dataDir, 'root.key')).mode & 0o777).toBe(0o600)
    expect(fs.statSync(path.join(dataDir, 'admin-credentials')).mode & 0o777).toBe(0o600)
    expect(fs.existsSync(path.join(dataDir, 'arca.db'))).toBe(true)
    expect(first.output()).toMatch(/root\.key/)
    expect(first.output()).toMatch(/AWS_ACCESS_KEY_ID=AKIA/)
    expect(await first.stop()).toBe(0)

    const second = await startArca({ ARCA_DATA_DIR: dataDir })
    expect(second.output()).not.toMatch(/AWS_ACCESS_KEY_ID=/)
    expect((await fetch(`${second.url}/healthz`)).status).toBe(200)
    await second.stop()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  it('refuses a root key that does not match the data, and changes nothing', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arca-start-'))
    const key = Buffer.alloc(32, 7).toString('base64')
    const ok = await startArca({ ARCA_DATA_DIR: dataDir, ARCA_ROOT_KEY: key })
    await ok.stop()
    await expect(startArca({ ARCA_DATA_DIR: dataDir, ARCA_ROOT_KEY: Buffer.alloc(32, 8).toString('base64') })).rejects.toThrow(/root key does not match/)
    const again = await startArca({ ARCA_DATA_DIR: dataDir, ARCA_ROOT_KEY: key })
    await again.stop()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })
})
