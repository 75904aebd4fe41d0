/**
 * Hostile input, seeded and bounded: malformed awsJson bodies, wrong member types, deep nesting,
 * huge strings, invalid UTF-8, garbled SigV4 headers, unknown targets and oversized bodies to every
 * AWS target of the shape tables, and junk paths, queries and bodies to every REST route. No answer
 * may be a 5xx other than a deliberate 503, none may carry a stack trace, and the server must be
 * alive and correct afterwards.
 */
import fs from 'node:fs'
import { DecryptCommand, EncryptCommand, CreateKeyCommand } from '@aws-sdk/client-kms'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createUnsealedApp } from '../../src/api/unsealed-app.ts'
import { MAX_JSON_DEPTH } from '../../src/api/aws/json-depth.ts'
import { adminToken, kmsClient, send, signRequest } from '../support/aws.ts'
import { testBackend } from '../support/db.ts'
import { type TestServer, startTestServer } from '../support/server.ts'

const SEED = 0x5eed_a2ca
const MAX_BODY = 65_536
let t: TestServer
let token: string

/** A small deterministic PRNG (mulberry32) for picking cases; fast-check makes the JSON values. */
function prng(seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = Math.imul(a ^ (a >>> 15), 1 | a)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]! }
}

interface Shapes {
  targetPrefix: string
  operations: Record<string, { input?: string }>
  shapes: Record<string, { type: string; members?: Record<string, string> }>
}
const SERVICES = ['kms', 'ssm', 'secretsmanager'].map((s) => ({
  service: s,
  ...(JSON.parse(fs.readFileSync(new URL(`../../src/api/aws/shapes/${s}.json`, import.meta.url), 'utf8')) as Shapes),
}))

const STACK = /\n\s+at [^\n]+:\d+:\d+|node:internal|\.ts:\d+:\d+|\bat async\b/
const failures: string[] = []
let requests = 0

async function check(what: string, res: Response): Promise<void> {
  requests++
  const type = res.headers.get('content-type') ?? ''
  const text = type.includes('event-stream') ? (await res.body?.cancel(), '') : await res.text()
  if (res.status >= 500 && res.status !== 503) failures.push(`${what}: HTTP ${res.status} ${text.slice(0, 200)}`)
  if (STACK.test(text)) failures.push(`${what}: stack trace in the answer: ${text.slice(0, 200)}`)
}

const jsonValues = fc.sample(fc.jsonValue({ maxDepth: 4 }), { seed: SEED, numRuns: 400 })
const wrongTypes: unknown[] = [null, true, 0, -1, 1e308, 'x', '', 'nul\u0000byte', 'arn:aws:kms:us-east-1:111111111111:key/\u0000', [], {}, [1, 'a'], { a: { b: [] } }, 'x'.repeat(70_000).slice(0, 50_000)]

function deep(levels: number): string {
  return '{"a":'.repeat(levels) + '1' + '}'.repeat(levels)
}

const enc = new TextEncoder()

beforeAll(async () => {
  t = await startTestServer({ ARCA_MAX_BODY_BYTES: String(MAX_BODY) })
  token = await adminToken(t)
}, 60_000)
afterAll(async () => {
  await t?.stop()
})

describe(`hostile input (${testBackend})`, () => {
  it('every AWS target survives malformed bodies, wrong types, deep nesting, huge strings and invalid UTF-8', async () => {
    const r = prng(SEED)
    for (const svc of SERVICES) {
      for (const [op, def] of Object.entries(svc.operations)) {
        const target = `${svc.targetPrefix}.${op}`
        const members = Object.keys(svc.shapes[def.input ?? '']?.members ?? {})
        const bodies: (string | Uint8Array)[] = [
          '{',
          'null',
          '[]',
          '"str"',
          '{"a":1,}',
          deep(10_000),
          deep(MAX_JSON_DEPTH + 1),
          Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
          JSON.stringify(r.pick(jsonValues)),
        ]
        for (let i = 0; i < 4 && members.length; i++) {
          const body: Record<string, unknown> = {}
          for (const m of members) if (r.next() < 0.6) body[m] = r.next() < 0.5 ? r.pick(wrongTypes) : r.pick(jsonValues)
          bodies.push(JSON.stringify(body))
        }
        if (members.length) bodies.push(JSON.stringify({ [r.pick(members)]: 'y'.repeat(MAX_BODY - 100) }))
        const service = svc.service === 'secretsmanager' ? 'secretsmanager' : svc.service
        await Promise.all(
          bodies.map(async (body, i) => {
            const s = await signRequest(t, { target, body, service })
            await check(`${target} body#${i}`, await send(s.url, s.headers, s.body))
          }),
        )
      }
    }
    expect(failures).toEqual([])
    expect(requests).toBeGreaterThan(1000)
  }, 120_000)

  it('deep nesting is refused as a SerializationException, oversized bodies with 413', async () => {
    const s = await signRequest(t, { target: 'TrentService.Encrypt', body: deep(MAX_JSON_DEPTH + 1) })
    const res = await send(s.url, s.headers, s.body)
    expect(res.status).toBe(400)
    expect(((await res.json()) as { __type: string }).__type).toMatch(/SerializationException/)
    const big = await signRequest(t, { target: 'TrentService.Encrypt', body: JSON.stringify({ KeyId: 'k', Plaintext: 'A'.repeat(MAX_BODY + 10) }) })
    const res2 = await send(big.url, big.headers, big.body)
    expect(res2.status).toBe(413)
    await res2.text()
  })

  it('garbled SigV4 headers and unknown targets are refused cleanly', async () => {
    const r = prng(SEED + 1)
    const garble = (v: string) => {
      const i = r.int(v.length)
      return r.pick([v.slice(0, i), v + '\u0000', v.replace(/=/g, '=='), v.slice(0, i) + '%ZZ' + v.slice(i), 'AWS4-HMAC-SHA256', '', 'Bearer ' + 'x'.repeat(r.int(300)), v.split('').reverse().join('')])
    }
    for (let i = 0; i < 150; i++) {
      const svc = r.pick(SERVICES)
      const op = r.pick(Object.keys(svc.operations))
      const s = await signRequest(t, { target: `${svc.targetPrefix}.${op}`, body: '{}', service: svc.service })
      const h = { ...s.headers }
      const which = r.pick(['authorization', 'x-amz-date', 'x-amz-content-sha256', 'x-amz-target', 'content-type', 'x-amz-security-token'])
      h[which] = garble(h[which] ?? 'x')
      // fetch refuses some header bytes itself (NUL): that is the client's refusal, not the server's.
      const res = await send(s.url, h, s.body).catch(() => undefined)
      if (res) await check(`garbled ${which}`, res)
    }
    for (const target of ['', 'TrentService', 'TrentService.', '.Encrypt', 'Nope.Encrypt', 'TrentService.NoSuchOp', 'AmazonSSM.__proto__', 'secretsmanager.constructor', 'x'.repeat(5000)]) {
      const s = await signRequest(t, { target, body: '{}' })
      await check(`target '${target.slice(0, 20)}'`, await send(s.url, s.headers, s.body))
    }
    expect(failures).toEqual([])
  }, 60_000)

  it('every REST route survives junk path parameters, queries and bodies', async () => {
    const r = prng(SEED + 2)
    const routes = createUnsealedApp(t.services as never).routes.filter((x) => x.path.startsWith('/v1') && x.method !== 'ALL')
    expect(routes.length).toBeGreaterThan(20)
    const junk = ['%00', '..%2F..%2Fetc', 'a'.repeat(2000), '%F0%9F%92%A9', '%ff%fe', 'null', '-1', '__proto__', "'; drop table meta; --", '*']
    const bodies = ['{', '[]', 'null', deep(10_000), JSON.stringify(r.pick(jsonValues)), JSON.stringify({ name: r.pick(wrongTypes), value: r.pick(wrongTypes), account: r.pick(wrongTypes) }), 'x'.repeat(MAX_BODY + 10)]
    for (const route of routes) {
      if (route.path.includes('/backup')) continue // exercised by its own tests; each call exports the database
      for (let i = 0; i < 8; i++) {
        const path = route.path.replace(/:[A-Za-z]+(\{[^}]*\})?/g, () => r.pick(junk)).replace(/\*$/, r.pick(junk))
        const query = r.next() < 0.5 ? `?${r.pick(['limit', 'cursor', 'account', 'from', 'to', 'recursive', 'version'])}=${r.pick(junk)}` : ''
        const auth = r.next() < 0.8 ? { authorization: `Bearer ${token}` } : { authorization: r.pick(['Bearer ', 'Bearer arca_x', 'Basic Zm9vOmJhcg==', 'AWS4-HMAC-SHA256 Credential=garbage']) }
        const withBody = !['GET', 'HEAD'].includes(route.method)
        const res = await fetch(`${t.url}${path}${query}`, {
          method: route.method,
          headers: { ...auth, 'content-type': 'application/json' },
          ...(withBody ? { body: enc.encode(r.pick(bodies)) } : {}),
          signal: AbortSignal.timeout(10_000),
        })
        await check(`${route.method} ${route.path} as ${path.slice(0, 40)}${query.slice(0, 30)}`, res)
      }
    }
    expect(failures).toEqual([])
  }, 120_000)

  it('the server is alive and correct afterwards', async () => {
    // The fuzzing spent the KMS request quotas (their refusals are deliberate 400s); a minute refills them.
    t.clock.advance(61_000)
    const kms = kmsClient(t)
    ;(kms.config as { systemClockOffset: number }).systemClockOffset = t.clock.now() - Date.now()
    const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!
    const blob = (await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: enc.encode('still here') }))).CiphertextBlob!
    expect(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString()).toBe('still here')
    kms.destroy()
    const verify = await fetch(`${t.url}/v1/audit/verify`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })
    expect(await verify.json()).toMatchObject({ valid: true })
  })
})
