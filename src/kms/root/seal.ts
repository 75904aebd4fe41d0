import { unlink } from 'node:fs/promises'
import { equalBytes } from '@noble/ciphers/utils.js'
import { ArcaError, randomBytes } from '../../core/index.ts'
import { barrierUnwrap, barrierWrap, deriveBarrierKey } from './barrier.ts'
import { META, missingKey, readCount, readMode, verifyOrRecord, WRONG_KEY_MESSAGE, type MetaStore, type SealMode } from './meta.ts'
import { ROOT_KEY_BYTES, defaultKeyFileExists, defaultRootKeyPath, findRootKey, matchesCheckValue, rootKeyCheckValue, type RootKeyOrigin, type RootKeySource } from './root-key.ts'
import { decodeShare, encodeShare } from './share-format.ts'
import { combine, split, validateSplit } from './shamir.ts'

export interface SealStatus {
  sealed: boolean
  mode: SealMode
  /** Shamir mode: shares needed to unseal. */
  threshold?: number
  /** Shamir mode: shares handed out by `operator init`. */
  shares?: number
  /** Shamir mode: distinct valid shares submitted so far. */
  progress?: number
}

export interface UnsealProgress {
  sealed: boolean
  progress: number
  threshold: number
}

export interface ShamirInitResult {
  /** The encoded shares, to be shown once and never stored. */
  shares: string[]
  notice?: string
}

const SEALED_MESSAGE = 'Arca is sealed: unseal it with `arca operator unseal` (POST /v1/operator/unseal)'

interface KeyState {
  mode: SealMode
  check: string
  threshold?: number
  shareCount?: number
  /** Present when unsealed. */
  rootKey?: Uint8Array
  origin?: RootKeyOrigin
  keyPath?: string
}

/**
 * The seal state and the barrier. Sealed: no root key in memory, `wrap`/`unwrap` refuse.
 * Unsealed: `wrap`/`unwrap` use a key derived from the root key.
 */
export class Seal {
  readonly #meta: MetaStore
  readonly #dataDir: string
  #mode: SealMode
  #check: string
  #threshold: number | undefined
  #shareCount: number | undefined
  #rootKey: Uint8Array | undefined
  #barrierKey: Uint8Array | undefined
  #origin: RootKeyOrigin | undefined
  #keyPath: string | undefined
  #pending = new Map<number, Uint8Array>()
  #listeners = new Set<() => void>()
  #initRunning = false

  /** Use `Seal.open` (or `initShamir`); this only assembles a state already checked. */
  private constructor(meta: MetaStore, dataDir: string, state: KeyState) {
    this.#meta = meta
    this.#dataDir = dataDir
    this.#mode = state.mode
    this.#check = state.check
    this.#threshold = state.threshold
    this.#shareCount = state.shareCount
    this.#origin = state.origin
    this.#keyPath = state.keyPath
    if (state.rootKey) this.#unlock(state.rootKey)
  }

  /**
   * Start-up. Shamir mode: sealed, waiting for shares. Key mode: find the root key (creating
   * `$dataDir/root.key` only for a database that has never had one), check it against the
   * recorded check value (recording it the first time), and come up unsealed.
   */
  static async open(meta: MetaStore, opts: RootKeySource): Promise<{ seal: Seal; notice?: string }> {
    const mode = await readMode(meta)
    const stored = await meta.get(META.check)
    if (mode === 'shamir') {
      if (stored === undefined) throw new ArcaError('Internal', 'the database uses unseal shares but has no root key check value')
      const state: KeyState = {
        mode,
        check: stored,
        threshold: readCount(await meta.get(META.threshold), 'unseal threshold'),
        shareCount: readCount(await meta.get(META.shares), 'unseal share count'),
      }
      const notices: string[] = []
      if (opts.rootKey !== undefined || opts.rootKeyFile !== undefined) {
        notices.push('ARCA_ROOT_KEY / ARCA_ROOT_KEY_FILE is ignored: this database is unsealed with shares (`arca operator unseal`)')
      }
      if (await defaultKeyFileExists(opts.dataDir)) {
        notices.push(`${defaultRootKeyPath(opts.dataDir)} still exists although this database is unsealed with shares; if it holds the root key, delete it`)
      }
      const seal = new Seal(meta, opts.dataDir, state)
      return notices.length ? { seal, notice: notices.join('\n') } : { seal }
    }
    const loaded = await findRootKey({ ...opts, create: stored === undefined })
    if (!loaded) throw missingKey(opts.dataDir)
    let check: string
    try {
      check = await verifyOrRecord(meta, loaded.key, stored)
    } catch (e) {
      loaded.key.fill(0)
      throw e
    }
    const state: KeyState = { mode, check, rootKey: loaded.key, origin: loaded.source }
    if (loaded.path !== undefined) state.keyPath = loaded.path
    const seal = new Seal(meta, opts.dataDir, state)
    return loaded.notice === undefined ? { seal } : { seal, notice: loaded.notice }
  }

  /**
   * Offline `arca operator init`: split the database's existing root key (or, for a database that
   * has none yet, the one configured, or a new random one) into shares. See `Seal#initShamir`.
   */
  static async initOffline(meta: MetaStore, opts: RootKeySource & { shares: number; threshold: number }): Promise<ShamirInitResult> {
    if ((await readMode(meta)) === 'shamir') throw alreadyShamir()
    validateSplit(opts.shares, opts.threshold)
    const stored = await meta.get(META.check)
    const loaded = await findRootKey({ rootKey: opts.rootKey, rootKeyFile: opts.rootKeyFile, dataDir: opts.dataDir, create: false })
    if (!loaded && stored !== undefined) throw missingKey(opts.dataDir)
    const key = loaded?.key ?? randomBytes(ROOT_KEY_BYTES)
    if (stored !== undefined && !matchesCheckValue(key, stored)) {
      key.fill(0)
      throw new ArcaError('AccessDenied', WRONG_KEY_MESSAGE)
    }
    // a database without a check value gets one from initShamir, after its own refusals, so a
    // refused init leaves no check value behind for a key nobody holds
    const state: KeyState = { mode: 'key', check: stored ?? rootKeyCheckValue(key), rootKey: key }
    if (loaded) state.origin = loaded.source
    if (loaded?.path !== undefined) state.keyPath = loaded.path
    const seal = new Seal(meta, opts.dataDir, state)
    try {
      return await seal.initShamir({ shares: opts.shares, threshold: opts.threshold })
    } finally {
      seal.seal()
    }
  }

  get sealed(): boolean {
    return this.#barrierKey === undefined
  }

  status(): SealStatus {
    if (this.#mode === 'key') return { sealed: this.sealed, mode: 'key' }
    return { sealed: this.sealed, mode: 'shamir', threshold: this.#threshold, shares: this.#shareCount, progress: this.#pending.size }
  }

  /**
   * Add one unseal share. A malformed share is refused (progress kept); the same share again is
   * not counted; at the threshold the shares are combined and checked, and a wrong combination
   * resets progress and leaves Arca sealed.
   */
  async submitShare(text: string): Promise<UnsealProgress> {
    if (this.#mode !== 'shamir') {
      throw new ArcaError('InvalidState', 'this database is unsealed with a root key, not shares: restart Arca with ARCA_ROOT_KEY or ARCA_ROOT_KEY_FILE')
    }
    const threshold = this.#threshold as number
    if (!this.sealed) return { sealed: false, progress: 0, threshold }
    const share = decodeShare(text)
    if (share.x > (this.#shareCount as number)) {
      share.y.fill(0)
      throw new ArcaError('Validation', `malformed unseal share: index ${share.x} is out of range (this database has ${this.#shareCount} shares)`, { field: 'share' })
    }
    const prior = this.#pending.get(share.x)
    if (prior) {
      const same = equalBytes(prior, share.y)
      share.y.fill(0)
      if (same) return { sealed: true, progress: this.#pending.size, threshold }
      throw new ArcaError('Validation', `a different share with index ${share.x} was already submitted; if one of them is wrong, reset the unseal progress and start again`, { field: 'share' })
    }
    this.#pending.set(share.x, share.y)
    if (this.#pending.size < threshold) return { sealed: true, progress: this.#pending.size, threshold }
    const key = combine([...this.#pending].map(([x, y]) => ({ x, y })))
    this.resetProgress()
    if (!matchesCheckValue(key, this.#check)) {
      key.fill(0)
      throw new ArcaError('AccessDenied', `these ${threshold} shares do not reconstruct this database's root key; unseal progress was reset, submit ${threshold} shares again`)
    }
    this.#unlock(key)
    return { sealed: false, progress: 0, threshold }
  }

  /** Forget the shares submitted so far. */
  resetProgress(): void {
    for (const y of this.#pending.values()) y.fill(0)
    this.#pending.clear()
  }

  /** Drop the root key from memory (zeroed). In key mode only a restart unseals again. */
  seal(): void {
    this.#rootKey?.fill(0)
    this.#barrierKey?.fill(0)
    this.#rootKey = undefined
    this.#barrierKey = undefined
    this.resetProgress()
  }

  /** Run `listener` on every unseal, and at once if Arca is unsealed now. Returns an unsubscribe function. */
  onUnseal(listener: () => void): () => void {
    this.#listeners.add(listener)
    if (!this.sealed) listener()
    return () => this.#listeners.delete(listener)
  }

  /** Encrypt under the barrier key; `aad` names what the blob belongs to (e.g. key id + material version). */
  wrap(aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    return barrierWrap(this.#unsealedKey(), aad, plaintext)
  }

  /** Decrypt a `wrap` blob; the same `aad` must be given. */
  unwrap(aad: Uint8Array, blob: Uint8Array): Uint8Array {
    return barrierUnwrap(this.#unsealedKey(), aad, blob)
  }

  /**
   * `arca operator init` on a running, unsealed server: split the root key in memory into shares,
   * record the Shamir settings, and delete `$dataDir/root.key` if that was where the key came from.
   * Arca stays unsealed; the next start is sealed.
   */
  async initShamir(opts: { shares: number; threshold: number }): Promise<ShamirInitResult> {
    if (this.#mode === 'shamir') throw alreadyShamir(this.#threshold, this.#shareCount)
    const key = this.#rootKey
    if (!key) throw new ArcaError('Sealed', SEALED_MESSAGE)
    if (this.#initRunning) throw new ArcaError('Conflict', 'operator init is already running')
    validateSplit(opts.shares, opts.threshold)
    this.#initRunning = true
    try {
      if ((await readMode(this.#meta)) === 'shamir') throw alreadyShamir()
      const parts = split(key, opts.shares, opts.threshold)
      const shares = parts.map(encodeShare)
      for (const p of parts) p.y.fill(0)
      try {
        this.#check = await verifyOrRecord(this.#meta, key, await this.#meta.get(META.check))
      } catch (e) {
        this.seal() // the key in memory is not this database's: stop using it
        throw e
      }
      await this.#meta.set(META.threshold, String(opts.threshold))
      await this.#meta.set(META.shares, String(opts.shares))
      // the commit point: until seal.mode reads shamir, the database still starts with the root key
      if (!(await this.#meta.add(META.mode, 'shamir'))) throw alreadyShamir()
      this.#mode = 'shamir'
      this.#threshold = opts.threshold
      this.#shareCount = opts.shares
      const notice = await this.#removeDefaultKeyFile()
      return notice === undefined ? { shares } : { shares, notice }
    } finally {
      this.#initRunning = false
    }
  }

  async #removeDefaultKeyFile(): Promise<string | undefined> {
    if (this.#origin !== 'data-dir' && this.#origin !== 'generated') return undefined
    const path = this.#keyPath ?? defaultRootKeyPath(this.#dataDir)
    try {
      await unlink(path)
      return `deleted ${path}: the root key now exists only as the unseal shares`
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      return `could not delete ${path} (${(cause as NodeJS.ErrnoException).code ?? 'error'}): delete it yourself, it holds the whole root key`
    } finally {
      this.#origin = undefined
    }
  }

  #unsealedKey(): Uint8Array {
    if (!this.#barrierKey) throw new ArcaError('Sealed', SEALED_MESSAGE)
    return this.#barrierKey
  }

  #unlock(key: Uint8Array): void {
    this.#rootKey = key
    this.#barrierKey = deriveBarrierKey(key)
    for (const listener of this.#listeners) listener()
  }
}

function alreadyShamir(threshold?: number, shares?: number): ArcaError {
  const detail = threshold !== undefined ? ` (${threshold} of ${shares} shares)` : ''
  return new ArcaError('Conflict', `Arca is already initialised with unseal shares${detail}`)
}
