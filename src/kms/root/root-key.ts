import { constants as fsc } from 'node:fs'
import { access, chmod, mkdir, open, readFile, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { equalBytes, hexToBytes, utf8ToBytes } from '@noble/ciphers/utils.js'
import { ArcaError, randomBytes, toHex } from '../../core/index.ts'

/** A 256-bit root key (DESIGN: Root of trust). */
export const ROOT_KEY_BYTES = 32
export const ROOT_KEY_FILE_NAME = 'root.key'
const CHECK_LABEL = utf8ToBytes('arca root key check v1')
/** Standard base64 of 32 bytes: 43 characters and one '=' (the '=' may be left off). */
const BASE64_32 = /^[A-Za-z0-9+/]{43}=?$/

/** Where a root key may come from; the same names as `Config`. */
export interface RootKeySource {
  /** `ARCA_ROOT_KEY`: base64 of 32 bytes. */
  rootKey?: string
  /** `ARCA_ROOT_KEY_FILE`: a file holding base64 of 32 bytes (or the 32 raw bytes). */
  rootKeyFile?: string
  /** `ARCA_DATA_DIR`: where the generated `root.key` lives. */
  dataDir: string
}

export type RootKeyOrigin = 'env' | 'file' | 'data-dir' | 'generated'

export interface LoadedRootKey {
  key: Uint8Array
  /** env: ARCA_ROOT_KEY; file: ARCA_ROOT_KEY_FILE; data-dir: an existing $ARCA_DATA_DIR/root.key; generated: just created there. */
  source: RootKeyOrigin
  /** The file the key came from, when it came from one. */
  path?: string
  /** Something the operator must be told (printed or logged by the caller). */
  notice?: string
}

export function defaultRootKeyPath(dataDir: string): string {
  return resolve(join(dataDir, ROOT_KEY_FILE_NAME))
}

/** Parse base64 text of exactly 32 bytes. `what` names the source in the message; the value is never echoed. */
export function parseRootKey(text: string, what: string): Uint8Array {
  const s = text.trim()
  if (!BASE64_32.test(s)) {
    const hint = /^[A-Za-z0-9+/]*={0,2}$/.test(s)
      ? `it decodes to ${Math.floor((s.replace(/=+$/, '').length * 6) / 8)} bytes`
      : 'it is not base64'
    throw new ArcaError('Validation', `${what} must be the base64 encoding of exactly ${ROOT_KEY_BYTES} bytes (generate one with \`openssl rand -base64 32\`); ${hint}`, { field: what })
  }
  const buf = Buffer.from(s, 'base64')
  const key = new Uint8Array(buf)
  buf.fill(0)
  // the 43rd character carries 2 unused bits; insist they are zero so one key has one spelling
  if (key.length !== ROOT_KEY_BYTES || Buffer.from(key.buffer, key.byteOffset, key.length).toString('base64').slice(0, 43) !== s.slice(0, 43)) {
    key.fill(0)
    throw new ArcaError('Validation', `${what} is not canonical base64 of ${ROOT_KEY_BYTES} bytes (the last character is wrong)`, { field: what })
  }
  return key
}

async function readKeyFile(path: string, what: string): Promise<Uint8Array> {
  let raw: Buffer
  try {
    raw = await readFile(path)
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code
    throw new ArcaError('Validation', `${what} ${path} cannot be read (${code ?? 'error'})`, { field: what, cause })
  }
  try {
    // 32 raw bytes (`head -c 32 /dev/urandom`) can never be base64 of 32 bytes (44 characters)
    if (raw.length === ROOT_KEY_BYTES) return new Uint8Array(raw)
    return parseRootKey(raw.toString('latin1'), what)
  } finally {
    raw.fill(0)
  }
}

function modeNotice(path: string, mode: number): string | undefined {
  if (process.platform === 'win32' || (mode & 0o077) === 0) return undefined
  return `the root key file ${path} can be read by other users (mode ${(mode & 0o777).toString(8).padStart(4, '0')}); run \`chmod 600 ${path}\``
}

/** Create $dataDir/root.key exclusively (mode 0600); if another process won the race, read theirs. */
async function generateKeyFile(path: string, dataDir: string): Promise<LoadedRootKey> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  const key = randomBytes(ROOT_KEY_BYTES)
  let fh
  try {
    fh = await open(path, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o600)
  } catch (cause) {
    key.fill(0)
    if ((cause as NodeJS.ErrnoException).code === 'EEXIST') return { key: await readKeyFile(path, 'root.key'), source: 'data-dir', path }
    throw new ArcaError('Internal', `cannot create the root key file ${path} (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, { cause })
  }
  const text = Buffer.from(Buffer.from(key.buffer, key.byteOffset, key.length).toString('base64') + '\n', 'latin1')
  try {
    await fh.writeFile(text)
    await fh.sync()
  } finally {
    text.fill(0)
    await fh.close()
  }
  // the umask can only remove bits, but a pre-set ACL or odd filesystem might not honour the mode
  await chmod(path, 0o600)
  return {
    key,
    source: 'generated',
    path,
    notice:
      `Arca generated a new root key and wrote it to ${path} (mode 0600). ` +
      'Whoever has this file and the database can read every secret: keep a copy somewhere else, ' +
      'or switch to Shamir unseal shares with `arca operator init --shares 5 --threshold 3`.',
  }
}

/**
 * Find the root key: `rootKey` (ARCA_ROOT_KEY), else `rootKeyFile` (ARCA_ROOT_KEY_FILE), else an
 * existing `$dataDir/root.key`, else — only when `create` is true — a new one written there.
 * Returns `undefined` when there is no key and `create` is false.
 */
export async function findRootKey(opts: RootKeySource & { create: boolean }): Promise<LoadedRootKey | undefined> {
  if (opts.rootKey !== undefined && opts.rootKeyFile !== undefined) {
    throw new ArcaError('Validation', 'set ARCA_ROOT_KEY or ARCA_ROOT_KEY_FILE, not both', { field: 'ARCA_ROOT_KEY' })
  }
  if (opts.rootKey !== undefined) return { key: parseRootKey(opts.rootKey, 'ARCA_ROOT_KEY'), source: 'env' }
  if (opts.rootKeyFile !== undefined) {
    const path = resolve(opts.rootKeyFile)
    const key = await readKeyFile(path, 'ARCA_ROOT_KEY_FILE')
    const notice = modeNotice(path, (await stat(path)).mode)
    return notice === undefined ? { key, source: 'file', path } : { key, source: 'file', path, notice }
  }
  const path = defaultRootKeyPath(opts.dataDir)
  let mode: number | undefined
  try {
    mode = (await stat(path)).mode
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') throw new ArcaError('Internal', `cannot read the root key file ${path}`, { cause })
  }
  if (mode !== undefined) {
    const key = await readKeyFile(path, 'root.key')
    const notice = modeNotice(path, mode)
    return notice === undefined ? { key, source: 'data-dir', path } : { key, source: 'data-dir', path, notice }
  }
  return opts.create ? generateKeyFile(path, opts.dataDir) : undefined
}

/** Whether `$dataDir/root.key` exists (without reading it). */
export async function defaultKeyFileExists(dataDir: string): Promise<boolean> {
  try {
    await access(defaultRootKeyPath(dataDir))
    return true
  } catch {
    return false
  }
}

/** HMAC-SHA256(rootKey, "arca root key check v1") as hex: identifies the key, reveals nothing about it. */
export function rootKeyCheckValue(key: Uint8Array): string {
  return toHex(hmac(sha256, key, CHECK_LABEL))
}

/** Constant-time comparison of a key against a stored check value. */
export function matchesCheckValue(key: Uint8Array, stored: string): boolean {
  if (!/^[0-9a-f]{64}$/.test(stored)) throw new ArcaError('Internal', 'the stored root key check value is corrupt')
  return equalBytes(hmac(sha256, key, CHECK_LABEL), hexToBytes(stored))
}
