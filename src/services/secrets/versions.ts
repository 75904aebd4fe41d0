import type { Kysely } from 'kysely'
import { ArcaError } from '../../core/index.ts'
import type { Caller } from '../../kms/index.ts'
import type { Schema } from '../../store/index.ts'
import type { SecretsDeps } from './context.ts'
import { type SealedVersion, openVersion } from './envelope.ts'
import { attach, loadLabels, saveLabels } from './labels.ts'
import { AWSCURRENT, MAX_VERSIONS, PRUNE_MIN_AGE_MS } from './limits.ts'
import { MARKED_FOR_DELETION, type SecretRow, notFound } from './resolve.ts'
import { type SecretValue, sameValue, wipe } from './value.ts'

/**
 * Adding a version (CreateSecret, PutSecretValue, UpdateSecret) in two halves: the KMS work and
 * the idempotency check happen before the transaction (they read other rows, and on SQLite a
 * query outside an open transaction would wait for it); the transaction then locks the secret
 * row, inserts the version, moves labels and prunes, so racing writers serialise on the row.
 */

/** What an existing version with the request's token means for the request. */
export type TokenState = { state: 'absent' } | { state: 'same'; stages: string[] } | { state: 'empty' }

/**
 * ClientRequestToken idempotency (AWS-API.md §5.3): the token is an existing version with an
 * identical value → success without change; a different value → ResourceExistsException; an
 * existing version without a value (RotateSecret's AWSPENDING) may be filled.
 */
export async function tokenState(deps: Pick<SecretsDeps, 'db' | 'kms'>, caller: Caller, row: SecretRow, versionId: string, value: SecretValue): Promise<TokenState> {
  const v = await deps.db
    .selectFrom('secret_versions')
    .select(['kind', 'data_key', 'value', 'stages'])
    .where('secret_id', '=', row.id)
    .where('version_id', '=', versionId)
    .executeTakeFirst()
  if (!v) return { state: 'absent' }
  if (v.value === null || v.data_key === null || v.kind === null) return { state: 'empty' }
  const stored = await openVersion(deps.kms, caller, row, { versionId, kind: v.kind, dataKey: v.data_key, value: v.value })
  try {
    if (!sameValue(stored, value)) throw new ArcaError('AlreadyExists', "You can't modify an existing version, you can only create a new version.")
  } finally {
    wipe(stored)
  }
  return { state: 'same', stages: JSON.parse(v.stages) as string[] }
}

/**
 * Locks the secret row for this transaction (an UPDATE takes the row lock on PostgreSQL; SQLite
 * runs one write transaction at a time) and bumps its revision. Refuses a secret that is gone or
 * waiting for deletion.
 */
export async function lockSecret(tx: Kysely<Schema>, secretId: string, now: number, changed = true): Promise<void> {
  const r = await tx
    .updateTable('secrets')
    .set((eb) => (changed ? { revision: eb('revision', '+', 1), last_changed_at: now } : { revision: eb('revision', '+', 1) }))
    .where('id', '=', secretId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
  if (Number(r.numUpdatedRows) === 1) return
  const still = await tx.selectFrom('secrets').select('id').where('id', '=', secretId).executeTakeFirst()
  throw still ? new ArcaError('InvalidRequest', MARKED_FOR_DELETION) : notFound()
}

export interface VersionWrite {
  versionId: string
  kind: 'string' | 'binary'
  sealed: SealedVersion
  /** Labels to move onto the version; default [AWSCURRENT]. */
  stages?: readonly string[]
  /** Fill an existing version that has no value instead of inserting one. */
  fill?: boolean
  /** Compare-and-set on AWSCURRENT (REST If-Match), checked under the row lock. */
  expectCurrentVersionId?: string
}

export interface VersionWritten {
  stages: string[]
  pruned: string[]
}

/** Inside the transaction, after lockSecret: writes the version, moves labels, prunes. */
export async function writeVersion(tx: Kysely<Schema>, secretId: string, now: number, w: VersionWrite): Promise<VersionWritten> {
  const cells = {
    kind: w.kind,
    data_key: w.sealed.dataKey,
    value: w.sealed.value,
    kms_key_arn: w.sealed.kmsKeyArn,
    default_key: w.sealed.defaultKey ? 1 : 0,
  }
  if (w.fill) {
    const r = await tx
      .updateTable('secret_versions')
      .set(cells)
      .where('secret_id', '=', secretId)
      .where('version_id', '=', w.versionId)
      .where('value', 'is', null)
      .executeTakeFirst()
    if (Number(r.numUpdatedRows) !== 1) throw new ArcaError('Conflict', 'The version was written concurrently; retry the request.')
  } else {
    await tx
      .insertInto('secret_versions')
      .values({ secret_id: secretId, version_id: w.versionId, created_at: now, last_accessed_at: null, stages: '[]', ...cells })
      .execute()
  }
  const before = await loadLabels(tx, secretId)
  if (w.expectCurrentVersionId !== undefined && before.get(AWSCURRENT) !== w.expectCurrentVersionId)
    throw new ArcaError('PreconditionNotMet', `The current version is ${before.get(AWSCURRENT) ?? 'absent'}, not ${w.expectCurrentVersionId} (If-Match).`)
  let wanted = w.stages ?? [AWSCURRENT]
  // The first value of a secret always becomes AWSCURRENT.
  if (!before.has(AWSCURRENT) && !wanted.includes(AWSCURRENT)) wanted = [AWSCURRENT, ...wanted]
  const after = attach(before, w.versionId, wanted)
  await saveLabels(tx, secretId, before, after)
  const stages = [...after].filter(([, v]) => v === w.versionId).map(([s]) => s)
  const pruned = await pruneVersions(tx, secretId, now)
  return { stages, pruned }
}

/** AWS keeps about MAX_VERSIONS versions: the oldest unlabelled ones beyond it go, never one younger than 24 h. */
export async function pruneVersions(tx: Kysely<Schema>, secretId: string, now: number): Promise<string[]> {
  const { n } = await tx
    .selectFrom('secret_versions')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('secret_id', '=', secretId)
    .executeTakeFirstOrThrow()
  const excess = Number(n) - MAX_VERSIONS
  if (excess <= 0) return []
  const victims = await tx
    .selectFrom('secret_versions')
    .select('version_id')
    .where('secret_id', '=', secretId)
    .where('stages', '=', '[]')
    .where('created_at', '<=', now - PRUNE_MIN_AGE_MS)
    .orderBy('created_at')
    .orderBy('version_id')
    .limit(excess)
    .execute()
  const ids = victims.map((v) => v.version_id)
  if (ids.length) await tx.deleteFrom('secret_versions').where('secret_id', '=', secretId).where('version_id', 'in', ids).execute()
  return ids
}

/** A unique-constraint failure on either back end (the racing writer won). */
export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string }
  return err?.code === '23505' || err?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || err?.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed/.test(err?.message ?? '')
}
