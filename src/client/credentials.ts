import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ArcaError } from '../core/index.ts'
import type { Credentials } from './sign.ts'

export type Auth = { kind: 'token'; token: string } | { kind: 'sigv4'; credentials: Credentials; region: string }

export interface AuthOptions {
  profile?: string
  env?: Record<string, string | undefined>
}

/** Reads `[profile]` sections of an AWS-style INI credentials file. */
export function readCredentialsFile(file: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {}
  let section = ''
  for (const line of fs.readFileSync(file, 'utf8').split(/\r?\n/)) {
    const t = line.trim()
    if (!t || t.startsWith('#') || t.startsWith(';')) continue
    const s = /^\[(?:profile\s+)?([^\]]+)\]$/.exec(t)
    if (s) {
      section = s[1].trim()
      out[section] ??= {}
      continue
    }
    const eq = t.indexOf('=')
    if (eq > 0 && section) out[section][t.slice(0, eq).trim()] = t.slice(eq + 1).trim()
  }
  return out
}

/**
 * Credentials like the AWS tools find them: ARCA_TOKEN (REST bearer), then AWS_ACCESS_KEY_ID /
 * AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN), then `--profile` (or AWS_PROFILE) in
 * AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials, then the local server's
 * `$ARCA_DATA_DIR/admin-credentials` (profile `arca`) written on first start.
 */
export function resolveAuth(opts: AuthOptions = {}): Auth {
  const env = opts.env ?? process.env
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? env.ARCA_REGION ?? 'us-east-1'
  if (env.ARCA_TOKEN && !opts.profile) return { kind: 'token', token: env.ARCA_TOKEN }
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY && !opts.profile) {
    const credentials: Credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY }
    if (env.AWS_SESSION_TOKEN) credentials.sessionToken = env.AWS_SESSION_TOKEN
    return { kind: 'sigv4', credentials, region }
  }
  const profile = opts.profile ?? env.AWS_PROFILE
  const shared = env.AWS_SHARED_CREDENTIALS_FILE ?? path.join(env.HOME ?? os.homedir(), '.aws', 'credentials')
  if (profile || fs.existsSync(shared)) {
    const name = profile ?? 'default'
    const section = fs.existsSync(shared) ? readCredentialsFile(shared)[name] : undefined
    if (section?.aws_access_key_id && section.aws_secret_access_key) {
      const credentials: Credentials = { accessKeyId: section.aws_access_key_id, secretAccessKey: section.aws_secret_access_key }
      if (section.aws_session_token) credentials.sessionToken = section.aws_session_token
      return { kind: 'sigv4', credentials, region: section.region ?? region }
    }
    if (profile) throw new ArcaError('Validation', `profile '${profile}' not found in ${shared} (or it has no aws_access_key_id / aws_secret_access_key)`)
  }
  const local = path.join(env.ARCA_DATA_DIR ?? './data', 'admin-credentials')
  if (fs.existsSync(local)) {
    const section = readCredentialsFile(local).arca
    if (section?.arca_token) return { kind: 'token', token: section.arca_token }
  }
  throw new ArcaError('Unauthenticated', 'no credentials: set ARCA_TOKEN, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or use --profile')
}
