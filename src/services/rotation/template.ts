import type { RotationContext, RotationEvent } from './contract.ts'

/**
 * The parts every AWS rotation function template shares (AWS-API.md §5.4, "Step contract"),
 * for plugins to reuse. They use only `context.secrets`, so they run inside the isolated worker.
 */

const isNotFound = (e: unknown) => (e as { name?: string })?.name === 'ResourceNotFoundException'

/**
 * The check each step starts with: rotation must be on and the token a version of the secret.
 * Returns false when the token already holds AWSCURRENT (the rotation is done: do nothing);
 * throws when it does not hold AWSPENDING.
 */
export async function checkRotationStep(event: RotationEvent, context: RotationContext): Promise<boolean> {
  const meta = await context.secrets.describeSecret({ SecretId: event.SecretId })
  if (!meta.RotationEnabled) throw new Error(`Secret ${meta.ARN} is not enabled for rotation.`)
  const stages = meta.VersionIdsToStages?.[event.ClientRequestToken]
  if (!stages) throw new Error(`Secret version ${event.ClientRequestToken} has no stage for rotation of secret ${meta.ARN}.`)
  if (stages.includes('AWSCURRENT')) {
    context.logger.info('version is already AWSCURRENT', { versionId: event.ClientRequestToken })
    return false
  }
  if (!stages.includes('AWSPENDING')) throw new Error(`Secret version ${event.ClientRequestToken} not set as AWSPENDING for rotation of secret ${meta.ARN}.`)
  return true
}

/**
 * createSecret: requires an AWSCURRENT value; when the pending version already has a value it is
 * kept (the step is re-run after a failure); otherwise `make(current)` gives the new value,
 * written as the AWSPENDING version of this rotation.
 */
export async function generatePendingSecret(event: RotationEvent, context: RotationContext, make: (current: string) => Promise<string>): Promise<void> {
  const current = await context.secrets.getSecretValue({ SecretId: event.SecretId, VersionStage: 'AWSCURRENT' })
  try {
    await context.secrets.getSecretValue({ SecretId: event.SecretId, VersionId: event.ClientRequestToken, VersionStage: 'AWSPENDING' })
    context.logger.info('createSecret: the pending version already has a value')
    return
  } catch (e) {
    if (!isNotFound(e)) throw e
  }
  if (current.SecretString === undefined) throw new Error('createSecret: the current version holds binary data; this plugin rotates text secrets.')
  const value = await make(current.SecretString)
  await context.secrets.putSecretValue({
    SecretId: event.SecretId,
    ClientRequestToken: event.ClientRequestToken,
    SecretString: value,
    VersionStages: ['AWSPENDING'],
    RotationToken: event.RotationToken,
  })
  context.logger.info('createSecret: wrote the pending version')
}

/** finishSecret: moves AWSCURRENT to the token's version (the old one gets AWSPREVIOUS), then drops AWSPENDING. */
export async function finishRotation(event: RotationEvent, context: RotationContext): Promise<void> {
  const meta = await context.secrets.describeSecret({ SecretId: event.SecretId })
  const versions = meta.VersionIdsToStages ?? {}
  const current = Object.keys(versions).find((v) => versions[v]!.includes('AWSCURRENT'))
  if (current !== event.ClientRequestToken) {
    await context.secrets.updateSecretVersionStage({
      SecretId: event.SecretId,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: event.ClientRequestToken,
      ...(current ? { RemoveFromVersionId: current } : {}),
    })
  }
  if (versions[event.ClientRequestToken]?.includes('AWSPENDING'))
    await context.secrets.updateSecretVersionStage({ SecretId: event.SecretId, VersionStage: 'AWSPENDING', RemoveFromVersionId: event.ClientRequestToken })
  context.logger.info('finishSecret: the new version is AWSCURRENT')
}
