// A small closed-loop HTTP load generator: N connections, each sending the next request as soon
// as the previous answer arrived, for a fixed time. Loopback only.
import http from 'node:http'

export interface PreparedRequest {
  url: string
  headers: Record<string, string>
  body: string
}

export interface LoadResult {
  name: string
  reqPerSec: number
  p50ms: number
  p99ms: number
  errors: number
}

export async function load(name: string, req: PreparedRequest, connections = 16, seconds = 5): Promise<LoadResult> {
  const u = new URL(req.url)
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) throw new Error('load tests target loopback only')
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections })
  const latencies: number[] = []
  let errors = 0
  let stop = false
  const one = () =>
    new Promise<void>((resolve) => {
      const t0 = performance.now()
      const r = http.request({ agent, host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: req.headers }, (res) => {
        res.resume()
        res.on('end', () => {
          if (res.statusCode !== 200) errors++
          latencies.push(performance.now() - t0)
          resolve()
        })
      })
      r.on('error', () => {
        errors++
        resolve()
      })
      r.end(req.body)
    })
  const worker = async () => {
    while (!stop) await one()
  }
  // Warm up, then measure.
  setTimeout(() => (stop = true), 1000)
  await Promise.all(Array.from({ length: connections }, worker))
  latencies.length = 0
  errors = 0
  stop = false
  const start = performance.now()
  setTimeout(() => (stop = true), seconds * 1000)
  await Promise.all(Array.from({ length: connections }, worker))
  const elapsed = (performance.now() - start) / 1000
  agent.destroy()
  latencies.sort((a, b) => a - b)
  return { name, reqPerSec: latencies.length / elapsed, p50ms: latencies[Math.floor(latencies.length * 0.5)] ?? 0, p99ms: latencies[Math.floor(latencies.length * 0.99)] ?? 0, errors }
}
