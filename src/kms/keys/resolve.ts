import { ArcaError, kmsAliasArn, kmsKeyArn, parseArn } from '../../core/index.ts'
import type { Caller } from '../types.ts'
import type { KeyStore } from './key-store.ts'
import type { KeyRecord } from './record.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const MRK = /^mrk-[0-9a-f]{32}$/

export function isKeyId(s: string): boolean {
  return UUID.test(s) || MRK.test(s)
}

export interface ResolveOptions {
  /** Management operations take only a key id or key ARN, never an alias. */
  allowAlias?: boolean
}

export interface ResolvedKey {
  key: KeyRecord
  /** The alias the caller named, for `kms:RequestAlias`. */
  alias?: string
}

/**
 * Turns a KeyId input (id, key ARN, `alias/x`, alias ARN) into the key row, with AWS's errors.
 * A bare id or alias name is looked up in the caller's own account; other accounts need an ARN.
 */
export async function resolveKey(store: KeyStore, caller: Caller, keyId: string, opts: ResolveOptions = { allowAlias: true }): Promise<ResolvedKey> {
  if (typeof keyId !== 'string' || keyId.length === 0) throw new ArcaError('Validation', 'KeyId is required.', { field: 'keyId' })
  let region = caller.region
  let account = caller.account
  let id: string | undefined
  let alias: string | undefined
  if (keyId.startsWith('arn:')) {
    const arn = parseArn(keyId)
    if (!arn || arn.service !== 'kms') throw new ArcaError('NotFound', `Invalid arn ${keyId}`)
    if (arn.region !== caller.region) throw new ArcaError('NotFound', `Invalid arn ${arn.region}`)
    region = arn.region
    account = arn.account
    if (arn.resource.startsWith('key/')) id = arn.resource.slice(4)
    else if (arn.resource.startsWith('alias/')) alias = arn.resource
    else throw new ArcaError('NotFound', `Invalid arn ${keyId}`)
  } else if (keyId.startsWith('alias/')) {
    alias = keyId
  } else {
    id = keyId
  }
  if (alias !== undefined) {
    if (!opts.allowAlias) throw new ArcaError('NotFound', `Invalid keyId '${keyId}'`)
    const target = await store.resolveAlias(account, region, alias)
    if (!target) throw new ArcaError('NotFound', `Alias ${kmsAliasArn(region, account, alias)} is not found.`)
    id = target
  }
  if (!id || !isKeyId(id)) throw new ArcaError('NotFound', `Invalid keyId '${keyId}'`)
  const key = await store.get(region, id)
  if (!key || key.account !== account) throw new ArcaError('NotFound', `Key '${kmsKeyArn(region, account, id)}' does not exist`)
  return alias === undefined ? { key } : { key, alias }
}
