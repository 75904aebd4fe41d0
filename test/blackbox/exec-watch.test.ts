import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { RestClient } from '../../src/client/index.ts'
import { type RunningArca, startArca } from '../support/spawn-arca.ts'
import { type TestServer, startTestServer } from '../support/server.ts'

const SLOW = { timeout: 180_000 }
// The promise: the command runs with the new value within 2 s of the change.
const RESTART_WITHIN_MS = 2000
/** A long-running child that prints one JSON line (its pid and values) per start and per SIGHUP. */
const CHILD = [
  'node',
  '-e',
  'const show=(ev)=>console.log(JSON.stringify({ev,pid:process.pid,v:process.env.V,s:process.env.PASSWORD}));show("start");process.on("SIGHUP",()=>show("hup"));setInterval(()=>{},1000)',
]

let t: TestServer
let rest: RestClient
let base: Record<string, string>
let running: RunningArca | undefined
beforeAll(async () => {
  t = await startTestServer()
  base = { ARCA_ENDPOINT: t.url, AWS_ACCESS_KEY_ID: t.admin.accessKeyId, AWS_SECRET_ACCESS_KEY: t.admin.secretAccessKey }
  rest = new RestClient({ endpoint: t.url, auth: { kind: 'sigv4', credentials: t.admin, region: 'us-east-1' } })
  await rest.request('PUT', '/v1/parameters/watch/app/v', { value: 'one', type: 'String' })
  await rest.request('PUT', '/v1/parameters/watch/other/x', { value: 'x', type: 'String' })
  await rest.request('POST', '/v1/secrets', { name: 'watch/db', value: JSON.stringify({ password: 'pw-1' }) })
})
afterEach(async () => {
  const r = running
  running = undefined
  if (!r) return
  // arca forwards SIGTERM to the command; a command that ignores it is killed by its pid.
  r.child.kill('SIGTERM')
  const ended = await Promise.race([r.exited.then(() => true), new Promise<boolean>((res) => setTimeout(() => res(false), 3000))])
  if (ended) return
  r.child.kill('SIGKILL')
  for (const l of lines(r)) {
    try {
      process.kill(l.pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
  await r.exited
})
afterAll(async () => {
  await t.stop()
})

const lines = (r: RunningArca) =>
  r
    .stdout()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { ev: string; pid: number; v?: string; s?: string })

const put = (name: string, value: string) => rest.request('PUT', `/v1/parameters${name}`, { value, type: 'String' })

describe('arca exec --watch', SLOW, () => {
  it('restarts the command with the new value within 2 s of a change, and not for unrelated or same-value writes', async () => {
    running = startArca(['exec', '--watch', '--grace-period', '5', '--path', '/watch/app', '--secret', 'watch/db', '--', ...CHILD], base)
    const r = running
    await r.waitFor((o) => o.includes('"start"'))
    const [first] = lines(r)
    expect(first).toMatchObject({ v: 'one', s: 'pw-1' })

    // Unrelated: another path; the same value written again (a new version, an event, no change).
    await put('/watch/other/x', 'y')
    await put('/watch/app/v', 'one')
    await new Promise((res) => setTimeout(res, 1500))
    expect(lines(r)).toHaveLength(1)

    const changedAt = performance.now()
    await put('/watch/app/v', 'two')
    await r.waitFor((o) => o.includes('"v":"two"'), RESTART_WITHIN_MS)
    expect(performance.now() - changedAt).toBeLessThan(RESTART_WITHIN_MS)
    const second = lines(r)[1]
    expect(second).toMatchObject({ ev: 'start', v: 'two', s: 'pw-1' })
    expect(second.pid).not.toBe(first.pid)
    expect(r.stderr()).toContain('a referenced value changed; restarting the command')

    // A secret the environment came from changes too.
    const secretAt = performance.now()
    await rest.request('PUT', '/v1/secrets/watch/db', { value: JSON.stringify({ password: 'pw-2' }) })
    await r.waitFor((o) => o.includes('"s":"pw-2"'), RESTART_WITHIN_MS)
    expect(performance.now() - secretAt).toBeLessThan(RESTART_WITHIN_MS)

    // Stopping arca stops the command; arca then ends the way the command did.
    r.child.kill('SIGTERM')
    expect((await r.exited).signal).toBe('SIGTERM')
  })

  it('sends the configured signal instead of restarting (--on-change signal:SIGHUP)', async () => {
    running = startArca(['exec', '--watch', '--on-change', 'signal:SIGHUP', '--path', '/watch/app', '--', ...CHILD], base)
    const r = running
    await r.waitFor((o) => o.includes('"start"'))
    await put('/watch/app/v', 'three')
    await r.waitFor((o) => o.includes('"hup"'), RESTART_WITHIN_MS)
    const [start, hup] = lines(r)
    expect(hup.pid).toBe(start.pid)
    expect(lines(r).filter((l) => l.ev === 'start')).toHaveLength(1)
  })

  it('kills a command that ignores SIGTERM after the grace period, then restarts it', async () => {
    const stubborn = ['node', '-e', 'process.on("SIGTERM",()=>{});console.log(JSON.stringify({ev:"start",pid:process.pid,v:process.env.V}));setInterval(()=>{},1000)']
    running = startArca(['exec', '--watch', '--grace-period', '0.3', '--path', '/watch/app', '--', ...stubborn], base)
    const r = running
    await r.waitFor((o) => o.includes('"start"'))
    await put('/watch/app/v', 'four')
    await r.waitFor((o) => o.includes('"v":"four"'), RESTART_WITHIN_MS + 300)
  })
})
