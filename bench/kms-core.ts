// KMS core throughput, in process: Encrypt+Decrypt of 4 KiB and GenerateDataKey, beside raw
// @noble/ciphers AES-256-GCM encrypt+decrypt of the same size, measured in the same run.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createCipheriv, createDecipheriv } from 'node:crypto'
import { gcm } from '@noble/ciphers/aes.js'
import { ManualClock, randomBytes } from '../src/core/index.ts'
import { type Caller, createKms } from '../src/kms/index.ts'
import { Seal } from '../src/kms/root/index.ts'
import { metaStore, migrateToLatest, openDatabase } from '../src/store/index.ts'
import { measure, report } from './measure.ts'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arca-bench-'))
const db = await openDatabase({ url: path.join(dir, 'arca.db') })
await migrateToLatest(db.db)
const { seal } = await Seal.open(metaStore(db.db), { rootKey: Buffer.from(randomBytes(32)).toString('base64'), dataDir: dir })
const clock = new ManualClock(Date.now())
const kms = createKms({ db: db.db, barrier: seal, clock })
const caller: Caller = { account: '111111111111', principalArn: 'arn:aws:iam::111111111111:root', region: 'us-east-1' }
const { keyMetadata } = await kms.createKey(caller, {})
const keyId = keyMetadata.keyId
const plaintext = randomBytes(4096)
const context = { app: 'bench', tenant: 't-1' }

const rawKey = randomBytes(32)
const raw = await measure('raw AES-256-GCM encrypt+decrypt 4 KiB', () => {
  const iv = randomBytes(12)
  const ct = gcm(rawKey, iv).encrypt(plaintext)
  gcm(rawKey, iv).decrypt(ct)
})
const rawNode = await measure('raw node:crypto AES-256-GCM encrypt+decrypt 4 KiB', () => {
  const iv = randomBytes(12)
  const c = createCipheriv('aes-256-gcm', rawKey, iv)
  const ct = c.update(plaintext)
  c.final()
  const d = createDecipheriv('aes-256-gcm', rawKey, iv)
  d.setAuthTag(c.getAuthTag())
  d.update(ct)
  d.final()
})
const core = await measure('core Encrypt+Decrypt 4 KiB (with context)', async () => {
  const { ciphertextBlob } = await kms.encrypt(caller, { keyId, plaintext, encryptionContext: context })
  await kms.decrypt(caller, { ciphertextBlob, encryptionContext: context })
})
const gdk = await measure('core GenerateDataKey AES_256', async () => {
  await kms.generateDataKey(caller, { keyId, keySpec: 'AES_256', encryptionContext: context })
})

report([raw, rawNode, core, gdk], raw)
await db.close()
fs.rmSync(dir, { recursive: true, force: true })
