import { randomBytes, toHex } from '../../../../src/core/index.ts'
import type { Caller } from '../../../../src/kms/index.ts'
import type { TestDatabase } from '../../../support/db.ts'
import { ACCOUNT, OTHER_ACCOUNT, REGION } from '../../../support/kms-core.ts'

export const user = (name: string, account = ACCOUNT, region = REGION): Caller => ({ account, principalArn: `arn:aws:iam::${account}:user/${name}`, region })
export const alice = user('alice')
export const bob = user('bob')
export const carol = user('carol', OTHER_ACCOUNT)

/** The ArcaError code a promise rejects with ('no error' when it resolves). */
export async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (e) {
    return (e as { code?: string }).code ?? String(e)
  }
  return 'no error'
}

/**
 * Inserts `n` grants for other principals straight into the table (the API would take minutes
 * to make 50,000). Their token keys are random bytes: no token of theirs is ever used.
 */
export async function bulkGrants(db: TestDatabase, keyId: string, n: number, createdAt: number): Promise<void> {
  const batch = 1000
  for (let i = 0; i < n; i += batch) {
    const rows = Array.from({ length: Math.min(batch, n - i) }, (_, j) => ({
      grant_id: toHex(randomBytes(32)),
      region: REGION,
      key_id: keyId,
      account: ACCOUNT,
      name: null,
      grantee_principal: `arn:aws:iam::${ACCOUNT}:role/bulk-${i + j}`,
      retiring_principal: null,
      operations: '["Decrypt"]',
      constraints: null,
      dedupe: null,
      token_key: randomBytes(16),
      created_at: createdAt,
    }))
    await db.db.insertInto('kms_grants').values(rows).execute()
  }
}
