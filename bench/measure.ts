// Timing helpers for bench/: the process clock is fine here (benchmarks are not product logic).
export interface Result {
  name: string
  opsPerSec: number
  p50us: number
  p99us: number
}

/** Runs `fn` for a warm-up then for `seconds`, sequentially; per-op latency percentiles. */
export async function measure(name: string, fn: () => unknown, seconds = 3): Promise<Result> {
  const warmEnd = performance.now() + 500
  while (performance.now() < warmEnd) await fn()
  const samples: number[] = []
  const end = performance.now() + seconds * 1000
  let n = 0
  const start = performance.now()
  while (performance.now() < end) {
    const t0 = performance.now()
    await fn()
    samples.push(performance.now() - t0)
    n++
  }
  const elapsed = (performance.now() - start) / 1000
  samples.sort((a, b) => a - b)
  return { name, opsPerSec: n / elapsed, p50us: samples[Math.floor(n * 0.5)] * 1000, p99us: samples[Math.floor(n * 0.99)] * 1000 }
}

export function report(results: Result[], baseline: Result): void {
  const rows = results.map((r) => ({
    name: r.name,
    'ops/s': Math.round(r.opsPerSec),
    'p50 µs': r.p50us.toFixed(1),
    'p99 µs': r.p99us.toFixed(1),
    'vs baseline': `${((r.opsPerSec / baseline.opsPerSec) * 100).toFixed(0)}%`,
  }))
  process.stdout.write(`baseline: ${baseline.name}\n`)
  for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`)
}
