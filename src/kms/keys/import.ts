import type { Kysely, Transaction } from 'kysely'
import { ArcaError, MS, uuid } from '../../core/index.ts'
import type { Schema } from '../../store/index.ts'
import { type Barrier, importKeyAad } from '../barrier.ts'
import { type KmsContext, authorize } from '../context-deps.ts'
import { type KeySpec, importableMaterialCheck, rsaWrappingKeyPair, unwrapImportedMaterial } from '../crypto/index.ts'
import { MAX_CIPHERTEXT, missing, optionalEnum, requireBlob, requireEnum } from '../ops/checks.ts'
import { materialId } from './key-store.ts'
import { type KeyRecord, fromRow } from './record.ts'
import { resolveKey } from './resolve.ts'
import type { Caller } from '../types.ts'
import { requireState } from './states.ts'

// AWS: each public key and import token set is valid for 24 hours.
export const IMPORT_PARAMETERS_TTL_MS = 24 * MS.hour
// AWS: ImportKeyMaterial ValidTo at most 365 days from the request.
export const MAX_VALID_TO_MS = 365 * MS.day
// Expired tokens are kept this long so a late ImportKeyMaterial still hears ExpiredImportToken.
const EXPIRED_TOKEN_GRACE_MS = 7 * MS.day

const WRAPPING_ALGORITHMS = ['RSAES_PKCS1_V1_5', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256', 'SM2PKE'] as const
const SUPPORTED_WRAPPING = ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] as const
const WRAPPING_KEY_SPECS = ['RSA_2048', 'RSA_3072', 'RSA_4096', 'SM2'] as const
const EXPIRATION_MODELS = ['KEY_MATERIAL_EXPIRES', 'KEY_MATERIAL_DOES_NOT_EXPIRE'] as const
const IMPORT_TYPES = ['NEW_KEY_MATERIAL', 'EXISTING_KEY_MATERIAL'] as const

// The import token names its stored row: format byte | token id (36 ASCII). It is not a secret:
// the row is bound to one key, and its wrapping key is useless without the wrapped material.
const TOKEN_FORMAT_V1 = 0x01
const TOKEN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

type Db = Kysely<Schema> | Transaction<Schema>

function barrierOf(ctx: KmsContext): Barrier {
  if (!ctx.barrier) throw new ArcaError('Internal', 'Importing key material needs the barrier in the KMS context.')
  return ctx.barrier
}

/** Import operations apply only to keys made for imported material (AWS: Origin EXTERNAL). */
function requireExternal(key: KeyRecord): void {
  if (key.origin !== 'EXTERNAL') throw new ArcaError('UnsupportedOperation', `${key.arn} origin is ${key.origin} which is not valid for this operation.`)
}

export interface GetParametersForImportOutput {
  keyId: string
  importToken: Uint8Array
  publicKey: Uint8Array
  parametersValidTo: Date
}

export async function getParametersForImport(
  ctx: KmsContext,
  caller: Caller,
  input: { keyId: string; wrappingAlgorithm: string; wrappingKeySpec: string },
): Promise<GetParametersForImportOutput> {
  const algorithm = requireEnum('wrappingAlgorithm', input.wrappingAlgorithm, WRAPPING_ALGORITHMS)
  const spec = requireEnum('wrappingKeySpec', input.wrappingKeySpec, WRAPPING_KEY_SPECS)
  const { key } = await resolveKey(ctx.store, caller, input.keyId, { allowAlias: false })
  await authorize(ctx, caller, 'kms:GetParametersForImport', key, {
    conditions: { 'kms:WrappingAlgorithm': algorithm, 'kms:WrappingKeySpec': spec },
  })
  requireExternal(key)
  requireState(key, 'manage')
  if (!(SUPPORTED_WRAPPING as readonly string[]).includes(algorithm))
    throw new ArcaError('UnsupportedOperation', `WrappingAlgorithm ${algorithm} is not supported by Arca; use RSAES_OAEP_SHA_256 or RSAES_OAEP_SHA_1.`)
  if (spec === 'SM2') throw new ArcaError('UnsupportedOperation', 'WrappingKeySpec SM2 is supported only in China Regions.')
  if (key.spec.startsWith('ML_DSA_')) throw new ArcaError('UnsupportedOperation', `Importing key material is not supported for KeySpec ${key.spec}.`)

  const pair = rsaWrappingKeyPair(spec)
  const tokenId = uuid()
  const expiresAt = ctx.clock.now() + IMPORT_PARAMETERS_TTL_MS
  try {
    await ctx.db
      .insertInto('kms_import_tokens')
      .values({
        token_id: tokenId,
        region: key.region,
        key_id: key.id,
        wrapping_algorithm: algorithm,
        wrapping_key: barrierOf(ctx).wrap(importKeyAad(tokenId), pair.privateKey),
        expires_at: expiresAt,
      })
      .execute()
  } finally {
    pair.privateKey.fill(0)
  }
  const importToken = new Uint8Array(1 + tokenId.length)
  importToken[0] = TOKEN_FORMAT_V1
  for (let i = 0; i < tokenId.length; i++) importToken[1 + i] = tokenId.charCodeAt(i)
  return { keyId: key.arn, importToken, publicKey: pair.publicKey, parametersValidTo: new Date(expiresAt) }
}

export interface ImportKeyMaterialInput {
  keyId: string
  importToken: Uint8Array
  encryptedKeyMaterial: Uint8Array
  validTo?: Date
  expirationModel?: string
  importType?: string
  keyMaterialDescription?: string
  keyMaterialId?: string
}

export async function importKeyMaterial(
  ctx: KmsContext,
  caller: Caller,
  input: ImportKeyMaterialInput,
): Promise<{ keyId: string; keyMaterialId: string }> {
  const token = requireBlob('importToken', input.importToken, MAX_CIPHERTEXT)
  const encrypted = requireBlob('encryptedKeyMaterial', input.encryptedKeyMaterial, MAX_CIPHERTEXT)
  const importType = optionalEnum('importType', input.importType, IMPORT_TYPES)
  const now = ctx.clock.now()
  const { model, validTo } = expiration(input.expirationModel, input.validTo, now)
  const { key } = await resolveKey(ctx.store, caller, input.keyId, { allowAlias: false })
  await authorize(ctx, caller, 'kms:ImportKeyMaterial', key, {
    conditions: { 'kms:ExpirationModel': model, 'kms:ValidTo': validTo === null ? undefined : Math.floor(validTo / 1000) },
  })
  requireExternal(key)
  requireState(key, 'manage')

  const tokenId = parseToken(token)
  const row = await ctx.db.selectFrom('kms_import_tokens').selectAll().where('token_id', '=', tokenId).executeTakeFirst()
  if (!row || row.key_id !== key.id || row.region !== key.region)
    throw new ArcaError('InvalidImportToken', 'Import token is not valid for the specified KMS key.')
  if (Number(row.expires_at) <= now)
    throw new ArcaError('ExpiredImportToken', 'Import token expired. Use GetParametersForImport to get a new import token and public key, use the new public key to encrypt the key material, and then try the request again.')

  const wrappingKey = barrierOf(ctx).unwrap(importKeyAad(tokenId), new Uint8Array(row.wrapping_key))
  let material: Uint8Array
  try {
    material = unwrapImportedMaterial(row.wrapping_algorithm as (typeof SUPPORTED_WRAPPING)[number], wrappingKey, encrypted)
  } finally {
    wrappingKey.fill(0)
  }
  try {
    importableMaterialCheck(key.spec as KeySpec, material)
    const id = materialId(key.id, 1, material)
    const previous = (await ctx.store.materialVersions(key.id)).find((v) => v.version === 1)
    // AWS: once a key has had material, only that same material may be imported again.
    if (previous && previous.material_id !== id)
      throw new ArcaError('IncorrectKeyMaterial', 'The key material is not the key material previously imported into this KMS key.')
    if (previous && importType === 'NEW_KEY_MATERIAL')
      throw new ArcaError('UnsupportedOperation', 'Importing new key material into a key that already has key material is not supported by Arca.')
    if (!previous && importType === 'EXISTING_KEY_MATERIAL')
      throw new ArcaError('Validation', 'ImportType EXISTING_KEY_MATERIAL needs key material previously imported into this KMS key.', { field: 'importType' })
    if (input.keyMaterialId !== undefined && input.keyMaterialId !== id)
      throw new ArcaError('IncorrectKeyMaterial', 'The key material does not match the KeyMaterialId in the request.')

    await ctx.db.transaction().execute(async (tx) => {
      // The token is single-use: whoever deletes it imports.
      const used = await tx.deleteFrom('kms_import_tokens').where('token_id', '=', tokenId).executeTakeFirst()
      if (Number(used.numDeletedRows) !== 1) throw new ArcaError('InvalidImportToken', 'Import token is not valid for the specified KMS key.')
      await ctx.store.deleteMaterial(key.id, tx)
      await ctx.store.insertMaterial(key.id, 1, material, null, tx)
      const state = key.state === 'PendingImport' ? 'Enabled' : key.state
      if (!(await ctx.store.update(key, { state, currentVersion: 1, validTo, expirationModel: model }, tx)))
        throw new ArcaError('Conflict', `${key.arn} was changed by another request at the same time; retry.`)
    })
    await ctx.store.deleteMaterialCache(key.id)
    return { keyId: key.arn, keyMaterialId: id }
  } finally {
    material.fill(0)
  }
}

/** AWS: ExpirationModel defaults to KEY_MATERIAL_EXPIRES, which needs ValidTo (future, ≤ 365 days); DOES_NOT_EXPIRE forbids it. */
function expiration(modelIn: unknown, validToIn: unknown, now: number): { model: string; validTo: number | null } {
  const model = optionalEnum('expirationModel', modelIn, EXPIRATION_MODELS) ?? 'KEY_MATERIAL_EXPIRES'
  const given = validToIn !== undefined && validToIn !== null
  if (model === 'KEY_MATERIAL_DOES_NOT_EXPIRE') {
    if (given) throw new ArcaError('Validation', 'ValidTo must not be set when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE.', { field: 'validTo' })
    return { model, validTo: null }
  }
  if (!given) throw new ArcaError('Validation', 'ValidTo is required when ExpirationModel is KEY_MATERIAL_EXPIRES.', { field: 'validTo' })
  if (!(validToIn instanceof Date) || Number.isNaN(validToIn.getTime())) throw new ArcaError('Validation', 'ValidTo must be a date.', { field: 'validTo' })
  const validTo = validToIn.getTime()
  if (validTo <= now) throw new ArcaError('Validation', 'ValidTo must be in the future.', { field: 'validTo' })
  if (validTo > now + MAX_VALID_TO_MS) throw new ArcaError('Validation', 'ValidTo must be at most 365 days from now.', { field: 'validTo' })
  return { model, validTo }
}

function parseToken(token: Uint8Array): string {
  if (token.length !== 37 || token[0] !== TOKEN_FORMAT_V1) throw new ArcaError('InvalidImportToken', 'Import token is not valid for the specified KMS key.')
  const id = String.fromCharCode(...token.subarray(1))
  if (!TOKEN_ID.test(id)) throw new ArcaError('InvalidImportToken', 'Import token is not valid for the specified KMS key.')
  return id
}

export async function deleteImportedKeyMaterial(
  ctx: KmsContext,
  caller: Caller,
  input: { keyId: string; keyMaterialId?: string },
): Promise<{ keyId: string; keyMaterialId?: string }> {
  if (input.keyMaterialId !== undefined && (typeof input.keyMaterialId !== 'string' || input.keyMaterialId.length !== 64))
    throw new ArcaError('Validation', 'KeyMaterialId must be 64 characters.', { field: 'keyMaterialId' })
  const { key } = await resolveKey(ctx.store, caller, input.keyId, { allowAlias: false })
  await authorize(ctx, caller, 'kms:DeleteImportedKeyMaterial', key)
  requireExternal(key)
  // AWS: allowed while pending deletion too, which then leaves the state alone.
  if (key.state !== 'PendingDeletion') requireState(key, 'manage')
  const current = (await ctx.store.materialVersions(key.id)).find((v) => v.version === 1)
  if (input.keyMaterialId !== undefined && input.keyMaterialId !== current?.material_id)
    throw new ArcaError('NotFound', `Key material ${input.keyMaterialId} is not associated with ${key.arn}.`)
  await ctx.db.transaction().execute(async (tx) => {
    if (!(await ctx.store.update(key, retiredPatch(key), tx)))
      throw new ArcaError('Conflict', `${key.arn} was changed by another request at the same time; retry.`)
    await retireMaterial(ctx, key, tx)
  })
  await ctx.store.deleteMaterialCache(key.id)
  return current ? { keyId: key.arn, keyMaterialId: current.material_id } : { keyId: key.arn }
}

function retiredPatch(key: KeyRecord) {
  return { state: key.state === 'PendingDeletion' ? key.state : ('PendingImport' as const), validTo: null }
}

/**
 * Forgets imported material but keeps its row with an empty blob and its material_id, so a
 * reimport can be matched against it (AWS: only the same material may be reimported) and
 * ListKeyRotations still names it. A multi-Region key's other regions share the material: it
 * stays while any of them still uses it.
 */
async function retireMaterial(ctx: KmsContext, key: KeyRecord, tx: Db): Promise<void> {
  const users = (await ctx.store.allRegions(key.id, tx)).filter((k) => k.region !== key.region && k.state !== 'PendingImport')
  if (users.length > 0) return
  await tx.updateTable('kms_key_material').set({ material: new Uint8Array(0) }).where('key_id', '=', key.id).execute()
}

/**
 * The scheduler's job: imported material whose ValidTo has passed is deleted and the key goes to
 * PendingImport, with a "KMS Imported Key Material Expiration" event. Idempotent; catches up after
 * downtime; a key changed concurrently is left for the next run. Also drops long-expired import tokens.
 */
export async function expireImportedMaterial(ctx: KmsContext, now: number = ctx.clock.now()): Promise<number> {
  const due = await ctx.db
    .selectFrom('kms_keys')
    .selectAll()
    .where('origin', '=', 'EXTERNAL')
    .where('valid_to', 'is not', null)
    .where('valid_to', '<=', now)
    .execute()
  let expired = 0
  for (const row of due) {
    const key = fromRow(row)
    const done = await ctx.db.transaction().execute(async (tx) => {
      if (!(await ctx.store.update(key, retiredPatch(key), tx))) return false
      await retireMaterial(ctx, key, tx)
      await ctx.recordEvent(tx, {
        detailType: 'KMS Imported Key Material Expiration',
        account: key.account,
        region: key.region,
        resources: [key.arn],
        detail: { 'key-id': key.id },
      })
      return true
    })
    ctx.store.invalidate(key.region, key.id)
    if (done) {
      await ctx.store.deleteMaterialCache(key.id)
      expired++
    }
  }
  await ctx.db.deleteFrom('kms_import_tokens').where('expires_at', '<', now - EXPIRED_TOKEN_GRACE_MS).execute()
  return expired
}
