import { ArcaError, isArcaError } from '../core/index.ts'
import { ADMIN_USAGE, runAdmin } from './admin.ts'
import { WEBHOOKS_USAGE, runWebhooks } from './webhooks.ts'
import { SECRETS_USAGE, runSecrets } from './secrets.ts'
import { EXIT, exitCodeOf, hintOf } from './exit-codes.ts'
import { USER_COMMANDS, USER_USAGE } from './commands.ts'
import { ENVELOPE_USAGE, isEnvelopeInvocation, runEnvelope } from './envelope.ts'
import { EXPIRING_USAGE, runExpiring, runSecretPolicies } from './expiring.ts'

export { EXIT } from './exit-codes.ts'

const USAGE = () => `usage: arca <command> [options]

commands:
  server                         run the Arca server (configuration from ARCA_* variables)
  operator init --shares N --threshold T
                                 switch the root of trust to Shamir unseal shares (server stopped)
  operator unseal [SHARE]        give one unseal share to a running server (prompted when omitted)
  operator status                show whether the server is sealed
  operator backup --out FILE     stream a consistent backup from a running server (default account's admin)
  operator backup --verify FILE  check a backup offline (format, SHA-256, row counts)
  operator restore --in FILE     restore into an empty data dir or database (server stopped)
${USER_USAGE}
${ENVELOPE_USAGE}
${ADMIN_USAGE}
${WEBHOOKS_USAGE}
${EXPIRING_USAGE}
  audit [list|export|verify|public-key] [--from T] [--to T] [--principal ARN] [--operation OP]  the audit trail
${SECRETS_USAGE}

  --endpoint URL (or ARCA_ENDPOINT, default http://127.0.0.1:8321) for commands that talk to a server
  credentials: ARCA_TOKEN, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or --profile NAME, or ./data/admin-credentials
  --output json                  machine-readable output
  exit codes: 0 ok, 1 error, 2 usage, 3 not found, 4 access denied or bad credentials,
              5 server unreachable or sealed (arca exec: the child's own code once it runs)
  --debug                        show stack traces`

/** Runs one CLI invocation; returns the exit code. Errors are one clear line unless --debug. */
export async function main(argv: string[]): Promise<number> {
  // Everything after '--' belongs to the command `arca exec` runs, --debug included.
  const dash = argv.indexOf('--')
  const own = dash < 0 ? argv : argv.slice(0, dash)
  const debug = own.includes('--debug')
  const args = [...own.filter((a) => a !== '--debug'), ...(dash < 0 ? [] : argv.slice(dash))]
  const [command, ...rest] = args
  try {
    switch (command) {
      case 'server':
        // Loaded only when used: the server's modules take seconds to load for every other command.
        return await (await import('./server-command.ts')).runServer(rest)
      case 'operator':
        return await (await import('./operator.ts')).runOperator(rest)
      case 'admin':
        return await runAdmin(rest)
      case 'webhooks':
        return await runWebhooks(rest)
      case 'secrets':
        if (rest[0] === 'policies') return await runSecretPolicies(rest.slice(1))
        return await runSecrets(rest)
      case 'audit':
        return await (await import('./audit.ts')).runAudit(rest)
      case 'expiring':
        return await runExpiring(rest)
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE() + '\n')
        return command === undefined ? EXIT.usage : EXIT.ok
      default:
        if ((command === 'encrypt' || command === 'decrypt') && isEnvelopeInvocation(rest)) return await runEnvelope(command, rest)
        if (Object.hasOwn(USER_COMMANDS, command)) return await USER_COMMANDS[command](rest)
        throw new ArcaError('Validation', `unknown command '${command}' (try: arca help)`)
    }
  } catch (e) {
    if (debug) process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
    else process.stderr.write(`arca: ${describeError(e)}${hintOf(e)}\n`)
    return exitCodeOf(e)
  }
}

export function describeError(e: unknown): string {
  if (isArcaError(e)) return e.message
  const err = e as { code?: string; message?: string; cause?: { code?: string } }
  const code = err?.code ?? err?.cause?.code
  if (code === 'ECONNREFUSED') return 'cannot reach the Arca server (connection refused); is it running, and is --endpoint / ARCA_ENDPOINT right?'
  if (code === 'EADDRINUSE') return 'the port is already in use; set ARCA_PORT to a free port'
  return err?.message ?? String(e)
}
