import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createHmac, timingSafeEqual } from 'node:crypto'

export interface Received {
  headers: http.IncomingHttpHeaders
  body: string
  /** The status this receiver answered. */
  status: number
}

export interface Receiver {
  url: string
  received: Received[]
  /** Decides the status of the next request (default 204). */
  respond: (req: Received, index: number) => number | Promise<number>
  close(): Promise<void>
}

/** A real HTTP receiver on loopback, port 0: records every request it gets. */
export async function startReceiver(respond: Receiver['respond'] = () => 204): Promise<Receiver> {
  const received: Received[] = []
  const r: Receiver = {
    url: '',
    received,
    respond,
    close: () => new Promise((res) => server.close(() => res())),
  }
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', async () => {
      const entry: Received = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status: 0 }
      entry.status = await r.respond(entry, received.length)
      received.push(entry)
      res.writeHead(entry.status).end()
    })
  })
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()))
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`
  server.closeAllConnections?.()
  const close = r.close
  r.close = async () => {
    server.closeAllConnections?.()
    await close()
  }
  return r
}

/**
 * The README's recipe, written independently of Arca's code with node:crypto:
 * expected = "v1=" + hex(HMAC-SHA256(secret, arca-timestamp + "." + body)), compared in constant time.
 */
export function verifyLikeAReceiver(secret: string, req: Pick<Received, 'headers' | 'body'>): boolean {
  const timestamp = String(req.headers['arca-timestamp'])
  const expected = Buffer.from('v1=' + createHmac('sha256', secret).update(`${timestamp}.${req.body}`).digest('hex'))
  const given = Buffer.from(String(req.headers['arca-signature']))
  return given.length === expected.length && timingSafeEqual(given, expected)
}
