import { ArcaError } from '../../core/index.ts'
import type { IdentityCache } from './cache.ts'
import { accessKeyAad, newAccessKeyId, newSecretAccessKey } from './credentials.ts'
import { accountExists, identityWrite } from './store.ts'
import type { AdminCredentials, BootstrapConfig, IdentityDeps } from './types.ts'
import { checkAccountId, OPERATOR_ACCESS_KEY_ID, OPERATOR_SECRET, TOKEN_TTL_MAX_SECONDS } from './validate.ts'
import { ensureAdminUser, insertAccessKey, insertToken } from './writes.ts'

const encoder = new TextEncoder()

/**
 * Start-up: the default account and its administrator exist. With the operator's admin key
 * from the environment, that key exists, holds that secret and belongs to the administrator
 * (the environment is the operator's word: a different stored secret or owner is overwritten).
 * Without one, an administrator that has no access key yet gets one plus an API token, returned
 * once for the caller to write with `writeAdminCredentials`. Safe when several nodes start at
 * once: the whole check runs in one serialised identity write, so one node generates.
 */
export async function bootstrap(ctx: IdentityDeps & { cache: IdentityCache }, cfg: BootstrapConfig): Promise<{ generated?: AdminCredentials }> {
  const { db, barrier, clock, cache } = ctx
  const account = checkAccountId(cfg.accountId, 'accountId')
  const envId = cfg.adminAccessKeyId
  const envSecret = cfg.adminSecretAccessKey
  if ((envId === undefined) !== (envSecret === undefined)) {
    throw new ArcaError('Validation', 'ARCA_ADMIN_ACCESS_KEY_ID and ARCA_ADMIN_SECRET_ACCESS_KEY must be set together', {
      field: envId === undefined ? 'adminAccessKeyId' : 'adminSecretAccessKey',
    })
  }
  if (envId !== undefined && !OPERATOR_ACCESS_KEY_ID.test(envId)) {
    throw new ArcaError('Validation', 'ARCA_ADMIN_ACCESS_KEY_ID must be 1–128 letters, digits or underscores', { field: 'adminAccessKeyId' })
  }
  // The secret's value is never echoed, not even in a validation message.
  if (envSecret !== undefined && !OPERATOR_SECRET.test(envSecret)) {
    throw new ArcaError('Validation', 'ARCA_ADMIN_SECRET_ACCESS_KEY must be 1–128 visible ASCII characters', { field: 'adminSecretAccessKey' })
  }

  try {
    return await identityWrite(db, async (tx) => {
      const now = clock.now()
      if (!(await accountExists(tx, account))) await tx.insertInto('iam_accounts').values({ id: account, created_at: now }).execute()
      const admin = await ensureAdminUser(tx, account, now)

      if (envId !== undefined && envSecret !== undefined) {
        const existing = await tx.selectFrom('iam_access_keys').select('id').where('id', '=', envId).executeTakeFirst()
        if (existing === undefined) {
          await insertAccessKey(tx, barrier, admin.id, envId, envSecret, now)
        } else {
          const secret = barrier.wrap(accessKeyAad(envId), encoder.encode(envSecret))
          await tx.updateTable('iam_access_keys').set({ secret, principal_id: admin.id }).where('id', '=', envId).execute()
        }
        return {}
      }

      const { n } = await tx
        .selectFrom('iam_access_keys')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('principal_id', '=', admin.id)
        .executeTakeFirstOrThrow()
      if (Number(n) > 0) return {}
      const key = await insertAccessKey(tx, barrier, admin.id, newAccessKeyId(), newSecretAccessKey(), now)
      // The file holds a never-expiring access key beside it, so the token gets the longest life.
      const { token } = await insertToken(tx, admin.id, now, TOKEN_TTL_MAX_SECONDS)
      return { generated: { ...key, token } }
    })
  } finally {
    cache.clear()
  }
}
