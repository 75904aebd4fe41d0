import { type ErrorCode, isArcaError } from '../core/index.ts'

/**
 * The CLI's exit codes (documented in the README). `arca exec` exits with its child's code
 * (or re-raises its signal) once the child has started; these apply before that.
 */
export const EXIT = {
  ok: 0,
  /** Anything not listed below. */
  error: 1,
  /** A wrong command line or invalid input. */
  usage: 2,
  /** The parameter, secret, key or version does not exist. */
  notFound: 3,
  /** Bad or missing credentials, or the policy denies the action. */
  denied: 4,
  /** The server cannot be reached, or it is sealed. */
  unavailable: 5,
} as const

const AUTH_CODES: readonly ErrorCode[] = [
  'AccessDenied',
  'NotAuthorized',
  'Unauthenticated',
  'UnrecognizedClient',
  'InvalidSignature',
  'SignatureDoesNotMatch',
  'InvalidClientTokenId',
  'ExpiredToken',
  'MissingAuthenticationToken',
  'IncompleteSignature',
]

export function exitCodeOf(e: unknown): number {
  const parseArgs = (e as { code?: unknown })?.code
  if (typeof parseArgs === 'string' && parseArgs.startsWith('ERR_PARSE_ARGS')) return EXIT.usage
  if (!isArcaError(e)) return EXIT.error
  if (e.code === 'Validation') return EXIT.usage
  if (e.code === 'NotFound' || e.code === 'VersionNotFound') return EXIT.notFound
  if (AUTH_CODES.includes(e.code)) return EXIT.denied
  if (e.code === 'Dependency' || e.code === 'Sealed') return EXIT.unavailable
  return EXIT.error
}

/** A hint after the server's own words, naming what to fix. */
export function hintOf(e: unknown): string {
  if (!isArcaError(e)) return ''
  if (e.code === 'AccessDenied' || e.code === 'NotAuthorized') return ' (access denied: ask an administrator for a policy that allows this action on this resource)'
  if (AUTH_CODES.includes(e.code) && e.code !== 'Unauthenticated') return ' (bad credentials: check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, --profile, or ARCA_TOKEN)'
  if (e.code === 'Sealed') return ' (the server is sealed: arca operator unseal)'
  return ''
}
