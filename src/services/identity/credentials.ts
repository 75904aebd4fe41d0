import fs from 'node:fs/promises'
import path from 'node:path'
import { sha256 } from '@noble/hashes/sha2.js'
import { randomString, toHex } from '../../core/index.ts'
import type { AdminCredentials, PrincipalKind } from './types.ts'

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
// AWS secret access keys are 40 characters of base64's alphabet.
const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const encoder = new TextEncoder()

/** AWS's shape: `AKIA` + 16 base32 characters (80 random bits). */
export const newAccessKeyId = (): string => 'AKIA' + randomString(16, BASE32)

/** 40 characters over 64 symbols: 240 random bits. */
export const newSecretAccessKey = (): string => randomString(40, SECRET_ALPHABET)

/** AWS's unique-id shape: `AIDA` (users) / `AROA` (roles) + 17 base32 characters. */
export const newPrincipalId = (kind: PrincipalKind): string => (kind === 'user' ? 'AIDA' : 'AROA') + randomString(17, BASE32)

export const TOKEN_PATTERN = /^arca_[0-9A-Za-z]{40}$/

/** `arca_` + 40 base62 characters (≈238 random bits): high entropy, so one SHA-256 suffices to store it. */
export const newApiToken = (): string => 'arca_' + randomString(40, BASE62)

/** What is stored for a token: its hex SHA-256. */
export const hashToken = (token: string): string => toHex(sha256(encoder.encode(token)))

/** Binds a wrapped secret to its access key id: a blob moved to another key's row fails to open. */
export const accessKeyAad = (accessKeyId: string): Uint8Array => encoder.encode(`arca:access-key:${accessKeyId}`)

export const ADMIN_CREDENTIALS_FILE = 'admin-credentials'

/**
 * Writes `<dataDir>/admin-credentials` (mode 0600) in AWS credentials-file form, profile
 * `arca`, plus the `arca_token` line for the REST API. Written to a temporary file first and
 * renamed, so a reader never sees half a file and the mode holds from the first byte.
 * Returns the file's path.
 */
export async function writeAdminCredentials(dataDir: string, creds: AdminCredentials): Promise<string> {
  await fs.mkdir(dataDir, { recursive: true })
  const file = path.join(dataDir, ADMIN_CREDENTIALS_FILE)
  const tmp = `${file}.${randomString(8, BASE32.toLowerCase())}.tmp`
  const text =
    `[arca]\n` +
    `aws_access_key_id = ${creds.accessKeyId}\n` +
    `aws_secret_access_key = ${creds.secretAccessKey}\n` +
    `arca_token = ${creds.token}\n`
  const handle = await fs.open(tmp, 'wx', 0o600)
  try {
    await handle.writeFile(text)
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    await fs.rename(tmp, file)
  } catch (e) {
    await fs.rm(tmp, { force: true })
    throw e
  }
  return file
}
