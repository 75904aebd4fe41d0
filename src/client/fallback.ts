import { createCipheriv, createDecipheriv } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { ArcaError, randomBytes } from '../core/index.ts'

// NIST SP 800-38D: a 96-bit IV and the full 128-bit tag for AES-GCM.
const IV_BYTES = 12
const KEY_BYTES = 32
const AAD = Buffer.from('arca-client-fallback-v1')
export const FALLBACK_KEY_ENV = 'ARCA_FALLBACK_KEY'

/** The 32-byte AES key of a fallback file: given, or base64 in ARCA_FALLBACK_KEY. */
export function fallbackKeyOf(given: string | Uint8Array | undefined, env: Record<string, string | undefined>): Uint8Array {
  const raw = given ?? env[FALLBACK_KEY_ENV]
  if (raw === undefined || raw === '') throw new ArcaError('Validation', `fallbackFile needs a key: pass fallbackKey or set ${FALLBACK_KEY_ENV} to 32 random bytes in base64 (openssl rand -base64 32)`)
  const key = typeof raw === 'string' ? Buffer.from(raw, 'base64') : raw
  if (key.length !== KEY_BYTES) throw new ArcaError('Validation', `the fallback key must be ${KEY_BYTES} bytes (base64 of 32 random bytes; openssl rand -base64 32)`)
  return key
}

/**
 * The client's on-disk copy of the values it last read, sealed with AES-256-GCM under a key the
 * application holds (not on the same disk, ideally): written after each successful read, read
 * only when the server cannot be reached. Written atomically (temp file + rename), mode 0600.
 */
export class FallbackFile {
  constructor(
    private readonly file: string,
    private readonly key: Uint8Array,
  ) {}

  save(values: Record<string, unknown>): void {
    const iv = randomBytes(IV_BYTES)
    const cipher = createCipheriv('aes-256-gcm', this.key, iv)
    cipher.setAAD(AAD)
    const data = Buffer.concat([cipher.update(JSON.stringify(values), 'utf8'), cipher.final()])
    const doc = { v: 1, iv: Buffer.from(iv).toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') }
    fs.mkdirSync(path.dirname(this.file), { recursive: true })
    const tmp = `${this.file}.${process.pid}.tmp`
    fs.writeFileSync(tmp, JSON.stringify(doc), { mode: 0o600 })
    fs.renameSync(tmp, this.file)
  }

  /** The saved values, or undefined when there is no file; a wrong key or a damaged file throws. */
  load(): Record<string, unknown> | undefined {
    if (!fs.existsSync(this.file)) return undefined
    try {
      const doc = JSON.parse(fs.readFileSync(this.file, 'utf8')) as { v: number; iv: string; tag: string; data: string }
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(doc.iv, 'base64'))
      decipher.setAAD(AAD)
      decipher.setAuthTag(Buffer.from(doc.tag, 'base64'))
      const plain = Buffer.concat([decipher.update(Buffer.from(doc.data, 'base64')), decipher.final()])
      return JSON.parse(plain.toString('utf8')) as Record<string, unknown>
    } catch (e) {
      throw new ArcaError('Validation', `the fallback file ${this.file} cannot be opened (wrong ${FALLBACK_KEY_ENV}, or the file is damaged)`, { cause: e })
    }
  }
}
