/**
 * Black-box helpers for the AWS faces: real SDK clients pointed at a test server, the `aws` CLI
 * run as a user would (no user config, no retries), raw SigV4-signed requests, and a second
 * account made through the admin REST API.
 */
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { KMSClient } from '@aws-sdk/client-kms'
import { STSClient } from '@aws-sdk/client-sts'
import { HttpRequest } from '@smithy/core/protocols'
import { SignatureV4 } from '@smithy/signature-v4'
import { NodeSha256 } from '../unit/api/aws/sigv4-helpers.ts'
import { TEST_REGION, type TestServer } from './server.ts'

export interface Credentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
}

export interface ClientOptions {
  region?: string
  credentials?: Credentials
}

/** A KMS client as an application would build it, but without retries. */
export function kmsClient(t: TestServer, opts: ClientOptions = {}): KMSClient {
  return new KMSClient({ endpoint: t.url, region: opts.region ?? TEST_REGION, credentials: opts.credentials ?? t.admin, maxAttempts: 1 })
}

export function stsClient(t: TestServer, opts: ClientOptions = {}): STSClient {
  return new STSClient({ endpoint: t.url, region: opts.region ?? TEST_REGION, credentials: opts.credentials ?? t.admin, maxAttempts: 1 })
}

/** What a failed SDK call threw, for assertions on the class, name, status and request id. */
export async function sdkError(p: Promise<unknown>): Promise<Error & { name: string; $metadata: { httpStatusCode?: number; requestId?: string }; $fault?: string }> {
  try {
    await p
  } catch (e) {
    return e as never
  }
  throw new Error('expected the call to fail, but it succeeded')
}

// ---------------------------------------------------------------------------------------------
// The AWS CLI

/** The `aws` CLI's version line, or undefined when it is not installed. */
export function awsCliVersion(): string | undefined {
  const r = spawnSync('aws', ['--version'], { encoding: 'utf8', env: { ...process.env, AWS_PAGER: '' } })
  if (r.error || r.status !== 0) return undefined
  return (r.stdout + r.stderr).trim()
}

/** Major version of the CLI (1 = pip awscli, 2 = v2 / Debian's awscli 2.x). */
export function awsCliMajor(version: string): number {
  return Number(/aws-cli\/(\d+)/.exec(version)?.[1] ?? 0)
}

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/**
 * Runs `aws <args> --endpoint-url <t.url>` with only the given credentials: HOME is an empty temp
 * dir, no pager, no retries. Asynchronous on purpose: the server runs in this process.
 */
export function awsCli(t: TestServer, args: string[], opts: ClientOptions & { cwd?: string } = {}): Promise<CliResult> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'arca-cli-home-'))
  const creds: Credentials = opts.credentials ?? t.admin
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    AWS_DEFAULT_REGION: opts.region ?? TEST_REGION,
    AWS_PAGER: '',
    AWS_MAX_ATTEMPTS: '1',
    AWS_RETRY_MODE: 'standard',
    AWS_CONFIG_FILE: path.join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  }
  if (creds.sessionToken) env.AWS_SESSION_TOKEN = creds.sessionToken
  return new Promise((resolve, reject) => {
    const child = spawn('aws', [...args, '--endpoint-url', t.url], { env, cwd: opts.cwd ?? home, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.once('error', reject)
    child.once('close', (code) => {
      fs.rmSync(home, { recursive: true, force: true })
      resolve({ code, stdout, stderr })
    })
  })
}

// ---------------------------------------------------------------------------------------------
// Raw signed requests (wire-level tests)

export interface RawRequest {
  target?: string
  body?: string | Uint8Array
  headers?: Record<string, string>
  credentials?: Credentials
  region?: string
  service?: string
  /** Signing time in ms (default: the server's clock). */
  at?: number
}

/** Signs a request exactly as the JS v3 SDK does (with @smithy/signature-v4) and returns it unsent. */
export async function signRequest(t: TestServer, r: RawRequest): Promise<{ url: string; headers: Record<string, string>; body: Uint8Array }> {
  const url = new URL(t.url)
  const body = typeof r.body === 'string' ? new TextEncoder().encode(r.body) : (r.body ?? new TextEncoder().encode('{}'))
  const headers: Record<string, string> = {
    host: url.host,
    'content-type': 'application/x-amz-json-1.1',
    'content-length': String(body.length),
    'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'),
    ...(r.target === undefined ? {} : { 'x-amz-target': r.target }),
    ...(r.headers ?? {}),
  }
  const signer = new SignatureV4({
    credentials: r.credentials ?? t.admin,
    region: r.region ?? TEST_REGION,
    service: r.service ?? 'kms',
    sha256: NodeSha256,
    uriEscapePath: true,
  })
  const req = new HttpRequest({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', headers, body })
  const signed = (await signer.sign(req, { signingDate: new Date(r.at ?? t.clock.now()) })) as HttpRequest
  return { url: `${t.url}/`, headers: { ...signed.headers }, body }
}

/** Sends bytes with exactly these headers (fetch adds none that matter: host and length match). */
export function send(url: string, headers: Record<string, string>, body: Uint8Array | string): Promise<Response> {
  const h = { ...headers }
  delete h.host
  delete h['content-length']
  return fetch(url, { method: 'POST', headers: h, body })
}

export async function signedFetch(t: TestServer, r: RawRequest): Promise<Response> {
  const s = await signRequest(t, r)
  return send(s.url, s.headers, s.body)
}

// ---------------------------------------------------------------------------------------------
// Accounts

/** A bearer token for the default account's administrator. */
export async function adminToken(t: TestServer): Promise<string> {
  const made = await t.services.identity.createToken('user', '111111111111', 'admin')
  return made.token
}

/** Calls the admin REST API as the default account's administrator. */
export async function adminApi(t: TestServer, method: string, route: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const token = await adminToken(t)
  const res = await fetch(`${t.url}/v1/admin${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await res.text()
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} }
}

/** Creates an account through the admin REST API and an access key for its administrator. */
export async function createAccount(t: TestServer, id: string): Promise<Credentials> {
  const acct = await adminApi(t, 'POST', '/accounts', { id })
  if (acct.status !== 201) throw new Error(`account creation failed: ${acct.status} ${JSON.stringify(acct.json)}`)
  const key = await adminApi(t, 'POST', `/users/admin/access-keys?account=${id}`)
  if (key.status !== 201) throw new Error(`access key creation failed: ${key.status} ${JSON.stringify(key.json)}`)
  return { accessKeyId: key.json.accessKeyId as string, secretAccessKey: key.json.secretAccessKey as string }
}
