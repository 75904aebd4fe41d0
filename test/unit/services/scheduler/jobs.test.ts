import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MS, silentLogger } from '../../../../src/core/index.ts'
import { type Notify, createNotify } from '../../../../src/services/notify/index.ts'
import { type Scheduler, JOB_NAMES, createJobs, createScheduler } from '../../../../src/services/scheduler/index.ts'
import { ACCOUNT, type KmsHarness, caller, createKmsHarness } from '../../../support/kms-core.ts'
import { type Receiver, startReceiver, verifyLikeAReceiver } from '../notify/support.ts'

let h: KmsHarness
let notify: Notify
let scheduler: Scheduler
let receiver: Receiver

beforeEach(async () => {
  // The KMS records its events through notify's outbox, in its own transactions.
  let recorder: Notify['kmsRecorder'] | undefined
  h = await createKmsHarness({ recordEvent: (db, e) => recorder!(db, e) })
  notify = createNotify({ db: h.db.db, caps: h.db.caps, clock: h.clock, barrier: h.seal, logger: silentLogger })
  recorder = notify.kmsRecorder
  scheduler = createScheduler({ db: h.db.db, clock: h.clock, nodeId: 'test', logger: silentLogger, jobs: createJobs({ kms: h.kms, notify }) })
  receiver = await startReceiver()
})
afterEach(async () => {
  await scheduler.stop()
  notify.close()
  await receiver.close()
  await h.dispose()
})

describe('the jobs of this release', () => {
  it('registers the KMS jobs, delivery and pruning', () => {
    expect([...scheduler.jobNames].sort()).toEqual(Object.values(JOB_NAMES).sort())
  })

  it('rotates a key when due, deletes one when its window ends, and delivers both events signed', async () => {
    const { secret } = await notify.webhooks.create(ACCOUNT, { url: receiver.url, pattern: { source: ['aws.kms'] } })
    const rotating = (await h.kms.createKey(caller, {})).keyMetadata
    await h.kms.enableKeyRotation(caller, { keyId: rotating.keyId, rotationPeriodInDays: 90 })
    const doomed = (await h.kms.createKey(caller, {})).keyMetadata
    await h.kms.scheduleKeyDeletion(caller, { keyId: doomed.keyId, pendingWindowInDays: 7 })

    await scheduler.tick()
    expect(receiver.received).toHaveLength(0)

    // The server was "down" for 100 days: one tick catches up with both.
    h.clock.advance(100 * MS.day)
    await scheduler.tick()
    // The delivery job may have run before the KMS jobs wrote their events: the next one sends them.
    h.clock.advance(MS.minute)
    await scheduler.tick()

    const events = receiver.received.map((r) => JSON.parse(r.body) as { 'detail-type': string; resources: string[]; detail: Record<string, unknown> })
    expect(events.map((e) => e['detail-type']).sort()).toEqual(['KMS CMK Deletion', 'KMS CMK Rotation'])
    expect(events.find((e) => e['detail-type'] === 'KMS CMK Rotation')).toMatchObject({ source: 'aws.kms', resources: [rotating.arn], detail: { 'key-id': rotating.keyId } })
    expect(events.find((e) => e['detail-type'] === 'KMS CMK Deletion')).toMatchObject({ resources: [doomed.arn] })
    expect(receiver.received.every((r) => verifyLikeAReceiver(secret, r))).toBe(true)
    expect((await h.kms.listKeyRotations(caller, { keyId: rotating.keyId })).rotations).toHaveLength(1)
  })

  it('prunes events after the retention period', async () => {
    const key = (await h.kms.createKey(caller, {})).keyMetadata
    await h.kms.rotateKeyOnDemand(caller, { keyId: key.keyId })
    await scheduler.tick()
    expect(await notify.oldestSeq()).toBe(1)
    h.clock.advance(8 * MS.day)
    await scheduler.tick()
    expect(await notify.oldestSeq()).toBeUndefined()
  })
})
