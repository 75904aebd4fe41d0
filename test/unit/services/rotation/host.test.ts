/**
 * The rotation host with test plugins (no database server needed): a plugin that hangs is killed
 * at the time limit; one that throws in finishSecret leaves AWSCURRENT alone, keeps AWSPENDING,
 * records a sanitised error and an event, and the retry finishes the same version; the one-secret
 * scope is enforced; pause, cancel, abandonment and the end of retries behave as documented.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ArcaError, MS } from '../../../../src/core/index.ts'
import { MAX_ATTEMPTS, PREVIOUS_ROTATION_INCOMPLETE, REDACTED, retryDelay } from '../../../../src/services/rotation/index.ts'
import { CONTRACT, type RotationHarness, caller, createRotationHarness, pluginFolder, rotationEvents } from '../../../support/rotation.ts'

const marker = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'arca-marker-')), 'fail-finish')
const imports = `import fs from 'node:fs'\nimport { checkRotationStep, finishRotation, generatePendingSecret } from ${JSON.stringify(CONTRACT)}\n`
const plugins = pluginFolder({
  // Busy-loops in setSecret: only killing the thread stops it.
  'hangs': {
    'index.ts': `${imports}export async function handler(event, context) {
      if (!(await checkRotationStep(event, context))) return
      if (event.Step === 'createSecret') return generatePendingSecret(event, context, async () => 'next-value')
      if (event.Step === 'setSecret') { for (;;) {} }
      if (event.Step === 'finishSecret') return finishRotation(event, context)
    }`,
  },
  // Throws in finishSecret (quoting the pending value) while the marker file exists.
  'fails-finish': {
    'index.ts': `${imports}export async function handler(event, context) {
      if (!(await checkRotationStep(event, context))) return
      if (event.Step === 'createSecret') return generatePendingSecret(event, context, async () => (await context.secrets.getRandomPassword({ PasswordLength: 24 })).RandomPassword)
      if (event.Step === 'finishSecret') {
        if (fs.existsSync(${JSON.stringify(marker)})) {
          const v = await context.secrets.getSecretValue({ SecretId: event.SecretId, VersionId: event.ClientRequestToken, VersionStage: 'AWSPENDING' })
          throw new Error('cannot finish with ' + v.SecretString + ' (' + JSON.stringify(v.SecretString) + ')')
        }
        return finishRotation(event, context)
      }
    }`,
  },
  // Tries to reach outside its scope.
  'greedy': {
    'index.ts': `${imports}export async function handler(event, context) {
      if (event.Step === 'createSecret') await context.secrets.getSecretValue({ SecretId: context.config.other ?? 'other/secret' })
      if (event.Step === 'setSecret') await context.secrets.putSecretValue({ SecretId: event.SecretId, ClientRequestToken: event.ClientRequestToken, SecretString: 'x', VersionStages: ['AWSCURRENT'] })
    }`,
    'package.json': JSON.stringify({ name: 'greedy', version: '1.0.0', type: 'module', arca: { configSchema: { properties: { other: { type: 'string' } } } } }),
  },
})

let t: RotationHarness
afterAll(() => {
  plugins.remove()
  fs.rmSync(path.dirname(marker), { recursive: true, force: true })
})
beforeEach(async () => {
  t = await createRotationHarness({ pluginsDir: plugins.dir, stepTimeoutMs: 1000 })
})
afterEach(async () => {
  fs.rmSync(marker, { force: true })
  await t.dispose()
})

const value = async (stage = 'AWSCURRENT') => (await t.secrets.getSecretValue(caller, { secretId: 's', versionStage: stage })).secretString
const history = async () => (await t.rotation.listRotationAttempts(caller, { secretId: 's' })).attempts
const err = (p: Promise<unknown>) => p.then(() => undefined, (e: ArcaError) => e)

describe('isolation and failures', () => {
  it('a plugin that hangs is killed at the time limit; AWSCURRENT is untouched', async () => {
    await t.secrets.createSecret(caller, { name: 's', secretString: 'v0' })
    const started = performance.now()
    await t.rotation.rotateSecret(caller, { secretId: 's', rotationLambdaARN: 'hangs' })
    await t.rotation.idle()
    expect(performance.now() - started).toBeLessThan(15_000)
    const [a] = await history()
    expect(a, a!.error).toMatchObject({ outcome: 'failed', failedStep: 'setSecret' })
    expect(a!.steps.map((s) => s.outcome)).toEqual(['succeeded', 'timeout'])
    expect(a!.error).toMatch(/step setSecret did not finish within 1000 ms/)
    expect(await value()).toBe('v0')
    expect(await value('AWSPENDING')).toBe('next-value')
    expect(rotationEvents(t.events)).toEqual(['RotationStarted', 'RotationFailed'])
  })

  it('a plugin that throws in finishSecret: AWSCURRENT untouched, AWSPENDING kept, error sanitised, event; the retry finishes the same version', async () => {
    fs.writeFileSync(marker, '')
    await t.secrets.createSecret(caller, { name: 's', secretString: 'v0' })
    const out = await t.rotation.rotateSecret(caller, { secretId: 's', rotationLambdaARN: 'fails-finish', rotationRules: { automaticallyAfterDays: 1 } })
    await t.rotation.idle()
    const pending = await value('AWSPENDING')
    expect(await value()).toBe('v0')
    const [a] = await history()
    expect(a).toMatchObject({ outcome: 'failed', failedStep: 'finishSecret' })
    expect(a!.error).toContain(`cannot finish with ${REDACTED}`)
    expect(a!.error).not.toContain(pending!)
    const failed = t.events.find((e) => e.detail.eventName === 'RotationFailed')!
    expect(failed.detail).toMatchObject({ versionId: out.versionId, step: 'finishSecret', attempt: 1, nextAttemptDate: t.clock.now() + retryDelay(1) })
    expect(JSON.stringify(t.events)).not.toContain(pending!)

    fs.rmSync(marker)
    t.clock.advance(retryDelay(1))
    expect(await t.rotation.runDue(t.clock.now())).toBe(1)
    expect(await value()).toBe(pending)
    expect((await t.secrets.getSecretValue(caller, { secretId: 's' })).versionId).toBe(out.versionId)
    expect(await value('AWSPREVIOUS')).toBe('v0')
    expect((await history())[0]).toMatchObject({ outcome: 'succeeded', attempt: 2, trigger: 'retry' })
  })

  it('after the last retry the rotation waits for its next window, then tries again with the same version', async () => {
    fs.writeFileSync(marker, '')
    await t.secrets.createSecret(caller, { name: 's', secretString: 'v0' })
    const out = await t.rotation.rotateSecret(caller, { secretId: 's', rotationLambdaARN: 'fails-finish', rotationRules: { scheduleExpression: 'rate(1 day)' } })
    await t.rotation.idle()
    for (let i = 1; i < MAX_ATTEMPTS; i++) {
      t.clock.advance(retryDelay(i))
      expect(await t.rotation.runDue(t.clock.now())).toBe(1)
    }
    const status = await t.rotation.getRotation(caller, { secretId: 's' })
    expect(status.inFlight).toMatchObject({ attempts: MAX_ATTEMPTS, versionId: out.versionId })
    expect(status.inFlight!.nextAttemptDate).toBeUndefined()
    t.clock.advance(MS.hour)
    expect(await t.rotation.runDue(t.clock.now())).toBe(0)
    fs.rmSync(marker)
    t.clock.set(status.nextRotationDate! + MS.minute)
    expect(await t.rotation.runDue(t.clock.now())).toBe(1)
    expect((await t.secrets.getSecretValue(caller, { secretId: 's' })).versionId).toBe(out.versionId)
  })

  it('the client reaches only its own secret, and writes only AWSPENDING', async () => {
    await t.secrets.createSecret(caller, { name: 'other/secret', secretString: 'not-yours' })
    await t.secrets.createSecret(caller, { name: 's', secretString: 'v0' })
    await t.rotation.rotateSecret(caller, { secretId: 's', rotationLambdaARN: 'greedy' })
    await t.rotation.idle()
    let [a] = await history()
    expect(a).toMatchObject({ outcome: 'failed', failedStep: 'createSecret' })
    expect(a!.error).toMatch(/^AccessDeniedException: A rotation plugin may only reach the secret it rotates/)
    // Its own secret by name is fine, but AWSCURRENT is not its to write.
    await t.secrets.tagResource(caller, { secretId: 's', tags: [{ key: 'rotation:other', value: 's' }] })
    await t.rotation.rotateNow(caller, { secretId: 's', wait: true })
    ;[a] = await history()
    expect(a, a!.error).toMatchObject({ outcome: 'failed', failedStep: 'setSecret' })
    expect(a!.error).toMatch(/AccessDeniedException: A rotation plugin may only write a value with VersionStages \["AWSPENDING"\]/)
    expect(await value()).toBe('v0')
  })
})

describe('the API around an attempt', () => {
  it('RotateSecret: a retry with the same token answers the same version; another token is told the previous rotation is incomplete', async () => {
    fs.writeFileSync(marker, '')
    await t.secrets.createSecret(caller, { name: 's', secretString: 'v0' })
    const token = '0123456789abcdef0123456789abcdef'
    const first = await t.rotation.rotateSecret(caller, { secretId: 's', clientRequestToken: token, rotationLambdaARN: 'fails-finish' })
    await t.rotation.idle()
    expect(first.versionId).toBe(token)
    expect(await t.rotation.rotateSecret(caller, { secretId: 's', clientRequestToken: token })).toMatchObject({ versionId: token })
    await t.rotation.idle()
    const e = await err(t.rotation.rotateSecret(caller, { secretId: 's', clientRequestToken: 'ffffffffffffffffffffffffffffffff' }))
    expect(e).toMatchObject({ code: 'InvalidRequest', message: PREVIOUS_ROTATION_INCOMPLETE })
    await t.rotation.idle()
    expect((await history()).map((a) => a.versionId)).toEqual([token, token, token])
  })

  it('no plugin → AWS error; unknown plugin and bad rules → InvalidParameter', async () => {
    await t.secrets.createSecret(caller, { name: 's', secretString: 'v0' })
    expect(await err(t.rotation.rotateSecret(caller, { secretId: 's' }))).toMatchObject({ code: 'InvalidRequest', message: 'No Lambda rotation function ARN is associated with this secret.' })
    expect(await err(t.rotation.rotateSecret(caller, { secretId: 's', rotationLambdaARN: 'no-such-plugin' }))).toMatchObject({ code: 'InvalidParameter' })
    expect(await err(t.rotation.rotateSecret(caller, { secretId: 's', rotationLambdaARN: 'random-password', rotationRules: { scheduleExpression: 'rate(2 hours)' } }))).toMatchObject({
      code: 'InvalidParameter',
    })
  })

  it('CancelRotateSecret turns rotation off and leaves the pending version; DescribeSecret follows', async () => {
    fs.writeFileSync(marker, '')
    await t.secrets.createSecret(caller, { name: 's', secretString: 'v0' })
    const out = await t.rotation.rotateSecret(caller, { secretId: 's', rotationLambdaARN: 'fails-finish', rotationRules: { automaticallyAfterDays: 10 } })
    await t.rotation.idle()
    expect(await t.rotation.cancelRotateSecret(caller, { secretId: 's' })).toMatchObject({ versionId: out.versionId })
    const d = await t.secrets.describeSecret(caller, { secretId: 's' })
    expect(d.rotationEnabled).toBe(false)
    expect(d.nextRotationDate).toBeUndefined()
    expect(d.versionIdsToStages![out.versionId!]).toEqual(['AWSPENDING'])
    t.clock.advance(MS.day)
    expect(await t.rotation.runDue(t.clock.now())).toBe(0)
    // Turning it on again reattempts that version (AWS: the previous rotation is reattempted).
    fs.rmSync(marker)
    expect(await err(t.rotation.rotateSecret(caller, { secretId: 's', rotationLambdaARN: 'random-password' }))).toMatchObject({ message: PREVIOUS_ROTATION_INCOMPLETE })
    await t.rotation.idle()
    expect((await t.secrets.getSecretValue(caller, { secretId: 's' })).versionId).toBe(out.versionId)
  })

  it('pause stops attempts (run-now refused), resume lets the due one run', async () => {
    fs.writeFileSync(marker, '')
    await t.secrets.createSecret(caller, { name: 's', secretString: 'v0' })
    await t.rotation.rotateSecret(caller, { secretId: 's', rotationLambdaARN: 'fails-finish', rotationRules: { automaticallyAfterDays: 1 } })
    await t.rotation.idle()
    expect((await t.rotation.setRotationPaused(caller, { secretId: 's', paused: true })).paused).toBe(true)
    fs.rmSync(marker)
    t.clock.advance(MS.day)
    expect(await t.rotation.runDue(t.clock.now())).toBe(0)
    expect(await err(t.rotation.rotateNow(caller, { secretId: 's' }))).toMatchObject({ code: 'InvalidRequest' })
    expect((await t.secrets.describeSecret(caller, { secretId: 's' })).rotationEnabled).toBe(true)
    await t.rotation.setRotationPaused(caller, { secretId: 's', paused: false })
    expect(await t.rotation.runDue(t.clock.now())).toBe(1)
    expect(await value('AWSPENDING').catch(() => 'none')).toBe('none')
  })

  it('a manual change that takes AWSPENDING away abandons the rotation', async () => {
    fs.writeFileSync(marker, '')
    await t.secrets.createSecret(caller, { name: 's', secretString: 'v0' })
    const out = await t.rotation.rotateSecret(caller, { secretId: 's', rotationLambdaARN: 'fails-finish' })
    await t.rotation.idle()
    await t.secrets.updateSecretVersionStage(caller, { secretId: 's', versionStage: 'AWSPENDING', removeFromVersionId: out.versionId })
    t.clock.advance(retryDelay(1))
    expect(await t.rotation.runDue(t.clock.now())).toBe(1)
    expect((await history())[0]).toMatchObject({ outcome: 'abandoned' })
    expect(rotationEvents(t.events).at(-1)).toBe('RotationAbandoned')
    expect((await t.rotation.getRotation(caller, { secretId: 's' })).inFlight).toBeUndefined()
  })
})
