import fs from 'node:fs'
import path from 'node:path'
import type { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { parseArgs } from 'node:util'
import { ArcaError, uuid } from '../core/index.ts'
import { createEnvelope } from '../client/index.ts'
import { CONNECT_OPTIONS, connect } from './connect.ts'

export const ENVELOPE_USAGE = `  encrypt --key KEY [--key KEY …] [--context k=v …] [--in FILE|-] [--out FILE|-] [--format sdk|env]
                                 envelope-encrypt any size in the AWS Encryption SDK message format,
                                 streaming (--format env: one arca:enc:<base64> line for arca exec)
  decrypt [--context k=v …] [--in FILE|-] [--out FILE|-] [--format sdk|env]
                                 decrypt such a message; every --context pair must be in it`

/** `arca:enc:<base64 message>`: an env value too large for KMS Encrypt's 4 KB. */
export const ENC_PREFIX = 'arca:enc:'

/**
 * Frame size of the messages `arca encrypt` writes. The SDK's default (4 KiB) spends most of its
 * time per frame; 64 KiB frames run several times faster and still bound memory to a few frames.
 * Any frame size decrypts everywhere (the message header carries it).
 */
export const CLI_FRAME_LENGTH = 64 * 1024

const OPTIONS = {
  ...CONNECT_OPTIONS,
  key: { type: 'string', multiple: true },
  context: { type: 'string', multiple: true },
  in: { type: 'string' },
  out: { type: 'string' },
  format: { type: 'string' },
} as const

/**
 * True when an `arca encrypt|decrypt` invocation is for messages (this file) rather than for a
 * raw KMS ciphertext of a small value (crypto.ts): --in, --out, --format, or several --key.
 */
export function isEnvelopeInvocation(args: string[]): boolean {
  const named = (o: string) => args.some((a) => a === o || a.startsWith(`${o}=`))
  return named('--in') || named('--out') || named('--format') || args.filter((a) => a === '--key' || a.startsWith('--key=')).length > 1
}

export async function runEnvelope(command: 'encrypt' | 'decrypt', args: string[]): Promise<number> {
  const { values: v } = parseArgs({ args, allowPositionals: false, options: OPTIONS })
  const format = v.format ?? 'sdk'
  if (format !== 'sdk' && format !== 'env') throw new ArcaError('Validation', `--format must be sdk or env, got '${format}'`)
  const context = contextOf(v.context)
  const { endpoint, auth } = connect(v)
  // One message per run: a data-key cache would never be hit.
  const envelope = createEnvelope({ endpoint, auth, cache: false, frameLength: CLI_FRAME_LENGTH })
  if (command === 'encrypt') {
    const keys = v.key?.length ? v.key : process.env.ARCA_KMS_KEY_ID ? [process.env.ARCA_KMS_KEY_ID] : []
    if (!keys.length) throw new ArcaError('Validation', 'arca encrypt needs --key KEY (a key id, ARN or alias/name), or ARCA_KMS_KEY_ID')
    if (format === 'env') {
      const message = await envelope.encrypt(await readAll(source(v.in)), { keys, context })
      await writeAll(v.out, Buffer.from(`${ENC_PREFIX}${message.toString('base64')}\n`))
      return 0
    }
    await streamTo(v.out, source(v.in), envelope.encryptStream({ keys, context }))
    return 0
  }
  if (v.key?.length) throw new ArcaError('Validation', 'arca decrypt finds its key in the message; use --context to require pairs')
  if (format === 'env') {
    const text = (await readAll(source(v.in))).toString('utf8').trim()
    if (!text.startsWith(ENC_PREFIX)) throw new ArcaError('Validation', `--format env reads ${ENC_PREFIX}<base64>`)
    const { plaintext } = await envelope.decrypt(Buffer.from(text.slice(ENC_PREFIX.length), 'base64'), { context })
    await writeAll(v.out, plaintext)
    return 0
  }
  await streamTo(v.out, source(v.in), envelope.decryptStream({ context }))
  return 0
}

function contextOf(list: string[] | undefined): Record<string, string> | undefined {
  if (!list?.length) return undefined
  const pairs = list.map((kv) => {
    const eq = kv.indexOf('=')
    if (eq < 1) throw new ArcaError('Validation', `--context must be key=value, got '${kv}'`)
    return [kv.slice(0, eq), kv.slice(eq + 1)] as const
  })
  return Object.fromEntries(pairs)
}

function source(file: string | undefined): Readable {
  if (file === undefined || file === '-') {
    if (process.stdin.isTTY) throw new ArcaError('Validation', "no input: give --in FILE, or pipe it on stdin ('-')")
    return process.stdin
  }
  if (!fs.existsSync(file)) throw new ArcaError('NotFound', `no such file: ${file}`)
  return fs.createReadStream(file, { highWaterMark: CLI_FRAME_LENGTH })
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of stream) chunks.push(Buffer.from(c as Uint8Array))
  return Buffer.concat(chunks)
}

async function writeAll(file: string | undefined, data: Uint8Array): Promise<void> {
  if (file === undefined || file === '-') return void process.stdout.write(data)
  const tmp = partialName(file)
  fs.writeFileSync(tmp, data, { mode: 0o600 })
  fs.renameSync(tmp, file)
}

/**
 * Streams through `transform` into --out. A file appears only once everything verified (written
 * beside it, renamed at the end, removed on failure): a refused message leaves no partial
 * plaintext. To stdout, frames already authenticated are written as they come, as with the AWS
 * Encryption CLI; a failure still exits non-zero.
 */
async function streamTo(file: string | undefined, input: Readable, transform: NodeJS.ReadWriteStream): Promise<void> {
  if (file === undefined || file === '-') return pipeline(input, transform, process.stdout as Writable, { end: false })
  const tmp = partialName(file)
  try {
    await pipeline(input, transform, fs.createWriteStream(tmp, { mode: 0o600 }))
    fs.renameSync(tmp, file)
  } catch (e) {
    fs.rmSync(tmp, { force: true })
    throw e
  }
}

function partialName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${uuid()}.partial`)
}
