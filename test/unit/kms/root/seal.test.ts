import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { decodeShare, encodeShare, initShamir, rootKeyCheckValue, Seal } from '../../../../src/kms/root/index.ts'
import { MemoryMeta } from './memory-meta.ts'

const SEALED = 'Arca is sealed: unseal it with `arca operator unseal` (POST /v1/operator/unseal)'
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64')
const enc = (s: string) => new TextEncoder().encode(s)
const aad = enc('key/abc#v1')
const keyA = Uint8Array.from({ length: 32 }, (_, i) => i * 3)

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'arca-seal-'))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

async function sealedWithShares(n = 5, t = 3) {
  const meta = new MemoryMeta()
  const { shares } = await initShamir(meta, { shares: n, threshold: t, dataDir: dir })
  const { seal } = await Seal.open(meta, { dataDir: dir })
  return { meta, shares, seal }
}

describe('seal: Shamir mode', () => {
  it('starts sealed, takes shares one at a time, and unseals at the threshold', async () => {
    const { meta, shares, seal } = await sealedWithShares(5, 3)
    expect(shares).toHaveLength(5)
    expect(new Set(shares).size).toBe(5)
    expect(meta.map.get('seal.mode')).toBe('shamir')
    expect(meta.map.get('seal.threshold')).toBe('3')
    expect(meta.map.get('seal.shares')).toBe('5')
    expect(existsSync(join(dir, 'root.key'))).toBe(false)

    expect(seal.sealed).toBe(true)
    expect(seal.status()).toEqual({ sealed: true, mode: 'shamir', threshold: 3, shares: 5, progress: 0 })
    expect(() => seal.wrap(aad, enc('x'))).toThrowError(expect.objectContaining({ code: 'Sealed', message: SEALED }))
    expect(() => seal.unwrap(aad, new Uint8Array(40))).toThrowError(expect.objectContaining({ code: 'Sealed' }))

    let unsealed = 0
    seal.onUnseal(() => unsealed++)
    expect(await seal.submitShare(shares[4])).toEqual({ sealed: true, progress: 1, threshold: 3 })
    expect(await seal.submitShare(shares[4])).toEqual({ sealed: true, progress: 1, threshold: 3 }) // not counted twice
    expect(await seal.submitShare(`  ${shares[1]}\n`)).toEqual({ sealed: true, progress: 2, threshold: 3 })
    expect(unsealed).toBe(0)
    expect(await seal.submitShare(shares[2])).toEqual({ sealed: false, progress: 0, threshold: 3 })
    expect(unsealed).toBe(1)
    expect(seal.status()).toEqual({ sealed: false, mode: 'shamir', threshold: 3, shares: 5, progress: 0 })
    const blob = seal.wrap(aad, enc('material'))
    expect(seal.unwrap(aad, blob)).toEqual(enc('material'))
    expect(await seal.submitShare(shares[0])).toEqual({ sealed: false, progress: 0, threshold: 3 })

    // another process, another set of shares: same key
    const { seal: other } = await Seal.open(meta, { dataDir: dir })
    for (const s of [shares[0], shares[3], shares[1]]) await other.submitShare(s)
    expect(other.unwrap(aad, blob)).toEqual(enc('material'))
  })

  it('refuses a wrong combination, resets progress, stays sealed and changes nothing', async () => {
    const { meta, shares, seal } = await sealedWithShares(3, 2)
    const foreign = (await sealedWithShares(3, 2)).shares // same indices, another key
    const before = meta.snapshot()
    await seal.submitShare(shares[0])
    await expect(seal.submitShare(foreign[1])).rejects.toMatchObject({
      code: 'AccessDenied',
      message: "these 2 shares do not reconstruct this database's root key; unseal progress was reset, submit 2 shares again",
    })
    expect(seal.status()).toMatchObject({ sealed: true, progress: 0 })
    expect(meta.snapshot()).toEqual(before)
    expect(() => seal.wrap(aad, enc('x'))).toThrowError(expect.objectContaining({ code: 'Sealed' }))
    await seal.submitShare(shares[2])
    expect((await seal.submitShare(shares[1])).sealed).toBe(false)
  })

  it('refuses a malformed share at once and keeps progress', async () => {
    const { shares, seal } = await sealedWithShares(3, 2)
    await seal.submitShare(shares[0])
    const typo = shares[1].slice(0, 20) + (shares[1][20] === 'x' ? 'y' : 'x') + shares[1].slice(21)
    await expect(seal.submitShare(typo)).rejects.toMatchObject({ code: 'Validation', field: 'share', message: expect.stringMatching(/^malformed unseal share: /) })
    await expect(seal.submitShare('hello')).rejects.toThrow(/should start with 'arca-share-1-'/)
    expect(seal.status().progress).toBe(1)
    expect((await seal.submitShare(shares[1])).sealed).toBe(false)
  })

  it('refuses an index beyond the share count, and a different share under an index already given', async () => {
    const { shares, seal } = await sealedWithShares(3, 3)
    const beyond = encodeShare({ x: 7, y: decodeShare(shares[0]).y })
    await expect(seal.submitShare(beyond)).rejects.toThrow(/index 7 is out of range \(this database has 3 shares\)/)
    await seal.submitShare(shares[0])
    const clash = encodeShare({ x: 1, y: decodeShare(shares[1]).y })
    await expect(seal.submitShare(clash)).rejects.toMatchObject({ code: 'Validation', message: expect.stringMatching(/a different share with index 1 was already submitted/) })
    expect(seal.status().progress).toBe(1)
    seal.resetProgress()
    expect(seal.status().progress).toBe(0)
  })

  it('seal() drops the key; unsealing again works and notifies again', async () => {
    const { shares, seal } = await sealedWithShares(2, 2)
    let calls = 0
    const off = seal.onUnseal(() => calls++)
    await seal.submitShare(shares[0])
    await seal.submitShare(shares[1])
    const blob = seal.wrap(aad, enc('m'))
    seal.seal()
    expect(seal.sealed).toBe(true)
    expect(() => seal.unwrap(aad, blob)).toThrowError(expect.objectContaining({ code: 'Sealed', message: SEALED }))
    await seal.submitShare(shares[1])
    await seal.submitShare(shares[0])
    expect(seal.unwrap(aad, blob)).toEqual(enc('m'))
    expect(calls).toBe(2)
    off()
    seal.seal()
    await seal.submitShare(shares[1])
    await seal.submitShare(shares[0])
    expect(calls).toBe(2)
  })

  it('1 share of 1 unseals at once', async () => {
    const { shares, seal } = await sealedWithShares(1, 1)
    expect(shares).toHaveLength(1)
    expect(await seal.submitShare(shares[0])).toEqual({ sealed: false, progress: 0, threshold: 1 })
  })

  it('warns when a root.key still sits beside a Shamir-mode database', async () => {
    const { meta } = await sealedWithShares(3, 2)
    writeFileSync(join(dir, 'root.key'), 'leftover', { mode: 0o600 })
    const { seal, notice } = await Seal.open(meta, { dataDir: dir })
    expect(seal.sealed).toBe(true)
    expect(notice).toMatch(/root\.key still exists although this database is unsealed with shares/)
  })

  it('mentions an ignored ARCA_ROOT_KEY in Shamir mode', async () => {
    const { meta } = await sealedWithShares(3, 2)
    const { seal, notice } = await Seal.open(meta, { rootKey: b64(keyA), dataDir: dir })
    expect(seal.sealed).toBe(true)
    expect(notice).toMatch(/ARCA_ROOT_KEY \/ ARCA_ROOT_KEY_FILE is ignored/)
  })
})

describe('operator init', () => {
  it('splits the existing key so existing data stays readable, and deletes the generated root.key', async () => {
    const meta = new MemoryMeta()
    const first = await Seal.open(meta, { dataDir: dir })
    const check = meta.map.get('seal.check')
    const blob = first.seal.wrap(aad, enc('old data'))
    const { shares, notice } = await initShamir(meta, { shares: 3, threshold: 2, dataDir: dir })
    expect(notice).toMatch(/deleted .*root\.key: the root key now exists only as the unseal shares/)
    expect(existsSync(join(dir, 'root.key'))).toBe(false)
    expect(meta.map.get('seal.check')).toBe(check)
    const { seal } = await Seal.open(meta, { dataDir: dir })
    await seal.submitShare(shares[2])
    await seal.submitShare(shares[0])
    expect(seal.unwrap(aad, blob)).toEqual(enc('old data'))
  })

  it('on a running server: splits the key in memory, stays unsealed, and the next start is sealed', async () => {
    const meta = new MemoryMeta()
    const { seal } = await Seal.open(meta, { dataDir: dir })
    const blob = seal.wrap(aad, enc('kept'))
    const { shares } = await seal.initShamir({ shares: 4, threshold: 2 })
    expect(seal.status()).toEqual({ sealed: false, mode: 'shamir', threshold: 2, shares: 4, progress: 0 })
    expect(seal.unwrap(aad, blob)).toEqual(enc('kept'))
    expect(existsSync(join(dir, 'root.key'))).toBe(false)
    await expect(seal.initShamir({ shares: 4, threshold: 2 })).rejects.toMatchObject({ code: 'Conflict', message: 'Arca is already initialised with unseal shares (2 of 4 shares)' })
    const next = (await Seal.open(meta, { dataDir: dir })).seal
    expect(next.sealed).toBe(true)
    await next.submitShare(shares[3])
    await next.submitShare(shares[1])
    expect(next.unwrap(aad, blob)).toEqual(enc('kept'))
  })

  it('keeps an operator-supplied ARCA_ROOT_KEY_FILE and splits that key', async () => {
    const meta = new MemoryMeta()
    const file = join(dir, 'my.key')
    writeFileSync(file, b64(keyA), { mode: 0o600 })
    await Seal.open(meta, { rootKeyFile: file, dataDir: dir })
    const { shares, notice } = await initShamir(meta, { shares: 2, threshold: 2, rootKeyFile: file, dataDir: dir })
    expect(notice).toBeUndefined()
    expect(existsSync(file)).toBe(true)
    expect(meta.map.get('seal.check')).toBe(rootKeyCheckValue(keyA))
    const { seal } = await Seal.open(meta, { dataDir: dir })
    await seal.submitShare(shares[0])
    expect((await seal.submitShare(shares[1])).sealed).toBe(false)
  })

  it('on a fresh database makes a new random key and writes no key file', async () => {
    const a = await sealedWithShares(2, 2)
    expect(existsSync(join(dir, 'root.key'))).toBe(false)
    expect(a.meta.map.get('seal.check')).toMatch(/^[0-9a-f]{64}$/)
  })

  it('refuses a second init with Conflict and changes nothing', async () => {
    const { meta } = await sealedWithShares(3, 2)
    const before = meta.snapshot()
    await expect(initShamir(meta, { shares: 5, threshold: 3, dataDir: dir })).rejects.toMatchObject({ code: 'Conflict', message: 'Arca is already initialised with unseal shares' })
    expect(meta.snapshot()).toEqual(before)
  })

  it('refuses the wrong root key and bad counts, changing nothing', async () => {
    const meta = new MemoryMeta()
    await Seal.open(meta, { rootKey: b64(keyA), dataDir: dir })
    const before = meta.snapshot()
    await expect(initShamir(meta, { shares: 3, threshold: 2, rootKey: b64(new Uint8Array(32)), dataDir: dir })).rejects.toMatchObject({ code: 'AccessDenied' })
    await expect(initShamir(meta, { shares: 3, threshold: 2, dataDir: dir })).rejects.toMatchObject({ code: 'InvalidState' })
    await expect(initShamir(meta, { shares: 3, threshold: 1, rootKey: b64(keyA), dataDir: dir })).rejects.toMatchObject({ code: 'Validation', field: 'threshold' })
    await expect(initShamir(meta, { shares: 256, threshold: 2, rootKey: b64(keyA), dataDir: dir })).rejects.toMatchObject({ code: 'Validation', field: 'shares' })
    expect(meta.snapshot()).toEqual(before)
  })
})

describe('seal: key mode', () => {
  it('calls onUnseal at once when already unsealed; seal() is final until restart', async () => {
    const { seal } = await Seal.open(new MemoryMeta(), { rootKey: b64(keyA), dataDir: dir })
    let calls = 0
    seal.onUnseal(() => calls++)
    expect(calls).toBe(1)
    seal.seal()
    expect(seal.status()).toEqual({ sealed: true, mode: 'key' })
    expect(() => seal.wrap(aad, enc('x'))).toThrowError(expect.objectContaining({ code: 'Sealed' }))
    await expect(seal.submitShare('arca-share-1-1-x')).rejects.toMatchObject({ code: 'InvalidState' })
    await expect(seal.initShamir({ shares: 2, threshold: 2 })).rejects.toMatchObject({ code: 'Sealed' })
  })
})
