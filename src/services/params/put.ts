import type { Kysely } from 'kysely'
import { ArcaError } from '../../core/index.ts'
import type { Caller } from '../../kms/index.ts'
import type { Schema } from '../../store/index.ts'
import type { DataKey } from './cipher.ts'
import { recordChange } from './events.ts'
import { MAX_VERSIONS, MAX_WRITE_ATTEMPTS } from './limits.ts'
import { type Scope, checkWritableName, parameterArn, parentOf } from './names.ts'
import { type ParsedPolicy, dueAt, parsePolicies, storedPolicies } from './policies.ts'
import { type Effective, checkPutInput, compilePattern, effectiveFields } from './put-checks.ts'
import { type ParameterRow, parameterRow, parseJsonList } from './rows.ts'
import type { ParamsContext, PutParameterInput, WriteCondition } from './types.ts'

/**
 * PutParameter. Racing writers: inside a short transaction the parameter row is locked by a
 * no-op `UPDATE … RETURNING` (portable: PostgreSQL row lock, SQLite's single writer), checked,
 * and the next version sealed and written under the unique (name, version) key; a creator
 * inserts with ON CONFLICT DO NOTHING and, if another creator won, goes round again. So two
 * writers of one name queue on the row and get distinct, consecutive versions; nothing is lost.
 * KMS work (the data key) happens before the transaction, which never waits on it; only if the
 * parameter's type or key changed meanwhile does a write go round again for a matching key.
 */
export async function putParameter(ctx: ParamsContext, caller: Caller, input: PutParameterInput, cond: WriteCondition = {}): Promise<{ version: number; tier: string }> {
  const req = await request(ctx, caller, input)
  const holder: KeyHolder = {}
  try {
    let seen = await parameterRow(ctx.db, caller, req.name)
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      await ensureKey(ctx, caller, req, seen, holder)
      const out = await ctx.db.transaction().execute((tx) => writeLocked(ctx, tx, caller, req, cond, holder))
      if ('version' in out) return out
      seen = out.seen
    }
    throw new ArcaError('Conflict', `Too many concurrent updates of ${req.name}; try again.`)
  } finally {
    holder.key?.plaintext.fill(0)
  }
}

/**
 * Many puts in one transaction, all or none (imports, seeding): each checked and sealed as
 * PutParameter would. Rows are locked in name order, so two batches cannot deadlock.
 */
export async function putParameters(ctx: ParamsContext, caller: Caller, inputs: PutParameterInput[]): Promise<{ version: number; tier: string }[]> {
  const items: { req: Request; holder: KeyHolder }[] = []
  try {
    const seen = new Set<string>()
    for (const input of inputs) {
      const req = await request(ctx, caller, input)
      if (seen.has(req.name)) throw new ArcaError('Validation', `Parameter ${req.name} appears twice in one batch.`)
      seen.add(req.name)
      const holder: KeyHolder = {}
      items.push({ req, holder })
      await ensureKey(ctx, caller, req, await parameterRow(ctx.db, caller, req.name), holder)
    }
    const order = [...items].sort((a, b) => Buffer.compare(Buffer.from(a.req.name), Buffer.from(b.req.name)))
    const results = new Map<string, { version: number; tier: string }>()
    await ctx.db.transaction().execute(async (tx) => {
      for (const { req, holder } of order) {
        const out = await writeLocked(ctx, tx, caller, req, {}, holder)
        if (!('version' in out)) throw new ArcaError('Conflict', `Parameter ${req.name} changed while the batch was being written; try again.`)
        results.set(req.name, out)
      }
    })
    return items.map((i) => results.get(i.req.name)!)
  } finally {
    for (const i of items) i.holder.key?.plaintext.fill(0)
  }
}

interface Request {
  input: PutParameterInput
  name: string
  arn: string
  now: number
  newPolicies: ParsedPolicy[] | undefined
}

interface KeyHolder {
  key?: DataKey & { for: string }
}

const alreadyExists = () => new ArcaError('AlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.')

async function request(ctx: ParamsContext, caller: Caller, input: PutParameterInput): Promise<Request> {
  const name = checkWritableName(caller, input.name)
  const arn = parameterArn(caller, name)
  await ctx.authorize(caller, 'ssm:PutParameter', arn)
  checkPutInput(input)
  const now = ctx.clock.now()
  return { input, name, arn, now, newPolicies: input.policies === undefined ? undefined : parsePolicies(input.policies, now) }
}

/** Which data key a put needs given the parameter as it stands: SecureString's key, or the service key. */
function keyNeeded(req: Request, current: ParameterRow | undefined): { for: string; keyId?: string } {
  const type = req.input.type ?? current?.type
  if (type !== 'SecureString') return { for: 'service' }
  const keyId = req.input.keyId ?? current?.key_id ?? 'alias/aws/ssm'
  return { for: `secure:${keyId}`, keyId }
}

/** Makes sure `holder` has the data key the put needs (outside any transaction: it calls the KMS). */
async function ensureKey(ctx: ParamsContext, caller: Caller, req: Request, current: ParameterRow | undefined, holder: KeyHolder): Promise<void> {
  const need = keyNeeded(req, current)
  if (holder.key?.for === need.for) return
  holder.key?.plaintext.fill(0)
  holder.key = undefined
  const key = await ctx.cipher.newDataKey(caller, req.arn, need.keyId === undefined ? undefined : { keyId: need.keyId })
  holder.key = { ...key, for: need.for }
}

/** Locks the parameter row (a no-op update) and returns it as it now stands. */
function lockRow(tx: Kysely<Schema>, scope: Scope, name: string): Promise<ParameterRow | undefined> {
  return tx
    .updateTable('ssm_parameters')
    .set((eb) => ({ version: eb.ref('version') }))
    .where('account', '=', scope.account)
    .where('region', '=', scope.region)
    .where('name', '=', name)
    .returningAll()
    .executeTakeFirst()
}

/** One attempt inside the transaction: the version, or what was seen when it must go round again. */
async function writeLocked(
  ctx: ParamsContext,
  tx: Kysely<Schema>,
  caller: Caller,
  req: Request,
  cond: WriteCondition,
  holder: KeyHolder,
): Promise<{ version: number; tier: string } | { seen: ParameterRow | undefined }> {
  const { input, name, arn } = req
  const current = await lockRow(tx, caller, name)
  if (cond.expectedVersion !== undefined && (current?.version ?? 0) !== cond.expectedVersion)
    throw new ArcaError('PreconditionNotMet', `Parameter ${name} is at version ${current?.version ?? 0}, not ${cond.expectedVersion}.`)
  if (current && !input.overwrite && cond.expectedVersion === undefined) throw alreadyExists()
  const policies = req.newPolicies ?? (current ? storedPolicies(parseJsonList(current.policies)) : [])
  const eff = effectiveFields(input, current, input.value, policies)
  if (eff.allowedPattern !== null && !compilePattern(eff.allowedPattern).test(input.value))
    throw new ArcaError('PatternMismatch', `Parameter value, cannot be validated against allowedPattern: ${eff.allowedPattern}`, { field: 'value' })
  if (!holder.key || keyNeeded(req, current).for !== holder.key.for) return { seen: current }
  const version = (current?.version ?? 0) + 1
  const value = ctx.cipher.seal(holder.key.plaintext, arn, version, input.value)
  const write: Write = { caller, name, arn, now: req.now, eff, version, current, policies, replacePolicies: req.newPolicies !== undefined || !current, dataKey: holder.key.blob, value, input }
  // A creator that lost the insert race goes round again and finds the winner's row.
  if (!(await writeVersion(ctx, tx, write))) return { seen: undefined }
  return { version, tier: eff.tier }
}

interface Write {
  caller: Caller
  name: string
  arn: string
  now: number
  eff: Effective
  version: number
  current: ParameterRow | undefined
  policies: readonly ParsedPolicy[]
  replacePolicies: boolean
  dataKey: Uint8Array
  value: Uint8Array
  input: PutParameterInput
}

/** One attempt; false when another writer got there first (nothing was written). */
async function writeVersion(ctx: ParamsContext, tx: Kysely<Schema>, w: Write): Promise<boolean> {
  const scope: Scope = w.caller
  const policiesText = w.policies.length ? JSON.stringify(w.policies.map((p) => p.text)) : null
  const fields = {
    type: w.eff.type,
    key_id: w.eff.keyId,
    description: w.eff.description,
    allowed_pattern: w.eff.allowedPattern,
    tier: w.eff.tier,
    data_type: w.eff.dataType,
    policies: policiesText,
    modified_at: w.now,
    modified_by: w.caller.principalArn,
  }
  if (w.current === undefined) {
    const tags = Object.fromEntries((w.input.tags ?? []).map((t) => [t.key, t.value]))
    const r = await tx
      .insertInto('ssm_parameters')
      .values({ account: scope.account, region: scope.region, name: w.name, parent: parentOf(w.name), ...fields, version: w.version, tags: JSON.stringify(tags), created_at: w.now, data_key: w.dataKey, value: w.value })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst()
    if (Number(r.numInsertedOrUpdatedRows ?? 0) !== 1) return false
  } else {
    const r = await tx
      .updateTable('ssm_parameters')
      .set({ ...fields, version: w.version, data_key: w.dataKey, value: w.value })
      .where('account', '=', scope.account)
      .where('region', '=', scope.region)
      .where('name', '=', w.name)
      .where('version', '=', w.current.version)
      .executeTakeFirst()
    if (Number(r.numUpdatedRows) !== 1) return false
    if (w.version > MAX_VERSIONS) await dropOldest(tx, scope, w.name, w.version - MAX_VERSIONS)
  }
  await tx
    .insertInto('ssm_parameter_versions')
    .values({ account: scope.account, region: scope.region, name: w.name, version: w.version, ...fields, data_key: w.dataKey, value: w.value })
    .execute()
  await schedulePolicies(tx, scope, w)
  await recordChange(ctx.events, tx, scope, w.arn, { operation: w.current ? 'Update' : 'Create', name: w.name, type: w.eff.type, description: w.eff.description })
  return true
}

/**
 * AWS keeps the newest 100 versions: the 101st put drops the oldest, unless it carries a label.
 * Delete first, then look for labels: the delete's row lock orders this against a concurrent
 * LabelParameterVersion (which touches the version row), so a label committed first is seen here.
 */
async function dropOldest(tx: Kysely<Schema>, scope: Scope, name: string, oldest: number): Promise<void> {
  const base = (t: 'ssm_parameter_versions' | 'ssm_parameter_labels') =>
    tx.deleteFrom(t).where('account', '=', scope.account).where('region', '=', scope.region).where('name', '=', name)
  await base('ssm_parameter_versions').where('version', '<=', oldest).execute()
  const label = await tx
    .selectFrom('ssm_parameter_labels')
    .select('version')
    .where('account', '=', scope.account)
    .where('region', '=', scope.region)
    .where('name', '=', name)
    .where('version', '<=', oldest)
    .executeTakeFirst()
  if (label)
    throw new ArcaError(
      'MaxVersionLimitExceeded',
      `You attempted to create a new version of ${name} by calling the PutParameter API with the overwrite flag. Version ${label.version}, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.`,
    )
}

/** New policies replace the old rows; a put without Policies restarts NoChangeNotification's clock. */
async function schedulePolicies(tx: Kysely<Schema>, scope: Scope, w: Write): Promise<void> {
  if (w.replacePolicies) {
    if (w.current) await tx.deleteFrom('ssm_parameter_policies').where('account', '=', scope.account).where('region', '=', scope.region).where('name', '=', w.name).execute()
    if (w.policies.length === 0) return
    await tx
      .insertInto('ssm_parameter_policies')
      .values(
        w.policies.map((p, idx) => ({
          account: scope.account,
          region: scope.region,
          name: w.name,
          idx,
          type: p.type,
          text: p.text,
          status: 'Pending',
          due_at: dueAt(p, w.policies, w.now),
          created_at: w.now,
          fired_at: null,
        })),
      )
      .execute()
    return
  }
  for (const [idx, p] of w.policies.entries()) {
    if (p.type !== 'NoChangeNotification') continue
    await tx
      .updateTable('ssm_parameter_policies')
      .set({ due_at: dueAt(p, w.policies, w.now), status: 'Pending', fired_at: null })
      .where('account', '=', scope.account)
      .where('region', '=', scope.region)
      .where('name', '=', w.name)
      .where('idx', '=', idx)
      .execute()
  }
}
