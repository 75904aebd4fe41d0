import type { Kysely } from 'kysely'

/**
 * Secret rotation (services/rotation). The rotation settings AWS shows in DescribeSecret
 * (RotationEnabled, RotationLambdaARN, RotationRules, LastRotatedDate, NextRotationDate) are
 * columns of `secrets` (0008); this adds what the rotation host keeps for itself:
 *
 * - `secret_rotations`: one row per secret that ever had rotation configured. `paused` is
 *   Arca's pause switch. While a rotation is in flight, `token` is its ClientRequestToken (the
 *   AWSPENDING version id) and `step` the step to run next, so a restarted server resumes there;
 *   `lease_holder`/`lease_expires_at` make sure one node at a time runs it (compare-and-set).
 * - `secret_rotation_attempts`: every attempt with each step's start, end, outcome and
 *   sanitised error text (JSON in `steps`), for the history API. Never a secret value.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('secret_rotations')
    .addColumn('secret_id', 'text', (c) => c.primaryKey())
    .addColumn('paused', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('token', 'text')
    .addColumn('rotation_token', 'text')
    .addColumn('step', 'text')
    // Attempts made for the in-flight token (reset by a success or a new rotation).
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    // When the next attempt may start (backoff); NULL: only by hand or at the next window.
    .addColumn('next_attempt_at', 'bigint')
    .addColumn('started_at', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('lease_holder', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('lease_expires_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema.createIndex('secret_rotations_due').on('secret_rotations').column('next_attempt_at').execute()

  await db.schema
    .createTable('secret_rotation_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('secret_id', 'text', (c) => c.notNull())
    .addColumn('token', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    // 'api' (RotateSecret), 'schedule', 'retry', 'manual' (REST/CLI run-now), 'resume'.
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('plugin', 'text', (c) => c.notNull())
    .addColumn('node', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('ended_at', 'bigint')
    // 'running' | 'succeeded' | 'failed' | 'interrupted' | 'abandoned'
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('failed_step', 'text')
    .addColumn('error', 'text')
    // JSON array of {step, startedAt, endedAt?, outcome, error?}.
    .addColumn('steps', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute()
  await db.schema.createIndex('secret_rotation_attempts_secret').on('secret_rotation_attempts').columns(['secret_id', 'started_at']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('secret_rotation_attempts').execute()
  await db.schema.dropTable('secret_rotations').execute()
}
