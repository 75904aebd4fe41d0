import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

// Dependency direction (CONVENTIONS.md): core ← store ← kms ← services ← api, cli; server.ts wires.
const ROOT = path.resolve(import.meta.dirname, '..')
const SRC = path.join(ROOT, 'src')
const LAYER_RANK: Record<string, number> = { core: 0, store: 1, kms: 2, services: 3, api: 4, cli: 5, client: 4 }

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name)
    return e.isDirectory() ? files(p) : /\.(ts|mjs)$/.test(e.name) ? [p] : []
  })
}

const sources = files(SRC).map((file) => ({ file, rel: path.relative(SRC, file), text: fs.readFileSync(file, 'utf8') }))
const importsOf = (text: string) => [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"\n]*?from\s+['"]([^'"]+)['"]/g)].map((m) => m[1])
const layerOf = (rel: string) => rel.split(path.sep)[0]

describe('architecture', () => {
  it('imports point down the layers only', () => {
    const bad: string[] = []
    for (const s of sources) {
      const from = layerOf(s.rel)
      if (!(from in LAYER_RANK)) continue
      for (const spec of importsOf(s.text)) {
        if (!spec.startsWith('.')) continue
        const target = path.relative(SRC, path.resolve(path.dirname(s.file), spec))
        if (target.startsWith('..')) continue // migrations/, package.json
        const to = layerOf(target)
        if (to === 'server.ts' && from !== 'cli') bad.push(`${s.rel} imports the composition root`)
        if (to in LAYER_RANK && LAYER_RANK[to] > LAYER_RANK[from]) bad.push(`${s.rel} → ${target}`)
      }
    }
    expect(bad).toEqual([])
  })

  it('uses no bare clock, Math.random or console outside their one place', () => {
    const bad: string[] = []
    for (const s of sources) {
      const code = s.text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '')
      if (/Date\.now\(\)|new Date\(\)/.test(code) && !['core/clock.ts', 'core/log.ts'].includes(s.rel)) bad.push(`${s.rel}: bare clock`)
      if (/Math\.random/.test(code)) bad.push(`${s.rel}: Math.random`)
      if (/console\./.test(code)) bad.push(`${s.rel}: console`)
    }
    expect(bad).toEqual([])
  })

  it('keeps migrations independent of src/', () => {
    const dir = path.join(ROOT, 'migrations')
    for (const f of fs.readdirSync(dir)) {
      for (const spec of importsOf(fs.readFileSync(path.join(dir, f), 'utf8'))) expect(spec.includes('src/'), `${f} imports ${spec}`).toBe(false)
    }
  })
})
