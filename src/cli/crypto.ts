import fs from 'node:fs'
import { parseArgs } from 'node:util'
import { ArcaError } from '../core/index.ts'
import { CONNECT_OPTIONS, connect } from './connect.ts'
import { formatOf, json, out } from './output.ts'

export const CRYPTO_USAGE = `  encrypt --key KEY [VALUE|-] [--context k=v …] [--raw]
                                 KMS-encrypt a value; prints arca:kms:<base64> for an env var
                                 (--raw: the base64 ciphertext alone); KEY: id, ARN or alias/name
  decrypt [arca:kms:…|BASE64|-] [--context k=v …]
                                 print the plaintext of an arca encrypt / aws kms encrypt ciphertext`

const OPTIONS = {
  ...CONNECT_OPTIONS,
  key: { type: 'string' },
  context: { type: 'string', multiple: true },
  raw: { type: 'boolean' },
} as const

function contextOf(list: string[] | undefined): Record<string, string> | undefined {
  if (!list?.length) return undefined
  return Object.fromEntries(
    list.map((kv) => {
      const eq = kv.indexOf('=')
      if (eq < 1) throw new ArcaError('Validation', `--context must be key=value, got '${kv}'`)
      return [kv.slice(0, eq), kv.slice(eq + 1)]
    }),
  )
}

/** The argument, or all of stdin when it is '-' or absent (piped). */
function input(arg: string | undefined, what: string): Buffer {
  if (arg !== undefined && arg !== '-') return Buffer.from(arg, 'utf8')
  if (process.stdin.isTTY) throw new ArcaError('Validation', `no ${what}: give it as an argument or on stdin ('-')`)
  return fs.readFileSync(0)
}

export async function runEncrypt(args: string[]): Promise<number> {
  const { values: v, positionals } = parseArgs({ args, allowPositionals: true, options: OPTIONS })
  const format = formatOf(v.output)
  const key = v.key ?? process.env.ARCA_KMS_KEY_ID
  if (!key) throw new ArcaError('Validation', 'arca encrypt needs --key KEY (a key id, ARN or alias/name; arca keys list) or ARCA_KMS_KEY_ID')
  const plaintext = input(positionals[0], 'value to encrypt')
  const { client } = connect(v)
  const r = await client.encrypt(key, plaintext, contextOf(v.context))
  if (format === 'json') json({ keyId: r.keyId, ciphertext: r.ciphertext, reference: `arca:kms:${r.ciphertext}` })
  else out(v.raw ? r.ciphertext : `arca:kms:${r.ciphertext}`)
  return 0
}

export async function runDecrypt(args: string[]): Promise<number> {
  const { values: v, positionals } = parseArgs({ args, allowPositionals: true, options: OPTIONS })
  const format = formatOf(v.output)
  const text = input(positionals[0], 'ciphertext').toString('utf8').trim().replace(/^arca:kms:/, '')
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw new ArcaError('Validation', 'decrypt takes arca:kms:<base64> or base64 ciphertext')
  const { client } = connect(v)
  const r = await client.decrypt(text, contextOf(v.context))
  const plain = Buffer.from(r.plaintext)
  if (format === 'json') {
    const utf8 = plain.toString('utf8')
    json(Buffer.from(utf8, 'utf8').equals(plain) ? { keyId: r.keyId, plaintext: utf8 } : { keyId: r.keyId, plaintextBase64: plain.toString('base64') })
    return 0
  }
  process.stdout.write(plain)
  if (process.stdout.isTTY) process.stdout.write('\n')
  return 0
}
