import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PutParameterInput } from '../../../../src/services/params/index.ts'
import { type ParamsHarness, admin, createParamsHarness } from './support.ts'

// A hierarchy of 10,000 parameters: /h/a0…a9/b0…b9/p000…p099.
const names: string[] = []
for (let a = 0; a < 10; a++) for (let b = 0; b < 10; b++) for (let p = 0; p < 100; p++) names.push(`/h/a${a}/b${b}/p${String(p).padStart(3, '0')}`)
const byteOrder = (x: string, y: string) => Buffer.compare(Buffer.from(x), Buffer.from(y))

let h: ParamsHarness
beforeAll(async () => {
  h = await createParamsHarness()
  for (let i = 0; i < names.length; i += 500) {
    const batch: PutParameterInput[] = names.slice(i, i + 500).map((name) => ({ name, value: `value of ${name}`, type: 'String' }))
    await h.params.putParameters(admin, batch)
  }
}, 300_000)
afterAll(async () => {
  await h?.dispose()
})

async function listAll(path: string, recursive: boolean, onPage?: (page: number) => Promise<void>): Promise<string[]> {
  const seen: string[] = []
  let nextToken: string | undefined
  let page = 0
  do {
    const out = await h.params.getParametersByPath(admin, { path, recursive, maxResults: 10, ...(nextToken ? { nextToken } : {}) })
    expect(out.parameters.length).toBeLessThanOrEqual(10)
    for (const p of out.parameters) {
      expect(p.value).toBe(`value of ${p.name}`)
      seen.push(p.name)
    }
    nextToken = out.nextToken
    await onPage?.(++page)
  } while (nextToken)
  return seen
}

describe('GetParametersByPath over 10,000 parameters', { timeout: 300_000 }, () => {
  it('a recursive listing returns each exactly once, in a stable (name) order', async () => {
    const seen = await listAll('/h', true)
    expect(seen).toHaveLength(10_000)
    expect(new Set(seen).size).toBe(10_000)
    expect(seen).toEqual([...names].sort(byteOrder))
    expect(await listAll('/h/', true)).toEqual(seen)
  })

  it('one level lists only the direct children', async () => {
    const seen = await listAll('/h/a3/b7', false)
    expect(seen).toEqual(names.filter((n) => n.startsWith('/h/a3/b7/')))
    expect(await listAll('/h/a3', false)).toEqual([])
  })

  it('puts during paging neither duplicate nor skip the parameters that did not change', async () => {
    const added: string[] = []
    const seen = await listAll('/h', true, async (page) => {
      if (page % 100 !== 0) return
      // new names behind and ahead of the cursor, and a new version of one already listed and one not yet
      const n = page / 100
      for (const name of [`/h/a0/b0/p000-new${n}`, `/h/a9/b9/p099-new${n}`]) {
        await h.params.putParameter(admin, { name, value: `value of ${name}`, type: 'String' })
        added.push(name)
      }
      for (const name of [names[n * 7]!, names[9000 + n]!]) await h.params.putParameter(admin, { name, value: `value of ${name}`, overwrite: true })
    })
    const original = seen.filter((n) => !added.includes(n))
    expect(original).toEqual([...names].sort(byteOrder))
    expect(new Set(seen).size).toBe(seen.length)
    // every name added ahead of the cursor was still to come, so it was listed too
    for (const name of added.filter((n) => n.startsWith('/h/a9/b9/'))) expect(seen).toContain(name)
  })

  it('a NextToken belongs to its request', async () => {
    const first = await h.params.getParametersByPath(admin, { path: '/h', recursive: true, maxResults: 10 })
    await expect(h.params.getParametersByPath(admin, { path: '/h/a1', recursive: true, maxResults: 10, nextToken: first.nextToken })).rejects.toMatchObject({ code: 'InvalidMarker' })
    await expect(h.params.getParametersByPath(admin, { path: '/h', recursive: false, maxResults: 10, nextToken: first.nextToken })).rejects.toMatchObject({ code: 'InvalidMarker' })
  })
})
