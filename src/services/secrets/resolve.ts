import type { ExpressionBuilder, Kysely } from 'kysely'
import { ArcaError, parseArn } from '../../core/index.ts'
import type { Caller } from '../../kms/index.ts'
import type { Schema, SecretTable } from '../../store/index.ts'

/**
 * SecretId → which secret (AWS-API.md §5.1): a name in the caller's account and Region, a full
 * ARN, or a partial ARN (the ARN without `-` and the 6 random characters). An ARN whose last
 * part ends in `-XXXXXX` is taken as a full ARN first, as AWS does ("those characters cause
 * Secrets Manager to assume that you're specifying a complete ARN"); when no secret has that
 * exact ARN, it is tried as a partial ARN. A partial ARN matches a secret's name exactly, never
 * a prefix of it.
 */
export type SecretRow = SecretTable

export const NOT_FOUND_MESSAGE = "Secrets Manager can't find the specified secret."

export interface SecretLookup {
  /** Set when the id is an ARN: match this exact ARN… */
  arn?: string
  /** …or this name in this account (the caller's Region). */
  account: string
  name: string
}

export function notFound(): ArcaError {
  return new ArcaError('NotFound', NOT_FOUND_MESSAGE)
}

/** Parses a SecretId; undefined when it cannot name any secret the caller may reach in this Region. */
export function parseSecretId(caller: Pick<Caller, 'account' | 'region'>, secretId: unknown): SecretLookup | undefined {
  if (typeof secretId !== 'string' || secretId.length === 0)
    throw new ArcaError('Validation', "1 validation error detected: Value at 'secretId' failed to satisfy constraint: Member must have length greater than or equal to 1", { field: 'secretId' })
  if (!secretId.startsWith('arn:')) return { account: caller.account, name: secretId }
  const arn = parseArn(secretId)
  if (!arn || arn.service !== 'secretsmanager' || !arn.resource.startsWith('secret:')) return undefined
  // Secrets are regional: an ARN of another Region names nothing here.
  if (arn.region !== caller.region || !/^\d{12}$/.test(arn.account)) return undefined
  return { arn: secretId, account: arn.account, name: arn.resource.slice('secret:'.length) }
}

/** The WHERE clause for a lookup over `secrets` (aliased `s` when `alias` is given). */
export function lookupWhere(l: SecretLookup, region: string) {
  // eslint-style any: the builder is used on queries that alias `secrets` as `s`.
  return (eb: ExpressionBuilder<any, any>) => {
    const byName = eb.and([eb('s.account', '=', l.account), eb('s.region', '=', region), eb('s.name', '=', l.name)])
    return l.arn === undefined ? byName : eb.or([eb('s.arn', '=', l.arn), byName])
  }
}

/** Of the rows a lookup found (at most two), the one it names: an exact ARN wins. */
export function pick<T extends { arn: string }>(rows: T[], l: SecretLookup): T | undefined {
  if (rows.length <= 1) return rows[0]
  return rows.find((r) => r.arn === l.arn) ?? rows[0]
}

/** Loads the secret a SecretId names, or throws ResourceNotFoundException. */
export async function findSecret(db: Kysely<Schema>, caller: Pick<Caller, 'account' | 'region'>, secretId: unknown): Promise<SecretRow> {
  const l = parseSecretId(caller, secretId)
  if (!l) throw notFound()
  const rows = await db.selectFrom('secrets as s').selectAll('s').where(lookupWhere(l, caller.region)).execute()
  const row = pick(rows, l)
  if (!row) throw notFound()
  return row
}

export const MARKED_FOR_DELETION = "You can't perform this operation on the secret because it was marked for deletion."

/** Reads and writes of a secret waiting for deletion are refused (DescribeSecret still works). */
export function requireNotDeleted(row: Pick<SecretRow, 'deleted_at'>): void {
  if (row.deleted_at !== null) throw new ArcaError('InvalidRequest', MARKED_FOR_DELETION)
}
