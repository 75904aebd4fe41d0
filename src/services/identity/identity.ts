import { ArcaError, randomString, toDate } from '../../core/index.ts'
import { bootstrap } from './bootstrap.ts'
import { IdentityCache, type KeyEntry, type TokenEntry } from './cache.ts'
import { accessKeyAad, hashToken, newAccessKeyId, newPrincipalId, newSecretAccessKey, TOKEN_PATTERN } from './credentials.ts'
import {
  accountExists,
  findPrincipal,
  identityWrite,
  requireAccount,
  requirePrincipal,
  toPrincipal,
  type PrincipalRow,
} from './store.ts'
import type { Identity, IdentityDeps, PrincipalDetail, PrincipalKind } from './types.ts'
import { ensureAdminUser, insertAccessKey, insertToken } from './writes.ts'
import {
  checkAccountId,
  checkKind,
  checkPolicyDocument,
  checkPolicyName,
  checkPrincipalName,
  checkTags,
  checkTtlSeconds,
  MAX_ACCESS_KEYS_PER_PRINCIPAL,
  MAX_POLICIES_PER_PRINCIPAL,
} from './validate.ts'

const decoder = new TextDecoder()

export function createIdentity(deps: IdentityDeps): Identity {
  const { db, barrier, clock } = deps
  const cache = new IdentityCache(db, clock)

  /** Validated (kind, account, name) of a principal named by a caller. */
  const target = (kind: PrincipalKind, account: string, name: string) => ({ kind: checkKind(kind), account: checkAccountId(account), name: checkPrincipalName(name) })

  /** A write that changes one principal: its cache entries go once it has committed. */
  async function changePrincipal<T>(kind: PrincipalKind, account: string, name: string, fn: (tx: typeof db, p: PrincipalRow) => Promise<T>): Promise<T> {
    const t = target(kind, account, name)
    let principalId: string | undefined
    try {
      return await identityWrite(db, async (tx) => {
        const p = await requirePrincipal(tx, t.kind, t.account, t.name)
        principalId = p.id
        return fn(tx, p)
      })
    } finally {
      if (principalId !== undefined) cache.dropPrincipal(principalId)
    }
  }

  async function readPrincipal(kind: PrincipalKind, account: string, name: string): Promise<PrincipalRow> {
    const t = target(kind, account, name)
    return requirePrincipal(db, t.kind, t.account, t.name)
  }

  const identity: Identity = {
    bootstrap: (cfg) => bootstrap({ db, barrier, clock, cache }, cfg),

    async accessKey(accessKeyId) {
      if (typeof accessKeyId !== 'string' || accessKeyId.length === 0 || accessKeyId.length > 128) return undefined
      return cache.through<KeyEntry>(cache.keys, accessKeyId, async () => {
        const row = await db
          .selectFrom('iam_access_keys as k')
          .innerJoin('iam_principals as p', 'p.id', 'k.principal_id')
          .selectAll('p')
          .select('k.secret')
          .where('k.id', '=', accessKeyId)
          .executeTakeFirst()
        if (row === undefined) return undefined
        const secretAccessKey = decoder.decode(barrier.unwrap(accessKeyAad(accessKeyId), row.secret))
        return Object.freeze({ secretAccessKey, principal: toPrincipal(row) })
      })
    },

    async authenticateToken(token) {
      if (typeof token !== 'string' || !TOKEN_PATTERN.test(token)) return undefined
      const hash = hashToken(token)
      const entry = await cache.through<TokenEntry>(cache.tokens, hash, async () => {
        const row = await db
          .selectFrom('iam_tokens as t')
          .innerJoin('iam_principals as p', 'p.id', 't.principal_id')
          .selectAll('p')
          .select('t.expires_at')
          .where('t.hash', '=', hash)
          .executeTakeFirst()
        return row === undefined ? undefined : { principal: toPrincipal(row), expiresAt: Number(row.expires_at) }
      })
      if (entry === undefined || clock.now() >= entry.expiresAt) return undefined
      return entry.principal
    },

    async policiesOf(principal) {
      const docs = await cache.through<readonly string[]>(cache.policies, principal.id, async () => {
        const rows = await db.selectFrom('iam_policies').select('document').where('principal_id', '=', principal.id).orderBy('name').execute()
        return Object.freeze(rows.map((r) => r.document))
      })
      return docs ?? []
    },

    async createAccount(id) {
      const wanted = id === undefined ? undefined : checkAccountId(id, 'id')
      return identityWrite(db, async (tx) => {
        let account = wanted
        if (account !== undefined) {
          if (await accountExists(tx, account)) throw new ArcaError('AlreadyExists', `Account ${account} already exists.`, { field: 'id' })
        } else {
          for (let i = 0; i < 5 && account === undefined; i++) {
            const candidate = randomString(12, '0123456789')
            if (!(await accountExists(tx, candidate))) account = candidate
          }
          if (account === undefined) throw new ArcaError('Internal', 'could not find a free account id')
        }
        await tx.insertInto('iam_accounts').values({ id: account, created_at: clock.now() }).execute()
        await ensureAdminUser(tx, account, clock.now())
        return { id: account }
      })
    },

    async listAccounts() {
      return db.selectFrom('iam_accounts').select('id').orderBy('id').execute()
    },

    async createPrincipal(kind, input) {
      const t = target(kind, input.account, input.name)
      const tags = checkTags(input.tags)
      const row = await identityWrite(db, async (tx) => {
        await requireAccount(tx, t.account)
        const existing = await findPrincipal(tx, t.kind, t.account, t.name)
        if (existing !== undefined) {
          throw new ArcaError('AlreadyExists', `${t.kind === 'user' ? 'User' : 'Role'} with name ${existing.name} already exists.`, { field: 'name' })
        }
        const values = {
          id: newPrincipalId(t.kind),
          account: t.account,
          kind: t.kind,
          name: t.name,
          name_key: t.name.toLowerCase(),
          admin: 0,
          tags: JSON.stringify(tags),
          created_at: clock.now(),
        }
        await tx.insertInto('iam_principals').values(values).execute()
        return values
      })
      return toPrincipal(row)
    },

    async getPrincipal(kind, account, name) {
      const t = target(kind, account, name)
      const row = await findPrincipal(db, t.kind, t.account, t.name)
      if (row === undefined) return undefined
      const [keys, policies] = await Promise.all([
        db.selectFrom('iam_access_keys').select(['id', 'created_at']).where('principal_id', '=', row.id).orderBy('created_at').orderBy('id').execute(),
        db.selectFrom('iam_policies').select('name').where('principal_id', '=', row.id).orderBy('name').execute(),
      ])
      const detail: PrincipalDetail = {
        ...toPrincipal(row),
        accessKeys: keys.map((k) => ({ accessKeyId: k.id, createdAt: toDate(Number(k.created_at)) })),
        policies: policies.map((p) => p.name),
      }
      return detail
    },

    async listPrincipals(kind, account) {
      const k = checkKind(kind)
      await requireAccount(db, checkAccountId(account))
      const rows = await db.selectFrom('iam_principals').selectAll().where('account', '=', account).where('kind', '=', k).orderBy('name_key').execute()
      return rows.map(toPrincipal)
    },

    async deletePrincipal(kind, account, name) {
      await changePrincipal(kind, account, name, async (tx, p) => {
        if (Number(p.admin) === 1) {
          throw new ArcaError('Conflict', `The administrator ${p.name} of account ${p.account} cannot be deleted.`, { field: 'name' })
        }
        await tx.deleteFrom('iam_policies').where('principal_id', '=', p.id).execute()
        await tx.deleteFrom('iam_tokens').where('principal_id', '=', p.id).execute()
        await tx.deleteFrom('iam_access_keys').where('principal_id', '=', p.id).execute()
        await tx.deleteFrom('iam_principals').where('id', '=', p.id).execute()
      })
    },

    async createAccessKey(kind, account, name) {
      return changePrincipal(kind, account, name, async (tx, p) => {
        const { n } = await tx.selectFrom('iam_access_keys').select((eb) => eb.fn.countAll<number>().as('n')).where('principal_id', '=', p.id).executeTakeFirstOrThrow()
        if (Number(n) >= MAX_ACCESS_KEYS_PER_PRINCIPAL) {
          throw new ArcaError('LimitExceeded', `Cannot exceed quota for AccessKeysPerUser: ${MAX_ACCESS_KEYS_PER_PRINCIPAL}`)
        }
        return insertAccessKey(tx, barrier, p.id, newAccessKeyId(), newSecretAccessKey(), clock.now())
      })
    },

    async deleteAccessKey(kind, account, name, accessKeyId) {
      await changePrincipal(kind, account, name, async (tx, p) => {
        const res = await tx.deleteFrom('iam_access_keys').where('id', '=', String(accessKeyId)).where('principal_id', '=', p.id).executeTakeFirst()
        if (Number(res.numDeletedRows) === 0) {
          throw new ArcaError('NotFound', `The Access Key with id ${String(accessKeyId).slice(0, 128)} cannot be found.`, { field: 'accessKeyId' })
        }
      })
      cache.keys.delete(accessKeyId)
    },

    async putPolicy(kind, account, name, policyName, document) {
      checkPolicyName(policyName)
      checkPolicyDocument(document)
      await changePrincipal(kind, account, name, async (tx, p) => {
        const now = clock.now()
        const existing = await tx.selectFrom('iam_policies').select('name').where('principal_id', '=', p.id).execute()
        if (!existing.some((e) => e.name === policyName) && existing.length >= MAX_POLICIES_PER_PRINCIPAL) {
          throw new ArcaError('LimitExceeded', `Cannot exceed quota for PoliciesPerPrincipal: ${MAX_POLICIES_PER_PRINCIPAL}`)
        }
        await tx
          .insertInto('iam_policies')
          .values({ principal_id: p.id, name: policyName, document, created_at: now, updated_at: now })
          .onConflict((oc) => oc.columns(['principal_id', 'name']).doUpdateSet({ document, updated_at: now }))
          .execute()
      })
    },

    async getPolicy(kind, account, name, policyName) {
      checkPolicyName(policyName)
      const p = await readPrincipal(kind, account, name)
      const row = await db.selectFrom('iam_policies').select('document').where('principal_id', '=', p.id).where('name', '=', policyName).executeTakeFirst()
      return row?.document
    },

    async deletePolicy(kind, account, name, policyName) {
      checkPolicyName(policyName)
      await changePrincipal(kind, account, name, async (tx, p) => {
        const res = await tx.deleteFrom('iam_policies').where('principal_id', '=', p.id).where('name', '=', policyName).executeTakeFirst()
        if (Number(res.numDeletedRows) === 0) {
          throw new ArcaError('NotFound', `The ${p.kind} policy with name ${policyName} cannot be found.`, { field: 'policyName' })
        }
      })
    },

    async listPolicies(kind, account, name) {
      const p = await readPrincipal(kind, account, name)
      const rows = await db.selectFrom('iam_policies').select('name').where('principal_id', '=', p.id).orderBy('name').execute()
      return rows.map((r) => r.name)
    },

    async createToken(kind, account, name, ttlSeconds) {
      const ttl = checkTtlSeconds(ttlSeconds)
      return changePrincipal(kind, account, name, (tx, p) => insertToken(tx, p.id, clock.now(), ttl))
    },
  }

  return identity
}
