import type { CompiledQuery, Kysely } from 'kysely'
import type { Schema } from '../../store/index.ts'
import { type SecretLookup, lookupWhere } from './resolve.ts'

/**
 * The hot path's one query — a secret and the asked-for version, by label through
 * `secret_stages` or by version id — compiled once per shape (name or ARN × label or version id)
 * and per database, then run with fresh parameters: building a Kysely query with joins costs more
 * than SQLite answering it. Placeholders are compiled as sentinel strings and swapped for the
 * request's values, so the parameter order never has to be known by hand.
 */
export interface ReadRow {
  id: string
  arn: string
  name: string
  account: string
  region: string
  tags: string
  resource_policy: string | null
  deleted_at: number | null
  secret_accessed: number | null
  version_id: string | null
  created_at: number | null
  stages: string | null
  kind: 'string' | 'binary' | null
  data_key: Uint8Array | null
  value: Uint8Array | null
  version_accessed: number | null
}

const PREFIX = '\u0000arca-param-'
const slot = (i: number) => `${PREFIX}${i}\u0000`
const cache = new WeakMap<Kysely<Schema>, Map<string, CompiledQuery<ReadRow>>>()

function build(db: Kysely<Schema>, byVersion: boolean, byArn: boolean): CompiledQuery<ReadRow> {
  const lookup: SecretLookup = { ...(byArn ? { arn: slot(0) } : {}), account: slot(1), name: slot(2) }
  const base = db.selectFrom('secrets as s')
  const joined = byVersion
    ? base.leftJoin('secret_versions as v', (j) => j.onRef('v.secret_id', '=', 's.id').on('v.version_id', '=', slot(4)))
    : base
        .leftJoin('secret_stages as st', (j) => j.onRef('st.secret_id', '=', 's.id').on('st.stage', '=', slot(4)))
        .leftJoin('secret_versions as v', (j) => j.onRef('v.secret_id', '=', 's.id').onRef('v.version_id', '=', 'st.version_id'))
  return joined
    .select([
      's.id',
      's.arn',
      's.name',
      's.account',
      's.region',
      's.tags',
      's.resource_policy',
      's.deleted_at',
      's.last_accessed_at as secret_accessed',
      'v.version_id',
      'v.created_at',
      'v.stages',
      'v.kind',
      'v.data_key',
      'v.value',
      'v.last_accessed_at as version_accessed',
    ])
    .where(lookupWhere(lookup, slot(3)))
    .compile() as CompiledQuery<ReadRow>
}

/** The secret `lookup` names in `region`, joined with the version named by `versionId`, else by `stage`. */
export async function readVersionRows(db: Kysely<Schema>, lookup: SecretLookup, region: string, versionId: string | undefined, stage: string | undefined): Promise<ReadRow[]> {
  const byVersion = versionId !== undefined
  const byArn = lookup.arn !== undefined
  const key = `${byVersion ? 'v' : 's'}${byArn ? 'a' : 'n'}`
  let perDb = cache.get(db)
  if (!perDb) cache.set(db, (perDb = new Map()))
  let q = perDb.get(key)
  if (!q) perDb.set(key, (q = build(db, byVersion, byArn)))
  const values = [lookup.arn, lookup.account, lookup.name, region, byVersion ? versionId : stage]
  const parameters = q.parameters.map((p) => (typeof p === 'string' && p.startsWith(PREFIX) ? values[Number(p.slice(PREFIX.length, -1))] : p))
  return (await db.executeQuery<ReadRow>({ ...q, parameters })).rows
}
