import type { Kysely } from 'kysely'
import { ArcaError, type Clock, uuid } from '../../core/index.ts'
import type { Barrier } from '../../kms/index.ts'
import type { Schema, WebhookTable } from '../../store/index.ts'
import { parsePattern } from './pattern.ts'
import { generateSecret } from './signing.ts'
import { type TargetPolicy, checkTarget, parseTargetUrl } from './target.ts'
import type { EventPattern } from './types.ts'

// Arca: webhooks per account (EventBridge allows 300 rules per bus; a receiver can fan out further).
export const MAX_WEBHOOKS_PER_ACCOUNT = 100
// Arca: page size of the attempts list.
export const ATTEMPTS_PAGE_DEFAULT = 50
export const ATTEMPTS_PAGE_MAX = 500

export interface Webhook {
  id: string
  account: string
  url: string
  pattern: EventPattern
  enabled: boolean
  createdAt: number
  updatedAt: number
}

export interface WebhookAttempt {
  id: string
  eventId: string
  deliveryId: string
  /** Where that event's delivery to this webhook stands now: pending, delivered or failed. */
  deliveryState: string
  attemptedAt: number
  /** The receiver's HTTP status; null when no answer came (refused, timed out, blocked). */
  statusCode: number | null
  error: string | null
  durationMs: number
  success: boolean
}

export interface WebhookInput {
  url?: unknown
  pattern?: unknown
  enabled?: unknown
}

/** Webhook subscriptions of each account. Every method acts in the account it is given. */
export interface Webhooks {
  /** The signing secret is returned here once and never again. */
  create(account: string, input: WebhookInput): Promise<{ webhook: Webhook; secret: string }>
  list(account: string): Promise<Webhook[]>
  get(account: string, id: string): Promise<Webhook>
  update(account: string, id: string, patch: WebhookInput): Promise<Webhook>
  delete(account: string, id: string): Promise<void>
  /** Attempts, newest first; `nextToken` continues the list. */
  attempts(account: string, id: string, page?: { limit?: number; nextToken?: string }): Promise<{ attempts: WebhookAttempt[]; nextToken?: string }>
}

export interface WebhooksDeps {
  db: Kysely<Schema>
  clock: Clock
  barrier: Barrier
  target: TargetPolicy
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** The signing secret is bound to its webhook: a blob moved to another row fails to open. */
export function webhookSecretAad(id: string): Uint8Array {
  return encoder.encode(`arca:webhook-secret:${id}`)
}

export function openWebhookSecret(barrier: Barrier, row: Pick<WebhookTable, 'id' | 'secret'>): string {
  return decoder.decode(barrier.unwrap(webhookSecretAad(row.id), row.secret))
}

function fromRow(row: Omit<WebhookTable, 'secret'>): Webhook {
  return {
    id: row.id,
    account: row.account,
    url: row.url,
    pattern: JSON.parse(row.pattern) as EventPattern,
    enabled: row.enabled === 1,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  }
}

const COLUMNS = ['id', 'account', 'url', 'pattern', 'enabled', 'created_at', 'updated_at'] as const

function enabledOf(v: unknown): boolean | undefined {
  if (v === undefined) return undefined
  if (typeof v !== 'boolean') throw new ArcaError('Validation', `'enabled' must be true or false.`, { field: 'enabled' })
  return v
}

export function createWebhooks(deps: WebhooksDeps): Webhooks {
  const { db } = deps

  async function validUrl(raw: unknown): Promise<string> {
    const url = parseTargetUrl(raw)
    await checkTarget(url, deps.target)
    return url.toString()
  }

  async function find(account: string, id: string): Promise<Webhook> {
    const row = await db.selectFrom('webhooks').select(COLUMNS).where('account', '=', account).where('id', '=', id).executeTakeFirst()
    if (!row) throw new ArcaError('NotFound', `Webhook ${id} does not exist in account ${account}.`, { field: 'id' })
    return fromRow(row)
  }

  return {
    async create(account, input) {
      if (input.url === undefined) throw new ArcaError('Validation', `'url' is required.`, { field: 'url' })
      const url = await validUrl(input.url)
      const pattern = parsePattern(input.pattern)
      const enabled = enabledOf(input.enabled) ?? true
      const id = uuid()
      const secret = generateSecret()
      const now = deps.clock.now()
      await db.transaction().execute(async (tx) => {
        const count = await tx.selectFrom('webhooks').select((eb) => eb.fn.countAll<number>().as('n')).where('account', '=', account).executeTakeFirstOrThrow()
        if (Number(count.n) >= MAX_WEBHOOKS_PER_ACCOUNT) {
          throw new ArcaError('LimitExceeded', `Account ${account} already has ${MAX_WEBHOOKS_PER_ACCOUNT} webhooks, the most allowed.`)
        }
        await tx
          .insertInto('webhooks')
          .values({
            id,
            account,
            url,
            pattern: JSON.stringify(pattern),
            enabled: enabled ? 1 : 0,
            secret: deps.barrier.wrap(webhookSecretAad(id), encoder.encode(secret)),
            created_at: now,
            updated_at: now,
          })
          .execute()
      })
      return { webhook: { id, account, url, pattern, enabled, createdAt: now, updatedAt: now }, secret }
    },

    async list(account) {
      const rows = await db.selectFrom('webhooks').select(COLUMNS).where('account', '=', account).orderBy('created_at').orderBy('id').execute()
      return rows.map(fromRow)
    },

    get: find,

    async update(account, id, patch) {
      const current = await find(account, id)
      const next: Partial<Pick<WebhookTable, 'url' | 'pattern' | 'enabled' | 'updated_at'>> = {}
      if (patch.url !== undefined) next.url = await validUrl(patch.url)
      if (patch.pattern !== undefined) next.pattern = JSON.stringify(parsePattern(patch.pattern))
      const enabled = enabledOf(patch.enabled)
      if (enabled !== undefined) next.enabled = enabled ? 1 : 0
      next.updated_at = deps.clock.now()
      const res = await db.updateTable('webhooks').set(next).where('account', '=', account).where('id', '=', id).executeTakeFirst()
      if (Number(res.numUpdatedRows) !== 1) throw new ArcaError('NotFound', `Webhook ${id} does not exist in account ${account}.`, { field: 'id' })
      return { ...current, ...(await find(account, id)) }
    },

    async delete(account, id) {
      const res = await db.deleteFrom('webhooks').where('account', '=', account).where('id', '=', id).executeTakeFirst()
      if (Number(res.numDeletedRows) !== 1) throw new ArcaError('NotFound', `Webhook ${id} does not exist in account ${account}.`, { field: 'id' })
    },

    async attempts(account, id, page = {}) {
      await find(account, id)
      const limit = page.limit ?? ATTEMPTS_PAGE_DEFAULT
      if (!Number.isInteger(limit) || limit < 1 || limit > ATTEMPTS_PAGE_MAX) {
        throw new ArcaError('Validation', `'limit' must be a whole number from 1 to ${ATTEMPTS_PAGE_MAX}.`, { field: 'limit' })
      }
      let q = db
        .selectFrom('webhook_attempts as a')
        .innerJoin('webhook_deliveries as d', 'd.id', 'a.delivery_id')
        .select(['a.id', 'a.event_id', 'a.delivery_id', 'd.state', 'a.attempted_at', 'a.status_code', 'a.error', 'a.duration_ms', 'a.success'])
        .where('a.webhook_id', '=', id)
      if (page.nextToken !== undefined) {
        const m = /^(\d+)\.([0-9a-f-]{36})$/.exec(page.nextToken)
        if (!m) throw new ArcaError('InvalidMarker', `'nextToken' is not a token this list returned.`, { field: 'nextToken' })
        const at = Number(m[1])
        q = q.where((eb) => eb.or([eb('a.attempted_at', '<', at), eb.and([eb('a.attempted_at', '=', at), eb('a.id', '<', m[2])])]))
      }
      const rows = await q.orderBy('a.attempted_at', 'desc').orderBy('a.id', 'desc').limit(limit + 1).execute()
      const more = rows.length > limit
      const attempts = rows.slice(0, limit).map((r) => ({
        id: r.id,
        eventId: r.event_id,
        deliveryId: r.delivery_id,
        deliveryState: r.state,
        attemptedAt: Number(r.attempted_at),
        statusCode: r.status_code === null ? null : Number(r.status_code),
        error: r.error,
        durationMs: Number(r.duration_ms),
        success: Number(r.success) === 1,
      }))
      const last = attempts.at(-1)
      return more && last ? { attempts, nextToken: `${last.attemptedAt}.${last.id}` } : { attempts }
    },
  }
}
