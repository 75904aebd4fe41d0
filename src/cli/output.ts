import { ArcaError } from '../core/index.ts'

export type OutputFormat = 'human' | 'json'

export function formatOf(output: string | undefined): OutputFormat {
  if (output === undefined || output === 'text' || output === 'human') return 'human'
  if (output === 'json') return 'json'
  throw new ArcaError('Validation', `--output must be json (or omitted for human output), not '${output}'`)
}

export function out(line: string): void {
  process.stdout.write(line.endsWith('\n') ? line : `${line}\n`)
}

export function json(value: unknown): void {
  out(JSON.stringify(value))
}

/** Columns padded to their widest cell; the last column is not padded. */
export function table(rows: string[][], header?: string[]): void {
  const all = header ? [header, ...rows] : rows
  if (all.length === 0) return
  const widths = all[0].map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)))
  for (const r of all) out(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd())
}

/** Short ISO time (seconds, UTC) for human output. */
export function when(iso: string | undefined): string {
  return iso ? iso.replace(/\.\d{3}Z$/, 'Z') : '-'
}
