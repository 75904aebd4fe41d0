import type { Kysely } from 'kysely'
import { ArcaError, toDate } from '../../core/index.ts'
import type { Barrier } from '../../kms/index.ts'
import type { Schema } from '../../store/index.ts'
import { accessKeyAad, hashToken, newApiToken, newPrincipalId } from './credentials.ts'
import { findPrincipal, type PrincipalRow } from './store.ts'
import { MAX_TOKENS_PER_PRINCIPAL } from './validate.ts'

/** Writes shared by the service and bootstrap; each runs inside an `identityWrite` transaction. */

export const ADMIN_USER = 'admin'
const encoder = new TextEncoder()

/** Ensures the account's `admin` user exists and carries the administrator flag. */
export async function ensureAdminUser(tx: Kysely<Schema>, account: string, now: number): Promise<PrincipalRow> {
  const existing = await findPrincipal(tx, 'user', account, ADMIN_USER)
  if (existing !== undefined) {
    if (Number(existing.admin) !== 1) await tx.updateTable('iam_principals').set({ admin: 1 }).where('id', '=', existing.id).execute()
    return { ...existing, admin: 1 }
  }
  const row = {
    id: newPrincipalId('user'),
    account,
    kind: 'user' as const,
    name: ADMIN_USER,
    name_key: ADMIN_USER,
    admin: 1,
    tags: '{}',
    created_at: now,
  }
  await tx.insertInto('iam_principals').values(row).execute()
  return row
}

/** Stores a new token's hash (purging the principal's expired ones first) and returns the token once. */
export async function insertToken(tx: Kysely<Schema>, principalId: string, now: number, ttlSeconds: number): Promise<{ token: string; expiresAt: Date }> {
  await tx.deleteFrom('iam_tokens').where('principal_id', '=', principalId).where('expires_at', '<=', now).execute()
  const { n } = await tx.selectFrom('iam_tokens').select((eb) => eb.fn.countAll<number>().as('n')).where('principal_id', '=', principalId).executeTakeFirstOrThrow()
  if (Number(n) >= MAX_TOKENS_PER_PRINCIPAL) throw new ArcaError('LimitExceeded', `Cannot exceed quota for live API tokens per principal: ${MAX_TOKENS_PER_PRINCIPAL}`)
  const token = newApiToken()
  const expiresAt = now + ttlSeconds * 1000
  await tx.insertInto('iam_tokens').values({ hash: hashToken(token), principal_id: principalId, created_at: now, expires_at: expiresAt }).execute()
  return { token, expiresAt: toDate(expiresAt) }
}

/** Stores a new access key with its secret wrapped under the root key, bound to the key id. */
export async function insertAccessKey(
  tx: Kysely<Schema>,
  barrier: Barrier,
  principalId: string,
  accessKeyId: string,
  secretAccessKey: string,
  now: number,
): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const secret = barrier.wrap(accessKeyAad(accessKeyId), encoder.encode(secretAccessKey))
  await tx.insertInto('iam_access_keys').values({ id: accessKeyId, principal_id: principalId, secret, created_at: now }).execute()
  return { accessKeyId, secretAccessKey }
}
