/**
 * Server killed between setSecret and finishSecret: a separate process runs the rotation of a
 * PostgreSQL user (scram-sha-256 cluster) and is killed with SIGKILL while finishSecret runs.
 * A new host over the same database waits for the dead node's lease to lapse, resumes at
 * finishSecret, and the final AWSCURRENT logs in.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MS, uuid } from '../../src/core/index.ts'
import { DEFAULT_STEP_TIMEOUT_MS } from '../../src/services/rotation/index.ts'
import { type PgCluster, postgresBinaries, startPgCluster } from '../support/pg-cluster.ts'
import { REPO_PLUGINS, type RotationHarness, caller, createRotationHarness, needServer, pluginFolder } from '../support/rotation.ts'

const NODE_SCRIPT = fileURLToPath(new URL('../support/rotation-node.ts', import.meta.url))
const run = needServer('PostgreSQL rotation crash', postgresBinaries() ? undefined : 'PostgreSQL server binaries (initdb, pg_ctl) not found')

describe.runIf(run)('a server killed mid-rotation', () => {
  let pgc: PgCluster
  const marker = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'arca-crash-')), 'slow-finish')
  const plugins = pluginFolder({
    'pg-slow-finish': {
      'index.ts': `import fs from 'node:fs'
import { handler as real } from ${JSON.stringify(path.join(REPO_PLUGINS, 'postgres-single-user/index.ts'))}
export async function handler(event, context) {
  // finishSecret hangs while the marker exists: the process is killed meanwhile.
  if (event.Step === 'finishSecret' && fs.existsSync(${JSON.stringify(marker)})) await new Promise((r) => setTimeout(r, 600_000))
  return real(event, context)
}`,
      'package.json': fs.readFileSync(path.join(REPO_PLUGINS, 'postgres-single-user/package.json'), 'utf8'),
    },
  })
  let t: RotationHarness
  beforeAll(async () => {
    pgc = await startPgCluster()
    t = await createRotationHarness({ pluginsDir: plugins.dir })
  }, 120_000)
  afterAll(async () => {
    await t?.dispose()
    await pgc?.dispose()
    plugins.remove()
    fs.rmSync(path.dirname(marker), { recursive: true, force: true })
  })

  it('resumes at finishSecret after the lease lapses; the final AWSCURRENT logs in', async () => {
    const user = `crash_${uuid().slice(0, 8)}`
    const c = pgc.client()
    await c.connect()
    await c.query(`CREATE ROLE ${c.escapeIdentifier(user)} WITH LOGIN PASSWORD 'before-crash-1'`)
    await c.end()
    await t.secrets.createSecret(caller, { name: 'db/crash', secretString: JSON.stringify({ engine: 'postgres', host: pgc.host, port: pgc.port, username: user, password: 'before-crash-1', dbname: 'postgres' }) })
    fs.writeFileSync(marker, '')
    // This process only records the request; the doomed one runs the steps.
    await t.rotation.stop()
    const out = await t.rotation.rotateSecret(caller, { secretId: 'db/crash', rotationLambdaARN: 'pg-slow-finish' })
    const { id } = await t.db.db.selectFrom('secrets').select('id').where('name', '=', 'db/crash').executeTakeFirstOrThrow()

    const child = spawn(process.execPath, ['--import', 'tsx', NODE_SCRIPT], {
      env: { ...process.env, ARCA_ROTATION_WHERE: JSON.stringify(t.where), ARCA_ROTATION_NOW: String(t.clock.now()), ARCA_ROTATION_SECRET_ID: id },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)))
    const deadline = performance.now() + 90_000
    for (;;) {
      const a = await t.db.db.selectFrom('secret_rotation_attempts').select('steps').where('secret_id', '=', id).executeTakeFirst()
      const steps = a ? (JSON.parse(a.steps) as { step: string; outcome: string }[]) : []
      if (steps.some((s) => s.step === 'finishSecret' && s.outcome === 'running')) break
      if (performance.now() > deadline || child.exitCode !== null) throw new Error(`the rotation node never reached finishSecret: ${output}`)
      await new Promise((r) => setTimeout(r, 100))
    }
    child.kill('SIGKILL')
    await exited

    // Between the steps: the database has the pending password, AWSCURRENT still the old one.
    const pending = JSON.parse((await t.secrets.getSecretValue(caller, { secretId: 'db/crash', versionStage: 'AWSPENDING' })).secretString!)
    expect(await pgc.canLogin(user, pending.password)).toBe(true)
    expect(JSON.parse((await t.secrets.getSecretValue(caller, { secretId: 'db/crash' })).secretString!).password).toBe('before-crash-1')

    fs.rmSync(marker)
    const restarted = t.node('restarted')
    expect(await restarted.runDue(t.clock.now())).toBe(0) // the dead node's lease still holds
    t.clock.advance(DEFAULT_STEP_TIMEOUT_MS + MS.minute)
    expect(await restarted.runDue(t.clock.now())).toBe(1)

    const final = await t.secrets.getSecretValue(caller, { secretId: 'db/crash' })
    expect(final.versionId).toBe(out.versionId)
    const creds = JSON.parse(final.secretString!)
    expect(await pgc.canLogin(user, creds.password)).toBe(true)
    expect(await pgc.canLogin(user, 'before-crash-1')).toBe(false)
    const { attempts } = await restarted.listRotationAttempts(caller, { secretId: 'db/crash' })
    expect(attempts.map((a) => [a.node, a.trigger, a.outcome, a.steps.map((s) => s.step).join(',')])).toEqual([
      ['restarted', 'resume', 'succeeded', 'finishSecret'],
      ['doomed-node', 'api', 'interrupted', 'createSecret,setSecret,testSecret,finishSecret'],
    ])
  }, 120_000)
})
