import { gcm } from '@noble/ciphers/aes.js'
import { ArcaError, ManualClock, randomBytes } from '../../src/core/index.ts'
import { accountAuthorizer } from '../../src/kms/authorizer.ts'
import type { Barrier } from '../../src/kms/barrier.ts'
import type { KmsContext, KmsEvent } from '../../src/kms/context-deps.ts'
import { KeyStore } from '../../src/kms/keys/key-store.ts'
import { type CreateKeyInput, createKey } from '../../src/kms/keys/lifecycle.ts'
import type { Caller, KeyMetadata } from '../../src/kms/types.ts'
import { type TestDatabase, createTestDatabase } from './db.ts'

export const caller: Caller = { account: '111111111111', principalArn: 'arn:aws:iam::111111111111:root', region: 'us-east-1' }
export const otherCaller: Caller = { account: '222222222222', principalArn: 'arn:aws:iam::222222222222:root', region: 'us-east-1' }

/** AES-256-GCM under a random key: iv (12) | ciphertext | tag. Stands in for the root-of-trust barrier. */
export function testBarrier(): Barrier {
  const key = randomBytes(32)
  return {
    wrap(aad, plaintext) {
      const iv = randomBytes(12)
      const sealed = gcm(key, iv, aad).encrypt(plaintext)
      const out = new Uint8Array(12 + sealed.length)
      out.set(iv)
      out.set(sealed, 12)
      return out
    },
    unwrap(aad, blob) {
      try {
        return gcm(key, blob.subarray(0, 12), aad).decrypt(blob.subarray(12))
      } catch (cause) {
        throw new ArcaError('Internal', 'test barrier: blob failed authentication', { cause })
      }
    },
  }
}

export interface TestKms {
  ctx: KmsContext
  db: TestDatabase
  clock: ManualClock
  barrier: Barrier
  /** Every event the operations recorded, in order. */
  events: KmsEvent[]
  /** CreateKey as the test caller; returns the metadata. */
  createKey(input?: CreateKeyInput, as?: Caller): Promise<KeyMetadata>
  dispose(): Promise<void>
}

/** A KmsContext over a fresh test database (SQLite or PostgreSQL per ARCA_TEST_DATABASE), a test barrier and a manual clock. */
export async function createTestKms(): Promise<TestKms> {
  const db = await createTestDatabase()
  const clock = new ManualClock()
  const barrier = testBarrier()
  const events: KmsEvent[] = []
  const ctx: KmsContext = {
    db: db.db,
    store: new KeyStore(db.db, barrier, clock),
    clock,
    authorizer: accountAuthorizer,
    recordEvent: async (_db, event) => {
      events.push(event)
    },
    barrier,
  }
  return {
    ctx,
    db,
    clock,
    barrier,
    events,
    async createKey(input = {}, as = caller) {
      return (await createKey(ctx, as, input)).keyMetadata
    },
    dispose: () => db.dispose(),
  }
}

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

/** The ArcaError code (and message) a promise rejects with; fails the test when it resolves. */
export async function rejection(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p
  } catch (e) {
    if (e instanceof ArcaError) return { code: e.code, message: e.message }
    throw e
  }
  throw new Error('expected the call to fail')
}
