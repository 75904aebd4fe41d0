import { sha256 } from '@noble/hashes/sha2.js'
import { ArcaError, randomBytes, toHex } from '../../core/index.ts'
import { type KmsContext, authorize } from '../context-deps.ts'
import { resolveKey } from '../keys/resolve.ts'
import { requireState } from '../keys/states.ts'
import { checkGrantTokens, dryRunError, withGrantTokens } from '../ops/checks.ts'
import type { Caller } from '../types.ts'
import { type GrantConstraints, type GrantOperation, checkConstraints, checkGrantName, checkOperations, checkPrincipal, grantAllows } from './rules.ts'
import { grantStoreOf } from './store.ts'
import { TOKEN_KEY_BYTES, makeGrantToken, newGrantId, tokenKeyAad } from './token.ts'

// AWS resource quota "Grants per KMS key": 50,000 (developerguide/resource-limits.html). The
// older "grants for a given principal per key: 500" quota is no longer in AWS's table.
export const MAX_GRANTS_PER_KEY = 50_000

export interface CreateGrantInput {
  keyId: string
  granteePrincipal: string
  retiringPrincipal?: string
  operations: string[]
  constraints?: GrantConstraints
  grantTokens?: string[]
  name?: string
  dryRun?: boolean
}

/** Same name and parameters → same digest: AWS treats such a CreateGrant as a retry. */
function dedupeDigest(name: string, grantee: string, retiring: string | undefined, operations: GrantOperation[], constraints: GrantConstraints | undefined): string {
  const sorted = (m: Record<string, string> | undefined) => (m ? Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : null)
  const canonical = JSON.stringify([
    name,
    grantee,
    retiring ?? null,
    [...operations].sort(),
    sorted(constraints?.encryptionContextSubset),
    sorted(constraints?.encryptionContextEquals),
  ])
  return toHex(sha256(new TextEncoder().encode(canonical)))
}

export async function createGrant(ctx: KmsContext, caller: Caller, input: CreateGrantInput): Promise<{ grantToken: string; grantId: string }> {
  const grantee = checkPrincipal('granteePrincipal', input.granteePrincipal)
  const retiring = input.retiringPrincipal === undefined || input.retiringPrincipal === null ? undefined : checkPrincipal('retiringPrincipal', input.retiringPrincipal)
  const name = checkGrantName(input.name)
  const tokens = checkGrantTokens(input.grantTokens)
  const { key } = await resolveKey(ctx.store, caller, input.keyId, { allowAlias: false })
  const operations = checkOperations(input.operations, key)
  const constraints = checkConstraints(input.constraints, key)

  // A grant with CreateGrant permission lets its grantee make only narrower grants: pass the
  // authorizer only the caller's grants that could be the parent of this one.
  const store = grantStoreOf(ctx)
  const authCaller = withGrantTokens(caller, tokens)
  const parents = (await store.candidates(key, authCaller)).filter((g) => grantAllows(g, 'CreateGrant', undefined, { operations, constraints }))
  const constraintType = constraints?.encryptionContextEquals ? 'EncryptionContextEquals' : constraints?.encryptionContextSubset ? 'EncryptionContextSubset' : undefined
  await authorize(ctx, authCaller, 'kms:CreateGrant', key, {
    grantOperation: 'CreateGrant',
    grants: parents,
    conditions: {
      'kms:GrantOperations': operations,
      'kms:GranteePrincipal': grantee,
      'kms:RetiringPrincipal': retiring,
      'kms:GrantIsForAWSResource': caller.viaService !== undefined,
      'kms:GrantConstraintType': constraintType,
    },
  })
  requireState(key, 'use')
  if (input.dryRun) throw dryRunError()

  const barrier = store.requireBarrier()
  const dedupe = name === undefined ? null : dedupeDigest(name, grantee, retiring, operations, constraints)
  const fresh = { grantId: newGrantId(), tokenKey: randomBytes(TOKEN_KEY_BYTES) }
  try {
    const made = await ctx.db.transaction().execute(async (tx) => {
      const existing = async () =>
        dedupe === null
          ? undefined
          : tx
              .selectFrom('kms_grants')
              .select(['grant_id', 'token_key'])
              .where('region', '=', key.region)
              .where('key_id', '=', key.id)
              .where('dedupe', '=', dedupe)
              .executeTakeFirst()
      const retry = await existing()
      if (retry) return { grantId: retry.grant_id, tokenKey: barrier.unwrap(tokenKeyAad(retry.grant_id), new Uint8Array(retry.token_key)) }
      const { n } = await tx
        .selectFrom('kms_grants')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('region', '=', key.region)
        .where('key_id', '=', key.id)
        .executeTakeFirstOrThrow()
      if (Number(n) >= MAX_GRANTS_PER_KEY) throw new ArcaError('LimitExceeded', `${key.arn} already has ${MAX_GRANTS_PER_KEY} grants, the most a KMS key may have.`)
      const res = await tx
        .insertInto('kms_grants')
        .values({
          grant_id: fresh.grantId,
          region: key.region,
          key_id: key.id,
          account: key.account,
          name: name ?? null,
          grantee_principal: grantee,
          retiring_principal: retiring ?? null,
          operations: JSON.stringify(operations),
          constraints: constraints ? JSON.stringify(constraints) : null,
          dedupe,
          token_key: barrier.wrap(tokenKeyAad(fresh.grantId), fresh.tokenKey),
          created_at: ctx.clock.now(),
        })
        .onConflict((oc) => oc.columns(['region', 'key_id', 'dedupe']).doNothing())
        .executeTakeFirst()
      if (Number(res.numInsertedOrUpdatedRows ?? 1n) === 1) return fresh
      // A concurrent retry of the same named grant won the unique constraint: answer with its grant.
      const raced = await existing()
      if (!raced) throw new ArcaError('Conflict', `A grant on ${key.arn} was changed by another request at the same time; retry.`)
      return { grantId: raced.grant_id, tokenKey: barrier.unwrap(tokenKeyAad(raced.grant_id), new Uint8Array(raced.token_key)) }
    })
    store.invalidate(key.region, key.id)
    try {
      return { grantToken: makeGrantToken(made.grantId, made.tokenKey), grantId: made.grantId }
    } finally {
      made.tokenKey.fill(0)
    }
  } finally {
    fresh.tokenKey.fill(0)
  }
}
