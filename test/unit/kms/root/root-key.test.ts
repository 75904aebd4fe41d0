import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { rootKeyCheckValue, Seal } from '../../../../src/kms/root/index.ts'
import { parseRootKey } from '../../../../src/kms/root/root-key.ts'
import { MemoryMeta } from './memory-meta.ts'

const WRONG_KEY = 'the root key does not match this database (ARCA_ROOT_KEY / root.key is not the key this data was sealed with)'
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64')
const keyA = Uint8Array.from({ length: 32 }, (_, i) => i + 1)
const keyB = Uint8Array.from({ length: 32 }, (_, i) => 200 - i)
const enc = (s: string) => new TextEncoder().encode(s)
const aad = enc('binding')

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'arca-root-'))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('root key', () => {
  it('first start creates $dataDir/root.key with mode 0600 and says so; the second start reuses it', async () => {
    const meta = new MemoryMeta()
    const dataDir = join(dir, 'data') // does not exist yet
    const first = await Seal.open(meta, { dataDir })
    const path = join(dataDir, 'root.key')
    expect(first.seal.sealed).toBe(false)
    expect(first.notice).toContain(path)
    expect(first.notice).toMatch(/generated a new root key.*mode 0600/)
    if (process.platform !== 'win32') expect(statSync(path).mode & 0o777).toBe(0o600)
    const key = parseRootKey(readFileSync(path, 'utf8'), 'root.key')
    expect(meta.map.get('seal.check')).toBe(rootKeyCheckValue(key))
    expect(meta.map.get('seal.check')).toMatch(/^[0-9a-f]{64}$/)
    const blob = first.seal.wrap(aad, enc('material'))

    const second = await Seal.open(meta, { dataDir })
    expect(second.notice).toBeUndefined()
    expect(second.seal.unwrap(aad, blob)).toEqual(enc('material'))
    expect(readFileSync(path, 'utf8')).toBe(`${b64(key)}\n`)
  })

  it('uses ARCA_ROOT_KEY and records its check value on first use', async () => {
    const meta = new MemoryMeta()
    const { seal, notice } = await Seal.open(meta, { rootKey: b64(keyA), dataDir: dir })
    expect(notice).toBeUndefined()
    expect(seal.status()).toEqual({ sealed: false, mode: 'key' })
    expect(meta.snapshot()).toEqual({ 'seal.check': rootKeyCheckValue(keyA) })
    expect(existsSync(join(dir, 'root.key'))).toBe(false)
    const again = await Seal.open(meta, { rootKey: `  ${b64(keyA)}\n`, dataDir: dir })
    expect(again.seal.unwrap(aad, seal.wrap(aad, enc('x')))).toEqual(enc('x'))
  })

  it('refuses a different ARCA_ROOT_KEY and changes nothing', async () => {
    const meta = new MemoryMeta()
    await Seal.open(meta, { rootKey: b64(keyA), dataDir: dir })
    const before = meta.snapshot()
    await expect(Seal.open(meta, { rootKey: b64(keyB), dataDir: dir })).rejects.toMatchObject({ code: 'AccessDenied', message: WRONG_KEY })
    expect(meta.snapshot()).toEqual(before)
    expect(existsSync(join(dir, 'root.key'))).toBe(false)
  })

  it('two first starts racing with different keys: one records its check value, the other is refused', async () => {
    const meta = new MemoryMeta()
    const results = await Promise.allSettled([Seal.open(meta, { rootKey: b64(keyA), dataDir: dir }), Seal.open(meta, { rootKey: b64(keyB), dataDir: dir })])
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected'])
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'AccessDenied', message: WRONG_KEY } })
    expect([rootKeyCheckValue(keyA), rootKeyCheckValue(keyB)]).toContain(meta.map.get('seal.check'))
  })

  it('refuses a replaced root.key', async () => {
    const meta = new MemoryMeta()
    await Seal.open(meta, { dataDir: dir })
    writeFileSync(join(dir, 'root.key'), b64(keyB), { mode: 0o600 })
    const before = meta.snapshot()
    await expect(Seal.open(meta, { dataDir: dir })).rejects.toMatchObject({ code: 'AccessDenied', message: WRONG_KEY })
    expect(meta.snapshot()).toEqual(before)
  })

  it('does not invent a key for a database that already has one', async () => {
    const meta = new MemoryMeta()
    await Seal.open(meta, { dataDir: dir })
    rmSync(join(dir, 'root.key'))
    await expect(Seal.open(meta, { dataDir: dir })).rejects.toMatchObject({ code: 'InvalidState', message: expect.stringMatching(/^no root key: .*root\.key does not exist/) })
    expect(existsSync(join(dir, 'root.key'))).toBe(false)
  })

  it.each([
    ['not base64', 'this is not a key!', /ARCA_ROOT_KEY must be the base64 encoding of exactly 32 bytes .*it is not base64/],
    ['16 bytes', b64(new Uint8Array(16)), /exactly 32 bytes .*it decodes to 16 bytes/],
    ['33 bytes', b64(new Uint8Array(33)), /exactly 32 bytes .*it decodes to 33 bytes/],
    ['empty', '', /exactly 32 bytes/],
    ['non-canonical last character', b64(new Uint8Array(32)).replace('A=', 'B='), /not canonical base64/],
  ])('refuses an ARCA_ROOT_KEY that is %s, clearly and without echoing it', async (_label, value, message) => {
    const meta = new MemoryMeta()
    const p = Seal.open(meta, { rootKey: value, dataDir: dir })
    await expect(p).rejects.toMatchObject({ code: 'Validation', field: 'ARCA_ROOT_KEY' })
    await expect(p).rejects.toThrow(message)
    const msg = await p.catch((e: Error) => e.message)
    if (value.length > 8) expect(msg).not.toContain(value)
    expect(meta.snapshot()).toEqual({})
  })

  it('reads ARCA_ROOT_KEY_FILE as base64 text or 32 raw bytes', async () => {
    const meta = new MemoryMeta()
    const text = join(dir, 'k.b64')
    const raw = join(dir, 'k.raw')
    writeFileSync(text, `${b64(keyA)}\n`, { mode: 0o600 })
    writeFileSync(raw, keyA, { mode: 0o600 })
    const a = await Seal.open(meta, { rootKeyFile: text, dataDir: dir })
    const b = await Seal.open(meta, { rootKeyFile: raw, dataDir: dir })
    expect(b.seal.unwrap(aad, a.seal.wrap(aad, enc('y')))).toEqual(enc('y'))
    expect(meta.map.get('seal.check')).toBe(rootKeyCheckValue(keyA))
    expect(existsSync(join(dir, 'root.key'))).toBe(false)
  })

  it('warns about a root key file other users can read', async () => {
    if (process.platform === 'win32') return
    const file = join(dir, 'k.b64')
    writeFileSync(file, b64(keyA))
    chmodSync(file, 0o644)
    const { notice } = await Seal.open(new MemoryMeta(), { rootKeyFile: file, dataDir: dir })
    expect(notice).toMatch(/can be read by other users \(mode 0644\); run `chmod 600/)
  })

  it('refuses a missing ARCA_ROOT_KEY_FILE, both sources at once, and a malformed file', async () => {
    const meta = new MemoryMeta()
    await expect(Seal.open(meta, { rootKeyFile: join(dir, 'nope'), dataDir: dir })).rejects.toThrow(/ARCA_ROOT_KEY_FILE .*nope cannot be read \(ENOENT\)/)
    await expect(Seal.open(meta, { rootKey: b64(keyA), rootKeyFile: join(dir, 'x'), dataDir: dir })).rejects.toThrow(/not both/)
    writeFileSync(join(dir, 'bad'), 'short', { mode: 0o600 })
    await expect(Seal.open(meta, { rootKeyFile: join(dir, 'bad'), dataDir: dir })).rejects.toThrow(/ARCA_ROOT_KEY_FILE must be the base64 encoding of exactly 32 bytes/)
    expect(meta.snapshot()).toEqual({})
  })
})
