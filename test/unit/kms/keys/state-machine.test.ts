import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Caller, Kms } from '../../../../src/kms/index.ts'
import { type KmsHarness, caller, createKmsHarness, utf8 } from '../../../support/kms-core.ts'

// Every operation × every key state gives AWS's answer (AWS-API.md §3.4, the KMS "key states" table).
type State = 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingImport'
const STATES: State[] = ['Enabled', 'Disabled', 'PendingDeletion', 'PendingImport']
type Outcome = 'ok' | 'Disabled' | 'InvalidState' | 'UnsupportedOperation' | 'n/a'

interface Setup {
  keyId: string
  blob?: Uint8Array
}
type Op = (kms: Kms, c: Caller, s: Setup) => Promise<unknown>

const USE: Record<State, Outcome> = { Enabled: 'ok', Disabled: 'Disabled', PendingDeletion: 'InvalidState', PendingImport: 'InvalidState' }
const ROTATE: Record<State, Outcome> = { Enabled: 'ok', Disabled: 'Disabled', PendingDeletion: 'InvalidState', PendingImport: 'UnsupportedOperation' }
const MANAGE: Record<State, Outcome> = { Enabled: 'ok', Disabled: 'ok', PendingDeletion: 'InvalidState', PendingImport: 'ok' }
const ENABLE_DISABLE: Record<State, Outcome> = { Enabled: 'ok', Disabled: 'ok', PendingDeletion: 'InvalidState', PendingImport: 'InvalidState' }
const ANY: Record<State, Outcome> = { Enabled: 'ok', Disabled: 'ok', PendingDeletion: 'ok', PendingImport: 'ok' }

const table: [string, Op, Record<State, Outcome>][] = [
  ['Encrypt', (k, c, s) => k.encrypt(c, { keyId: s.keyId, plaintext: utf8('x') }), USE],
  ['Decrypt', (k, c, s) => k.decrypt(c, { ciphertextBlob: s.blob! }), { ...USE, PendingImport: 'n/a' }],
  ['ReEncrypt (destination)', (k, c, s) => k.reEncrypt(c, { ciphertextBlob: s.blob!, destinationKeyId: s.keyId }), { ...USE, PendingImport: 'n/a' }],
  ['GenerateDataKey', (k, c, s) => k.generateDataKey(c, { keyId: s.keyId, keySpec: 'AES_256' }), USE],
  ['GenerateDataKeyWithoutPlaintext', (k, c, s) => k.generateDataKeyWithoutPlaintext(c, { keyId: s.keyId, numberOfBytes: 32 }), USE],
  ['GenerateDataKeyPair', (k, c, s) => k.generateDataKeyPair(c, { keyId: s.keyId, keyPairSpec: 'ECC_NIST_P256' }), USE],
  ['EnableKeyRotation', (k, c, s) => k.enableKeyRotation(c, { keyId: s.keyId }), ROTATE],
  ['DisableKeyRotation', (k, c, s) => k.disableKeyRotation(c, { keyId: s.keyId }), ROTATE],
  ['RotateKeyOnDemand', (k, c, s) => k.rotateKeyOnDemand(c, { keyId: s.keyId }), ROTATE],
  ['EnableKey', (k, c, s) => k.enableKey(c, { keyId: s.keyId }), ENABLE_DISABLE],
  ['DisableKey', (k, c, s) => k.disableKey(c, { keyId: s.keyId }), ENABLE_DISABLE],
  ['TagResource', (k, c, s) => k.tagResource(c, { keyId: s.keyId, tags: [{ tagKey: 'a', tagValue: 'b' }] }), MANAGE],
  ['UntagResource', (k, c, s) => k.untagResource(c, { keyId: s.keyId, tagKeys: ['a'] }), MANAGE],
  ['UpdateKeyDescription', (k, c, s) => k.updateKeyDescription(c, { keyId: s.keyId, description: 'd' }), MANAGE],
  ['CreateAlias', (k, c, s) => k.createAlias(c, { aliasName: `alias/t-${s.keyId}`, targetKeyId: s.keyId }), MANAGE],
  ['ScheduleKeyDeletion', (k, c, s) => k.scheduleKeyDeletion(c, { keyId: s.keyId, pendingWindowInDays: 7 }), { ...ANY, PendingDeletion: 'InvalidState' }],
  ['CancelKeyDeletion', (k, c, s) => k.cancelKeyDeletion(c, { keyId: s.keyId }), { Enabled: 'InvalidState', Disabled: 'InvalidState', PendingDeletion: 'ok', PendingImport: 'InvalidState' }],
  ['DescribeKey', (k, c, s) => k.describeKey(c, { keyId: s.keyId }), ANY],
  ['GetKeyPolicy', (k, c, s) => k.getKeyPolicy(c, { keyId: s.keyId }), ANY],
  ['ListKeyPolicies', (k, c, s) => k.listKeyPolicies(c, { keyId: s.keyId }), ANY],
  ['PutKeyPolicy', (k, c, s) => k.getKeyPolicy(c, { keyId: s.keyId }).then((p) => k.putKeyPolicy(c, { keyId: s.keyId, policy: p.policy })), ANY],
  ['ListResourceTags', (k, c, s) => k.listResourceTags(c, { keyId: s.keyId }), ANY],
  ['ListAliases', (k, c, s) => k.listAliases(c, { keyId: s.keyId }), ANY],
]

let h: KmsHarness
beforeAll(async () => {
  h = await createKmsHarness()
})
afterAll(async () => {
  await h.dispose()
})

async function keyIn(state: State): Promise<Setup> {
  const kms = h.kms
  if (state === 'PendingImport') return { keyId: (await kms.createKey(caller, { origin: 'EXTERNAL' })).keyMetadata.keyId }
  const keyId = (await kms.createKey(caller, {})).keyMetadata.keyId
  const blob = (await kms.encrypt(caller, { keyId, plaintext: utf8('state machine') })).ciphertextBlob
  if (state === 'Disabled') await kms.disableKey(caller, { keyId })
  if (state === 'PendingDeletion') await kms.scheduleKeyDeletion(caller, { keyId, pendingWindowInDays: 7 })
  return { keyId, blob }
}

describe('every operation in every key state', () => {
  for (const [name, op, expected] of table) {
    for (const state of STATES) {
      const want = expected[state]
      if (want === 'n/a') continue
      it(`${name} on a ${state} key → ${want}`, async () => {
        const setup = await keyIn(state)
        let got: string = 'ok'
        try {
          await op(h.kms, caller, setup)
        } catch (e) {
          got = (e as { code?: string }).code ?? String(e)
        }
        expect(got).toBe(want)
      })
    }
  }
})
