/**
 * The awsJson1_1 face at the byte level: raw `fetch` with requests signed by
 * @smithy/signature-v4 (the SDK's own signer), then broken on purpose. Every answer must carry
 * AWS's error shape, status and headers, and never a 500 or a stack trace.
 */
import http from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { send, signRequest, signedFetch } from '../support/aws.ts'
import { TEST_REGION, type TestServer, startTestServer } from '../support/server.ts'

let t: TestServer
beforeAll(async () => {
  t = await startTestServer()
})
afterAll(async () => {
  await t?.stop()
})

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const MIN = 60_000

interface Answer {
  status: number
  type?: string
  message?: string
  body: Record<string, unknown>
  headers: Headers
}

/** Reads an answer and checks what every answer of the json face must have. */
async function answer(res: Response): Promise<Answer> {
  const text = await res.text()
  expect(res.headers.get('x-amzn-requestid')).toMatch(UUID)
  expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.1')
  const date = res.headers.get('date')
  expect(date).toBeTruthy()
  expect(Number.isNaN(Date.parse(date!))).toBe(false)
  expect(res.status).not.toBe(500)
  expect(text).not.toMatch(/\bat .*\.ts:\d+|node_modules|Error: /)
  const body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>)
  const out: Answer = { status: res.status, body, headers: res.headers }
  if (typeof body.__type === 'string') out.type = body.__type
  if (typeof body.message === 'string') out.message = body.message
  return out
}

const kmsCall = (target: string, body: string | object, extra: Parameters<typeof signedFetch>[1] = {}) =>
  signedFetch(t, { target: `TrentService.${target}`, body: typeof body === 'string' ? body : JSON.stringify(body), ...extra }).then(answer)

describe('a good request', () => {
  it('answers 200 with the json content type, a request id and a Date', async () => {
    const a = await kmsCall('ListKeys', {})
    expect(a.status).toBe(200)
    expect(a.body).toMatchObject({ Keys: expect.any(Array), Truncated: false })
  })

  it('timestamps are epoch seconds and blobs base64', async () => {
    const a = await kmsCall('CreateKey', { Description: 'wire' })
    const md = a.body.KeyMetadata as Record<string, unknown>
    expect(typeof md.CreationDate).toBe('number')
    expect(Math.abs((md.CreationDate as number) * 1000 - t.clock.now())).toBeLessThan(2000)
    const e = await kmsCall('Encrypt', { KeyId: md.KeyId, Plaintext: Buffer.from('hi').toString('base64') })
    expect(e.body.CiphertextBlob).toMatch(/^[A-Za-z0-9+/]+=*$/)
    expect(Object.values(e.body)).not.toContain(null)
  })

  it('an empty body counts as {} and unknown members are ignored', async () => {
    const res = await signedFetch(t, { target: 'TrentService.ListKeys', body: '' })
    expect((await answer(res)).status).toBe(200)
    expect((await kmsCall('ListKeys', { Limit: 2, SomethingNew: true })).status).toBe(200)
  })

  it('the request path does not matter (SDKs append / to the endpoint path)', async () => {
    const s = await signRequest(t, { target: 'TrentService.ListKeys', body: '{}' })
    expect((await answer(await send(`${t.url}/`, s.headers, s.body))).status).toBe(200)
  })
})

describe('bad input', () => {
  it('malformed JSON → SerializationException 400', async () => {
    for (const body of ['{', '{"Limit": }', 'not json', '\u0000\u0001']) {
      const a = await kmsCall('ListKeys', body)
      expect(a.status).toBe(400)
      expect(a.type).toBe('SerializationException')
    }
  })

  it('a body that is not an object → SerializationException', async () => {
    for (const body of ['[]', '"x"', '42']) {
      const a = await kmsCall('ListKeys', body)
      expect(a.status).toBe(400)
      expect(a.type).toBe('SerializationException')
    }
  })

  it('wrong member types → SerializationException', async () => {
    const cases: [string, object][] = [
      ['ListKeys', { Limit: 'ten' }],
      ['ListKeys', { Limit: 1.5 }],
      ['CreateKey', { Description: 5 }],
      ['CreateKey', { Tags: { TagKey: 'a' } }],
      ['CreateKey', { MultiRegion: 'yes' }],
      ['Encrypt', { KeyId: 'k', Plaintext: 'not base64!!' }],
      ['Encrypt', { KeyId: 'k', Plaintext: 'aGk=', EncryptionContext: ['a'] }],
      ['Encrypt', { KeyId: 'k', Plaintext: 'aGk=', EncryptionContext: { a: 1 } }],
    ]
    for (const [op, body] of cases) {
      const a = await kmsCall(op, body)
      expect(a.status, `${op} ${JSON.stringify(body)}`).toBe(400)
      expect(a.type, `${op} ${JSON.stringify(body)}`).toBe('SerializationException')
    }
  })

  it('constraint violations → ValidationException in AWS wording, every failure listed', async () => {
    let a = await kmsCall('GenerateRandom', { NumberOfBytes: 1025 })
    expect(a.status).toBe(400)
    expect(a.type).toBe('ValidationException')
    expect(a.message).toBe("1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024")

    a = await kmsCall('Encrypt', { Plaintext: 'aGk=' })
    expect(a.type).toBe('ValidationException')
    expect(a.message).toBe("1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null")

    a = await kmsCall('ListKeys', { Limit: 0, Marker: '' })
    expect(a.type).toBe('ValidationException')
    expect(a.message).toMatch(/^2 validation errors detected: /)
    expect(a.message).toContain("Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1")

    a = await kmsCall('CreateKey', { KeyUsage: 'SIGN' })
    expect(a.type).toBe('ValidationException')
    expect(a.message).toMatch(/^1 validation error detected: Value 'SIGN' at 'keyUsage' failed to satisfy constraint: Member must satisfy enum value set: \[/)

    a = await kmsCall('CreateKey', { Tags: [{ TagKey: '', TagValue: 'v' }] })
    expect(a.type).toBe('ValidationException')
    expect(a.message).toContain("at 'tags.1.member.tagKey' failed to satisfy constraint: Member must have length greater than or equal to 1")
  })

  it('sensitive values are never echoed in validation messages', async () => {
    const big = Buffer.alloc(4097, 0x41).toString('base64')
    const a = await kmsCall('Encrypt', { KeyId: 'alias/x', Plaintext: big })
    expect(a.type).toBe('ValidationException')
    expect(a.message).toBe("1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096")
    expect(a.message).not.toContain('QUFB')
  })

  it('unknown target → UnknownOperationException; another service prefix or none → UnknownOperationException', async () => {
    for (const target of ['TrentService.MakeCoffee', 'Nope.ListKeys', 'TrentService', 'TrentService.']) {
      const a = await answer(await signedFetch(t, { target, body: '{}' }))
      expect(a.status, target).toBe(400)
      expect(a.type, target).toBe('UnknownOperationException')
    }
    const none = await answer(await signedFetch(t, { body: '{}' }))
    expect(none.status).toBe(400)
    expect(none.type).toBe('UnknownOperationException')
  })

  it('custom key store operations → UnsupportedOperationException', async () => {
    const a = await kmsCall('DescribeCustomKeyStores', {})
    expect(a.status).toBe(400)
    expect(a.type).toBe('UnsupportedOperationException')
  })
})

describe('authentication', () => {
  const listKeys = () => signRequest(t, { target: 'TrentService.ListKeys', body: '{}' })

  it('no Authorization → MissingAuthenticationTokenException', async () => {
    const s = await listKeys()
    delete s.headers.authorization
    const a = await answer(await send(s.url, s.headers, s.body))
    expect(a.status).toBe(400)
    expect(a.type).toBe('MissingAuthenticationTokenException')
    expect(a.message).toBe('Missing Authentication Token')
  })

  it('a garbled Authorization → IncompleteSignatureException', async () => {
    const s = await listKeys()
    for (const bad of [
      'AWS4-HMAC-SHA256 garbage',
      'AWS4-HMAC-SHA256 SignedHeaders=host, Signature=abc',
      s.headers.authorization!.replace(/Credential=[^,]+,/, ''),
    ]) {
      const a = await answer(await send(s.url, { ...s.headers, authorization: bad }, s.body))
      expect(a.status, bad).toBe(400)
      expect(a.type, bad).toBe('IncompleteSignatureException')
    }
  })

  it('tampering → InvalidSignatureException with AWS wording', async () => {
    const mismatch = /^The request signature we calculated does not match the signature you provided\. Check your AWS Secret Access Key and signing method\./
    const s = await listKeys()

    // changed body (same length, with and without a matching content hash)
    const body = new TextEncoder().encode('{ }')
    let a = await answer(await send(s.url, { ...s.headers, 'content-length': '3' }, body))
    expect(a.type).toBe('InvalidSignatureException')
    const s2 = await signRequest(t, { target: 'TrentService.ListKeys', body: '{"Limit":1}' })
    a = await answer(await send(s2.url, s2.headers, new TextEncoder().encode('{"Limit":2}')))
    expect(a.type).toBe('InvalidSignatureException')
    const noHash = { ...s2.headers }
    delete noHash['x-amz-content-sha256']
    a = await answer(await send(s2.url, noHash, s2.body))
    expect(a.type).toBe('InvalidSignatureException')

    // changed signed header
    a = await answer(await send(s.url, { ...s.headers, 'x-amz-target': 'TrentService.ListAliases' }, s.body))
    expect(a.type).toBe('InvalidSignatureException')
    expect(a.message).toMatch(mismatch)

    // wrong secret
    a = await answer(await signedFetch(t, { target: 'TrentService.ListKeys', credentials: { accessKeyId: t.admin.accessKeyId, secretAccessKey: 'x'.repeat(40) } }))
    expect(a.status).toBe(400)
    expect(a.type).toBe('InvalidSignatureException')
    expect(a.message).toMatch(mismatch)

    // region of another scope in the credential than the one signed
    a = await answer(await send(s.url, { ...s.headers, authorization: s.headers.authorization!.replace(`/${TEST_REGION}/`, '/eu-west-1/') }, s.body))
    expect(a.type).toBe('InvalidSignatureException')

    // flipped signature digit
    const sig = /Signature=([0-9a-f]{64})/.exec(s.headers.authorization!)![1]!
    const flipped = sig.slice(0, -1) + (sig.endsWith('0') ? '1' : '0')
    a = await answer(await send(s.url, { ...s.headers, authorization: s.headers.authorization!.replace(sig, flipped) }, s.body))
    expect(a.type).toBe('InvalidSignatureException')
  })

  it('a signature for another service is refused', async () => {
    const a = await answer(await signedFetch(t, { target: 'TrentService.ListKeys', service: 'ssm' }))
    expect(a.status).toBe(400)
    expect(['InvalidSignatureException', 'IncompleteSignatureException']).toContain(a.type)
    expect(a.message).toContain("Credential should be scoped to correct service: 'kms'.")
  })

  it('unknown access key → UnrecognizedClientException', async () => {
    const a = await answer(await signedFetch(t, { target: 'TrentService.ListKeys', credentials: { accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: t.admin.secretAccessKey } }))
    expect(a.status).toBe(400)
    expect(a.type).toBe('UnrecognizedClientException')
    expect(a.message).toBe('The security token included in the request is invalid.')
  })

  it('a session token that does not belong to the key → UnrecognizedClientException', async () => {
    const a = await answer(await signedFetch(t, { target: 'TrentService.ListKeys', credentials: { ...t.admin, sessionToken: 'made-up-session-token' } }))
    expect(a.status).toBe(400)
    expect(a.type).toBe('UnrecognizedClientException')
  })

  it('X-Amz-Date 6 minutes off → InvalidSignatureException "Signature expired" / "not yet current"; 4 minutes → OK', async () => {
    const now = t.clock.now()
    let a = await answer(await signedFetch(t, { target: 'TrentService.ListKeys', at: now - 6 * MIN }))
    expect(a.status).toBe(400)
    expect(a.type).toBe('InvalidSignatureException')
    expect(a.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/)

    a = await answer(await signedFetch(t, { target: 'TrentService.ListKeys', at: now + 6 * MIN }))
    expect(a.type).toBe('InvalidSignatureException')
    expect(a.message).toMatch(/^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 5 min\.\)$/)

    for (const off of [-4 * MIN, 4 * MIN]) {
      a = await answer(await signedFetch(t, { target: 'TrentService.ListKeys', at: now + off }))
      expect(a.status).toBe(200)
    }
  })

  it('the server clock decides: moving it makes a fresh signature stale', async () => {
    const at = t.clock.now()
    const s = await signRequest(t, { target: 'TrentService.ListKeys', at })
    t.clock.advance(10 * MIN)
    try {
      const a = await answer(await send(s.url, s.headers, s.body))
      expect(a.type).toBe('InvalidSignatureException')
      expect(a.message).toMatch(/^Signature expired/)
    } finally {
      t.clock.set(at)
    }
  })
})

describe('body size', () => {
  it('a declared body over 1 MiB → 413 RequestEntityTooLargeException before the body is read', async () => {
    const url = new URL(t.url)
    const size = 64 * 1024 * 1024
    const result = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string; sent: number }>((resolve, reject) => {
      let sent = 0
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: '/',
          headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.Encrypt', 'content-length': String(size), authorization: 'AWS4-HMAC-SHA256 Credential=AKIAX/20250101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=00' },
        },
        (res) => {
          let body = ''
          res.on('data', (d: Buffer) => (body += d.toString()))
          res.on('end', () => {
            resolve({ status: res.statusCode!, headers: res.headers, body, sent })
            req.destroy()
          })
        },
      )
      req.on('error', (e) => (sent < size ? undefined : reject(e)))
      const chunk = Buffer.alloc(64 * 1024, 0x20)
      const pump = () => {
        while (sent < size) {
          sent += chunk.length
          if (!req.write(chunk)) {
            req.once('drain', pump)
            return
          }
        }
        req.end()
      }
      pump()
    })
    expect(result.status).toBe(413)
    expect(JSON.parse(result.body).__type).toBe('RequestEntityTooLargeException')
    expect(result.headers['x-amzn-requestid']).toMatch(UUID)
    expect(result.headers.date).toBeTruthy()
    expect(result.headers['content-type']).toBe('application/x-amz-json-1.1')
    expect(result.sent).toBeLessThan(size)
  })

  it('a chunked body that grows past the limit → 413 too', async () => {
    const big = new Uint8Array(1_048_577).fill(0x20)
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < big.length; i += 65536) c.enqueue(big.subarray(i, i + 65536))
        c.close()
      },
    })
    const res = await fetch(`${t.url}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.ListKeys' },
      body: stream,
      duplex: 'half',
    } as RequestInit)
    const a = await answer(res)
    expect(a.status).toBe(413)
    expect(a.type).toBe('RequestEntityTooLargeException')
  })

  it('exactly 1 MiB is read and judged on its content', async () => {
    const body = `{"Limit":5${' '.repeat(1_048_576 - 11)}}`
    expect(body.length).toBe(1_048_576)
    const a = await kmsCall('ListKeys', body)
    expect(a.status).toBe(200)
  })
})
