import { ArcaError, kmsAliasArn } from '../../core/index.ts'
import type { KmsContext } from '../context-deps.ts'
import type { Caller } from '../types.ts'
import { insertAlias } from './aliases.ts'
import { createKey, describeKey } from './lifecycle.ts'
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

const PREDEFINED = ['ssm', 'secretsmanager'] as const

/** The service whose predefined alias `keyId` names in the caller's account and region, if any. */
function predefinedService(caller: Pick<Caller, 'account' | 'region'>, keyId: unknown): 'ssm' | 'secretsmanager' | undefined {
  if (typeof keyId !== 'string') return undefined
  return PREDEFINED.find((s) => keyId === `alias/aws/${s}` || keyId === kmsAliasArn(caller.region, caller.account, `alias/aws/${s}`))
}

/**
 * DescribeKey, which (as in AWS) creates the AWS managed key when it names a predefined AWS alias
 * that has no key yet: `aws kms describe-key --key-id alias/aws/ssm` works before SSM's first use.
 */
export async function describeKeyOrManaged(ctx: KmsContext, caller: Caller, input: Parameters<typeof describeKey>[2]): ReturnType<typeof describeKey> {
  const service = predefinedService(caller, input?.keyId)
  if (service !== undefined) await awsManagedKey(ctx, caller, service)
  return describeKey(ctx, caller, input)
}
