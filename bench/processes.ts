// What the HTTP benches share: the bench's own credentials, a child-process launcher that waits
// for the listening line, and one SigV4-signed request to replay (well inside the 5-minute window).
import { spawn } from 'node:child_process'
import { HttpRequest } from '@smithy/core/protocols'
import { SignatureV4 } from '@smithy/signature-v4'
import { NodeSha256 } from '../test/unit/api/aws/sigv4-helpers.ts'
import type { PreparedRequest } from './load.ts'

export const BENCH_CREDENTIALS = { accessKeyId: 'AKIABENCHBENCHBENCH1', secretAccessKey: 'benchsecretbenchsecretbenchsecretbenchse' }

export interface Proc {
  url: string
  pid: number
  stop: () => void
}

/** Starts `node …args` and resolves with the URL its output announces (first group of `pattern`). */
export function start(args: string[], env: Record<string, string>, pattern: RegExp): Promise<Proc> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      const m = pattern.exec(out)
      if (m) resolve({ url: m[1]!, pid: child.pid!, stop: () => child.kill('SIGTERM') })
    })
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)))
  })
}

/** One awsJson1_1 request signed for `service`, ready for bench/load.ts to replay. */
export async function signed(url: string, service: string, target: string, body: object): Promise<PreparedRequest> {
  const u = new URL(url)
  const signer = new SignatureV4({ credentials: BENCH_CREDENTIALS, region: 'us-east-1', service, sha256: NodeSha256 })
  const text = JSON.stringify(body)
  const req = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: 'http:',
      hostname: u.hostname,
      port: Number(u.port),
      path: '/',
      headers: { host: u.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target, 'content-length': String(Buffer.byteLength(text)) },
      body: text,
    }),
  )
  return { url: `${url}/`, headers: req.headers as Record<string, string>, body: text }
}
