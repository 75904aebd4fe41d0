import { ArcaError } from '../../core/index.ts'
import { defaultRootKeyPath, matchesCheckValue, rootKeyCheckValue } from './root-key.ts'

/** The few settings the seal keeps in the database (a key/value table). */
export interface MetaStore {
  get(key: string): Promise<string | undefined>
  set(key: string, value: string): Promise<void>
  /** Insert only when the key is absent (unique key + INSERT … ON CONFLICT DO NOTHING); true when this call inserted it. */
  add(key: string, value: string): Promise<boolean>
}

export const META = {
  check: 'seal.check',
  mode: 'seal.mode',
  threshold: 'seal.threshold',
  shares: 'seal.shares',
} as const

export type SealMode = 'key' | 'shamir'

export const WRONG_KEY_MESSAGE = 'the root key does not match this database (ARCA_ROOT_KEY / root.key is not the key this data was sealed with)'

/** Record the check value the first time a key is used; refuse a key that does not match the recorded one (the caller zeroes it). */
export async function verifyOrRecord(meta: MetaStore, key: Uint8Array, stored: string | undefined): Promise<string> {
  let check = stored
  if (check === undefined) {
    const mine = rootKeyCheckValue(key)
    if (await meta.add(META.check, mine)) return mine
    check = await meta.get(META.check) // another process recorded one first
    if (check === undefined) throw new ArcaError('Internal', 'the root key check value vanished while it was being recorded')
  }
  if (!matchesCheckValue(key, check)) throw new ArcaError('AccessDenied', WRONG_KEY_MESSAGE)
  return check
}

export async function readMode(meta: MetaStore): Promise<SealMode> {
  const mode = (await meta.get(META.mode)) ?? 'key'
  if (mode !== 'key' && mode !== 'shamir') throw new ArcaError('Internal', `unknown seal mode '${mode}' in the database`)
  return mode
}

export function readCount(value: string | undefined, what: string): number {
  const n = Number(value)
  if (value === undefined || !Number.isInteger(n) || n < 1 || n > 255) throw new ArcaError('Internal', `the database's ${what} is missing or corrupt`)
  return n
}

export function missingKey(dataDir: string): ArcaError {
  return new ArcaError(
    'InvalidState',
    `no root key: this database was sealed with a root key, but ARCA_ROOT_KEY and ARCA_ROOT_KEY_FILE are unset and ${defaultRootKeyPath(dataDir)} does not exist (set one of them, or restore root.key)`,
  )
}

