import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { type ArcaClient, type Auth, createArcaClient, DEFAULT_ENDPOINT, readCredentialsFile, RestClient, resolveAuth } from '../client/index.ts'

/** Options every command that talks to a server takes. */
export const CONNECT_OPTIONS = {
  endpoint: { type: 'string' },
  profile: { type: 'string' },
  output: { type: 'string', short: 'o' },
} as const

export interface Connection {
  endpoint: string
  auth: Auth
  rest: RestClient
  client: ArcaClient
}

export function credentialsFile(env: Record<string, string | undefined> = process.env): string {
  return env.AWS_SHARED_CREDENTIALS_FILE ?? path.join(env.HOME ?? os.homedir(), '.aws', 'credentials')
}

/** --endpoint, then ARCA_ENDPOINT, then the profile's `arca_endpoint` (arca configure), then the default. */
export function endpointFor(values: { endpoint?: string; profile?: string }, env: Record<string, string | undefined> = process.env): string {
  const given = values.endpoint ?? env.ARCA_ENDPOINT
  if (given) return given.replace(/\/+$/, '')
  const file = credentialsFile(env)
  const profile = values.profile ?? env.AWS_PROFILE ?? 'default'
  if (fs.existsSync(file)) {
    const fromProfile = readCredentialsFile(file)[profile]?.arca_endpoint
    if (fromProfile) return fromProfile.replace(/\/+$/, '')
  }
  return DEFAULT_ENDPOINT
}

/** The endpoint and credentials for a command, found like the AWS tools find theirs. */
export function connect(values: { endpoint?: string; profile?: string }): Connection {
  const endpoint = endpointFor(values)
  const auth = resolveAuth({ profile: values.profile })
  const rest = new RestClient({ endpoint, auth })
  const client = createArcaClient({ endpoint, ...(auth.kind === 'token' ? { token: auth.token } : { credentials: auth.credentials, region: auth.region }) })
  return { endpoint, auth, rest, client }
}

/** The endpoint for commands that take only --endpoint / --profile (kept light: no server code loads). */
export const endpointOf = (values: { endpoint?: string; profile?: string }): string => endpointFor(values)
