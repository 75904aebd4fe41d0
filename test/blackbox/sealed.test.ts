import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { KMSClient, ListKeysCommand } from '@aws-sdk/client-kms'
import { afterAll, describe, expect, it } from 'vitest'
import { arca } from '../support/cli.ts'

const ROOT = path.resolve(import.meta.dirname, '../..')
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arca-sealed-'))
const kill: (() => void)[] = []
afterAll(() => {
  for (const k of kill) k()
  fs.rmSync(dataDir, { recursive: true, force: true })
})

function serve(env: Record<string, string>): Promise<{ url: string; out: () => string }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'src/cli/arca.mjs'), 'server'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  kill.push(() => child.kill('SIGKILL'))
  let out = ''
  return new Promise((resolve, reject) => {
    const on = (d: Buffer) => {
      out += d.toString()
      const m = /arca listening on (\S+)/.exec(out)
      if (m) resolve({ url: m[1], out: () => out })
    }
    child.stdout.on('data', on)
    child.stderr.on('data', on)
    child.once('exit', (code) => reject(new Error(`exit ${code}: ${out}`)))
  })
}

describe('Shamir unseal', () => {
  it('init prints shares once; the server starts sealed, answers 503 everywhere but health and unseal, and opens with threshold shares', async () => {
    const env = { ARCA_DATA_DIR: dataDir, ARCA_PORT: '0', ARCA_LOG_LEVEL: 'error', ARCA_ADMIN_ACCESS_KEY_ID: 'AKIASEALEDTEST000001', ARCA_ADMIN_SECRET_ACCESS_KEY: 'sealed-test-secret-sealed-test-secret-00' }
    // First start creates root.key and the data; init then splits that key.
    const first = await serve(env)
    await fetch(`${first.url}/healthz`)
    kill.pop()!()
    const init = await arca(['operator', 'init', '--shares', '3', '--threshold', '2'], env)
    expect(init.code).toBe(0)
    const shares = [...init.stdout.matchAll(/share \d: (arca-share-\S+)/g)].map((m) => m[1])
    expect(shares).toHaveLength(3)
    expect(fs.existsSync(path.join(dataDir, 'root.key'))).toBe(false)
    expect((await arca(['operator', 'init', '--shares', '3', '--threshold', '2'], env)).code).not.toBe(0)

    const srv = await serve(env)
    const health = (await (await fetch(`${srv.url}/healthz`)).json()) as { status: string }
    expect(health).toMatchObject({ status: 'sealed', sealed: true })
    const rest = await fetch(`${srv.url}/v1/whoami`)
    expect(rest.status).toBe(503)
    expect(((await rest.json()) as { detail: string }).detail).toMatch(/sealed/)
    const kms = new KMSClient({ endpoint: srv.url, region: 'us-east-1', credentials: { accessKeyId: env.ARCA_ADMIN_ACCESS_KEY_ID, secretAccessKey: env.ARCA_ADMIN_SECRET_ACCESS_KEY }, maxAttempts: 1 })
    const err = await kms.send(new ListKeysCommand({})).catch((e: Error) => e)
    expect((err as Error).name).toBe('ServiceUnavailableException')

    // A damaged share is refused at once and changes nothing.
    const bad = shares[0].slice(0, -6) + (shares[0].endsWith('A') ? 'B' : 'A') + shares[0].slice(-5)
    const refused = await arca(['operator', 'unseal', bad, '--endpoint', srv.url])
    expect(refused.code).not.toBe(0)
    expect((await (await fetch(`${srv.url}/v1/operator/seal-status`)).json())).toMatchObject({ sealed: true, progress: 0 })

    expect((await arca(['operator', 'unseal', shares[2], '--endpoint', srv.url])).stdout).toMatch(/1 of 2/)
    expect((await arca(['operator', 'unseal', shares[0], '--endpoint', srv.url])).stdout).toMatch(/unsealed/)
    for (let i = 0; i < 50; i++) {
      const h = (await (await fetch(`${srv.url}/healthz`)).json()) as { status: string }
      if (h.status === 'ok') break
      await new Promise((r) => setTimeout(r, 100))
    }
    expect((await kms.send(new ListKeysCommand({}))).Keys).toBeDefined()
  })
})
