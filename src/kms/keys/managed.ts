import { ArcaError } from '../../core/index.ts'
import type { KmsContext } from '../context-deps.ts'
import type { Caller } from '../types.ts'
import { insertAlias } from './aliases.ts'
import { createKey } from './lifecycle.ts'
import type { KeyRecord } from './record.ts'

const DESCRIPTIONS: Record<string, string> = {
  ssm: 'Default key that protects my SSM parameters when no other key is defined',
  secretsmanager: 'Default key that protects my Secrets Manager data when no other key is defined',
}

/**
 * The AWS-managed key of a service (`alias/aws/ssm`, `alias/aws/secretsmanager`), created in the
 * caller's account and region on first use. Two nodes racing both create a key; the alias decides
 * which one lives and the other is removed.
 */
export async function awsManagedKey(ctx: KmsContext, caller: Pick<Caller, 'account' | 'region'>, service: 'ssm' | 'secretsmanager'): Promise<KeyRecord> {
  const alias = `alias/aws/${service}`
  const existing = await ctx.store.resolveAlias(caller.account, caller.region, alias)
  if (existing) {
    const key = await ctx.store.get(caller.region, existing)
    if (key) return key
  }
  const system = { account: caller.account, region: caller.region, principalArn: `arn:aws:iam::${caller.account}:root` }
  const allowAll = { ...ctx, authorizer: { authorize() {} } }
  const { keyMetadata } = await createKey(allowAll, system, { description: DESCRIPTIONS[service] }, 'AWS')
  try {
    await insertAlias(ctx, caller, alias, keyMetadata.keyId)
  } catch (e) {
    if (!(e instanceof ArcaError && e.code === 'AlreadyExists')) throw e
    await ctx.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('kms_keys').where('region', '=', caller.region).where('id', '=', keyMetadata.keyId).execute()
      await tx.deleteFrom('kms_key_material').where('key_id', '=', keyMetadata.keyId).execute()
    })
    ctx.store.invalidate(caller.region, keyMetadata.keyId)
    return awsManagedKey(ctx, caller, service)
  }
  const key = await ctx.store.get(caller.region, keyMetadata.keyId)
  if (!key) throw new ArcaError('Internal', `the ${alias} key vanished while being created`)
  return key
}
