import type { Kysely } from 'kysely'
import { ArcaError } from '../../core/index.ts'
import type { Schema } from '../../store/index.ts'
import { AWSCURRENT, AWSPREVIOUS, MAX_STAGES_PER_VERSION } from './limits.ts'

/**
 * Staging labels (AWS-API.md §5.2): a label sits on at most one version; whenever AWSCURRENT
 * moves, the version it left takes AWSPREVIOUS (from wherever it was). The rules are a pure
 * function over the label → version map; `saveLabels` writes the difference inside the
 * caller's transaction, where the secret row is already locked.
 */
export type Labels = Map<string, string>

/** Moves `stages` onto `target`. */
export function attach(labels: Labels, target: string, stages: readonly string[]): Labels {
  const next = new Map(labels)
  // AWSCURRENT first, so that an explicit AWSPREVIOUS in the same call has the last word.
  const ordered = stages.includes(AWSCURRENT) ? [AWSCURRENT, ...stages.filter((s) => s !== AWSCURRENT)] : [...stages]
  for (const stage of ordered) {
    if (stage === AWSCURRENT) {
      const old = next.get(AWSCURRENT)
      if (old !== undefined && old !== target) next.set(AWSPREVIOUS, old)
    }
    next.set(stage, target)
  }
  return next
}

export function detach(labels: Labels, stage: string): Labels {
  const next = new Map(labels)
  next.delete(stage)
  return next
}

/** Each version's labels, in a stable order (the order labels were attached). */
export function stagesByVersion(labels: Labels): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const [stage, version] of labels) {
    const list = out.get(version)
    if (list) list.push(stage)
    else out.set(version, [stage])
  }
  return out
}

export async function loadLabels(tx: Kysely<Schema>, secretId: string): Promise<Labels> {
  const rows = await tx.selectFrom('secret_stages').select(['stage', 'version_id']).where('secret_id', '=', secretId).orderBy('stage').execute()
  return new Map(rows.map((r) => [r.stage, r.version_id]))
}

/** Writes the difference between `before` and `after`, and each touched version's `stages` mirror. */
export async function saveLabels(tx: Kysely<Schema>, secretId: string, before: Labels, after: Labels): Promise<void> {
  const touched = new Set<string>()
  for (const [stage, version] of before) {
    const now = after.get(stage)
    if (now === version) continue
    touched.add(version)
    if (now === undefined) await tx.deleteFrom('secret_stages').where('secret_id', '=', secretId).where('stage', '=', stage).execute()
    else {
      touched.add(now)
      await tx.updateTable('secret_stages').set({ version_id: now }).where('secret_id', '=', secretId).where('stage', '=', stage).execute()
    }
  }
  for (const [stage, version] of after) {
    if (before.has(stage)) continue
    touched.add(version)
    await tx.insertInto('secret_stages').values({ secret_id: secretId, stage, version_id: version }).execute()
  }
  if (touched.size === 0) return
  const byVersion = stagesByVersion(after)
  for (const version of touched) {
    const stages = byVersion.get(version) ?? []
    if (stages.length > MAX_STAGES_PER_VERSION)
      throw new ArcaError('VersionLabelLimitExceeded', `A secret version can have at most ${MAX_STAGES_PER_VERSION} staging labels; version ${version} would have ${stages.length}.`)
    await tx.updateTable('secret_versions').set({ stages: JSON.stringify(stages) }).where('secret_id', '=', secretId).where('version_id', '=', version).execute()
  }
}
