import fs from 'node:fs'
import { parseArgs } from 'node:util'
import { ArcaError, ERROR_CODES, type ErrorCode, loadConfig, systemClock } from '../core/index.ts'
import { authHeaders } from '../client/index.ts'
import { databaseUrl } from '../server.ts'
import { type BackupSummary, openDatabase, readBackup, restoreBackup } from '../store/index.ts'
import { CONNECT_OPTIONS, connect } from './connect.ts'

function describe(s: BackupSummary): string {
  const rows = Object.values(s.header.counts).reduce((a, b) => a + b, 0)
  return `${Object.keys(s.header.counts).length} tables, ${rows} rows, schema ${s.header.schemaVersion}, Arca ${s.header.arcaVersion}, taken ${new Date(s.header.createdAt).toISOString()} on ${s.header.backend}, sha256 ${s.sha256}`
}

/** `arca operator backup --out FILE` (from a running server) or `--verify FILE` (offline). */
export async function backupCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { ...CONNECT_OPTIONS, out: { type: 'string' }, verify: { type: 'string' } } })
  if (values.verify) {
    process.stdout.write(`valid: ${describe(await readBackup(values.verify))}\n`)
    return 0
  }
  if (!values.out) throw new ArcaError('Validation', 'operator backup needs --out FILE (or --verify FILE)')
  const { endpoint, auth } = connect(values)
  const url = new URL(`${endpoint}/v1/admin/backup`)
  const headers = authHeaders(auth, { method: 'POST', url, headers: {}, body: '' })
  const res = await fetch(url, { method: 'POST', headers })
  if (!res.ok) {
    const p = (await res.json().catch(() => ({}))) as { code?: string; detail?: string }
    const code = (ERROR_CODES as readonly string[]).includes(p.code ?? '') ? (p.code as ErrorCode) : 'Internal'
    throw new ArcaError(code, p.detail ?? `the server answered HTTP ${res.status}`)
  }
  // Written beside the target and renamed once checked: FILE is either a whole, valid backup or absent.
  const partial = `${values.out}.partial`
  const out = fs.createWriteStream(partial, { mode: 0o600 })
  try {
    const reader = res.body?.getReader()
    for (;;) {
      const chunk = reader ? await reader.read() : { done: true as const, value: undefined }
      if (chunk.done) break
      await new Promise<void>((ok, fail) => out.write(chunk.value, (e) => (e ? fail(e) : ok())))
    }
  } finally {
    await new Promise<void>((ok) => out.end(() => ok()))
  }
  let summary: BackupSummary
  try {
    summary = await readBackup(partial)
  } catch (e) {
    throw new ArcaError('Internal', `the backup stream ended incomplete or damaged, nothing written to ${values.out} (${e instanceof Error ? e.message : String(e)})`)
  }
  fs.renameSync(partial, values.out)
  process.stdout.write(`backup written to ${values.out}: ${describe(summary)}\n`)
  process.stdout.write('keep the root key (or the unseal shares) apart from it: the backup is useless without them, and they must never travel together\n')
  return 0
}

/** `arca operator restore --in FILE`: into the empty data dir or database of the usual ARCA_* configuration, server stopped. */
export async function restoreCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { in: { type: 'string' } } })
  if (!values.in) throw new ArcaError('Validation', 'operator restore needs --in FILE')
  const config = loadConfig()
  const db = await openDatabase({ url: databaseUrl(config), schema: config.databaseSchema })
  try {
    const r = await restoreBackup(db, values.in)
    process.stdout.write(`restored into ${db.describe}: ${describe(r)}\n`)
    if (r.migrated.length) process.stdout.write(`migrated forward: ${r.migrated.join(', ')}\n`)
    process.stdout.write(`start the server with the same root key (or unseal with the same shares); restored at ${new Date(systemClock.now()).toISOString()}\n`)
    return 0
  } finally {
    await db.close()
  }
}
