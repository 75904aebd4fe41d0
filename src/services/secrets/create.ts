import { ArcaError, formatArn, randomString, uuid } from '../../core/index.ts'
import type { Caller } from '../../kms/index.ts'
import { type SecretsDeps, changeEvent } from './context.ts'
import { sealVersion } from './envelope.ts'
import { checkDescription, checkKmsKeyId, checkName, checkToken } from './limits.ts'
import type { SecretRow } from './resolve.ts'
import { type Tag, checkTags } from './tags.ts'
import { valueOf, wipe } from './value.ts'
import { isUniqueViolation, tokenState, writeVersion } from './versions.ts'

export interface CreateSecretInput {
  name: string
  clientRequestToken?: string
  description?: string
  kmsKeyId?: string
  secretString?: string
  secretBinary?: Uint8Array
  tags?: Tag[]
  addReplicaRegions?: unknown[]
  forceOverwriteReplicaSecret?: boolean
}

export interface CreateSecretOutput {
  arn: string
  name: string
  versionId?: string
}

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** `arn:aws:secretsmanager:{region}:{account}:secret:{name}-{6 random}` (AWS-API.md §5.1). */
export function secretArn(region: string, account: string, name: string): string {
  return formatArn({ service: 'secretsmanager', region, account, resource: `secret:${name}-${randomString(6, SUFFIX_ALPHABET)}` })
}

export async function createSecret(deps: SecretsDeps, caller: Caller, input: CreateSecretInput): Promise<CreateSecretOutput> {
  const name = checkName(input.name)
  const description = checkDescription(input.description)
  const kmsKeyId = checkKmsKeyId(input.kmsKeyId) ?? null
  const tags = checkTags(input.tags)
  deps.expiry?.checkTags(tags, deps.clock.now())
  if (Array.isArray(input.addReplicaRegions) && input.addReplicaRegions.length > 0)
    throw new ArcaError('UnsupportedOperation', 'Replicating secrets to other Regions (AddReplicaRegions) is not supported by Arca.', { field: 'addReplicaRegions' })
  const value = valueOf(input)
  try {
    const token = checkToken(input.clientRequestToken) ?? (value ? uuid() : undefined)
    const arn = secretArn(caller.region, caller.account, name)
    const requestTags = Object.fromEntries(tags.map((t) => [`aws:RequestTag/${t.Key}`, t.Value]))
    await deps.authorize(caller, 'secretsmanager:CreateSecret', arn, {
      conditions: { 'secretsmanager:Name': name, ...(kmsKeyId ? { 'secretsmanager:KmsKeyId': kmsKeyId } : {}), ...requestTags, 'aws:TagKeys': tags.map((t) => t.Key) },
    })
    const existing = await existingByName(deps, caller, name)
    if (existing) return await retried(deps, caller, existing, token, value)

    const now = deps.clock.now()
    const row: SecretRow = {
      id: uuid(),
      account: caller.account,
      region: caller.region,
      name,
      arn,
      description: description ?? null,
      kms_key_id: kmsKeyId,
      resource_policy: null,
      tags: JSON.stringify(tags),
      created_at: now,
      last_changed_at: now,
      last_accessed_at: null,
      deleted_at: null,
      deletion_date: null,
      rotation_enabled: 0,
      rotation_lambda_arn: null,
      rotation_rules: null,
      last_rotated_at: null,
      next_rotation_at: null,
      owning_service: null,
      primary_region: caller.region,
      revision: 1,
    }
    const sealed = value && token ? await sealVersion(deps.kms, caller, { arn, account: row.account, region: row.region, kmsKeyId }, token, value) : undefined
    try {
      await deps.db.transaction().execute(async (tx) => {
        await tx.insertInto('secrets').values(row).execute()
        let stages: string[] = []
        if (sealed && token && value) stages = (await writeVersion(tx, row.id, now, { versionId: token, kind: value.kind, sealed })).stages
        await deps.expiry?.tagsChanged(tx, row, tags, now)
        await deps.events.record(tx, changeEvent(row, 'CreateSecret', { ...(sealed ? { versionId: token, versionStages: stages } : {}), ...(kmsKeyId ? { kmsKeyId } : {}) }))
      })
    } catch (e) {
      if (!isUniqueViolation(e)) throw e
      // Another request created the same name first: answer as a retry of that one would be.
      const raced = await existingByName(deps, caller, name)
      if (!raced) throw e
      return await retried(deps, caller, raced, token, value)
    }
    return { arn, name, ...(sealed ? { versionId: token } : {}) }
  } finally {
    wipe(value)
  }
}

async function existingByName(deps: SecretsDeps, caller: Caller, name: string): Promise<SecretRow | undefined> {
  return deps.db.selectFrom('secrets').selectAll().where('account', '=', caller.account).where('region', '=', caller.region).where('name', '=', name).executeTakeFirst()
}

/** CreateSecret for a name that exists: a retry with the same token and value succeeds. */
async function retried(deps: SecretsDeps, caller: Caller, row: SecretRow, token: string | undefined, value: ReturnType<typeof valueOf>): Promise<CreateSecretOutput> {
  if (row.deleted_at !== null)
    throw new ArcaError('InvalidRequest', "You can't create this secret because a secret with this name is already scheduled for deletion.")
  if (token && value) {
    const state = await tokenState(deps, caller, row, token, value)
    if (state.state === 'same') return { arn: row.arn, name: row.name, versionId: token }
  }
  throw new ArcaError('AlreadyExists', `The operation failed because the secret ${row.name} already exists.`)
}
