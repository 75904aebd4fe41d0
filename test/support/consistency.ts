/**
 * Referential consistency of a database after a restore or a crash: every row that names another
 * names one that exists, and version numbers are contiguous. Returns the problems found (empty: none).
 */
import type { Kysely } from 'kysely'

export async function consistencyProblems(db: Kysely<any>): Promise<string[]> {
  const bad: string[] = []
  const params = await db.selectFrom('ssm_parameters').select(['account', 'region', 'name', 'version']).execute()
  const versions = await db.selectFrom('ssm_parameter_versions').select(['account', 'region', 'name', 'version']).execute()
  const byParam = new Map<string, number[]>()
  for (const v of versions) {
    const k = `${v.account}/${v.region}/${v.name}`
    byParam.set(k, [...(byParam.get(k) ?? []), Number(v.version)])
  }
  for (const p of params) {
    const k = `${p.account}/${p.region}/${p.name}`
    const vs = (byParam.get(k) ?? []).sort((a, b) => a - b)
    if (vs.at(-1) !== Number(p.version)) bad.push(`parameter ${p.name}: current version ${p.version}, newest stored ${vs.at(-1)}`)
    for (let i = 1; i < vs.length; i++) if (vs[i] !== vs[i - 1]! + 1) bad.push(`parameter ${p.name}: versions ${vs[i - 1]} then ${vs[i]}`)
    byParam.delete(k)
  }
  for (const k of byParam.keys()) bad.push(`versions of a missing parameter ${k}`)
  const labels = await db.selectFrom('ssm_parameter_labels').select(['account', 'region', 'name', 'label', 'version']).execute()
  const vset = new Set(versions.map((v) => `${v.account}/${v.region}/${v.name}/${v.version}`))
  for (const l of labels) if (!vset.has(`${l.account}/${l.region}/${l.name}/${l.version}`)) bad.push(`label ${l.label} of ${l.name} names missing version ${l.version}`)

  const secrets = new Set((await db.selectFrom('secrets').select('id').execute()).map((s) => s.id as string))
  const sv = await db.selectFrom('secret_versions').select(['secret_id', 'version_id']).execute()
  const svset = new Set(sv.map((v) => `${v.secret_id}/${v.version_id}`))
  for (const v of sv) if (!secrets.has(v.secret_id)) bad.push(`secret version ${v.version_id} of missing secret ${v.secret_id}`)
  for (const s of await db.selectFrom('secret_stages').select(['secret_id', 'stage', 'version_id']).execute())
    if (!svset.has(`${s.secret_id}/${s.version_id}`)) bad.push(`stage ${s.stage} of ${s.secret_id} names missing version ${s.version_id}`)

  const keys = await db.selectFrom('kms_keys').select(['id', 'current_version']).execute()
  const material = await db.selectFrom('kms_key_material').select(['key_id', 'version']).execute()
  const mset = new Set(material.map((m) => `${m.key_id}/${m.version}`))
  for (const k of keys) for (let v = 1; v <= Number(k.current_version); v++) if (!mset.has(`${k.id}/${v}`)) bad.push(`key ${k.id}: material version ${v} missing`)
  const keyIds = new Set(keys.map((k) => k.id as string))
  for (const a of await db.selectFrom('kms_aliases').select(['name', 'key_id']).execute()) if (!keyIds.has(a.key_id)) bad.push(`alias ${a.name} names missing key ${a.key_id}`)
  return bad
}
