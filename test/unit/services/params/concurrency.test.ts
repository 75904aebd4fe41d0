import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Params } from '../../../../src/services/params/index.ts'
import { testBackend } from '../../../support/db.ts'
import { type ParamsHarness, admin, createParamsHarness } from './support.ts'

let h: ParamsHarness
let second: { params: Params; close(): Promise<void> }
beforeEach(async () => {
  h = await createParamsHarness()
  // PostgreSQL: a second node with its own connection pool. SQLite serves one node (one
  // connection, capabilities not shared): the second writer is a concurrent caller of the same one.
  second = testBackend === 'postgres' ? await h.another() : { params: h.params, close: async () => {} }
})
afterEach(async () => {
  await second.close()
  await h.dispose()
})

describe('racing writers', () => {
  it('two writers putting the same name get distinct consecutive versions and nothing is lost', async () => {
    await h.params.putParameter(admin, { name: '/race', value: 'start', type: 'String' })
    const writer = (p: Params, who: string) => async () => {
      const versions: number[] = []
      for (let i = 0; i < 25; i++) versions.push((await p.putParameter(admin, { name: '/race', value: `${who}-${i}`, overwrite: true })).version)
      return versions
    }
    const [a, b] = await Promise.all([writer(h.params, 'a')(), writer(second.params, 'b')()])
    const all = [...a, ...b].sort((x, y) => x - y)
    expect(all).toEqual(Array.from({ length: 50 }, (_, i) => i + 2))
    const history = (await h.params.getParameterHistory(admin, { name: '/race' })).parameters
    const next = (await h.params.getParameterHistory(admin, { name: '/race', nextToken: undefined, maxResults: 50 })).parameters
    expect(next.map((p) => p.version)).toEqual(history.map((p) => p.version))
    const more = await h.params.getParameterHistory(admin, { name: '/race', maxResults: 50 })
    const tail = more.nextToken ? (await h.params.getParameterHistory(admin, { name: '/race', maxResults: 50, nextToken: more.nextToken })).parameters : []
    const values = [...more.parameters, ...tail].map((p) => p.value)
    expect(values).toHaveLength(51)
    expect(new Set(values).size).toBe(51)
    // each writer's own values are in the order it wrote them
    for (const who of ['a', 'b']) {
      const mine = values.filter((v) => v.startsWith(`${who}-`))
      expect(mine).toEqual(Array.from({ length: 25 }, (_, i) => `${who}-${i}`))
    }
  })

  it('two creators without Overwrite: exactly one wins, the other gets ParameterAlreadyExists', async () => {
    // The account's alias/aws/ssm key is made on first use; racing its creation is the KMS core's concern.
    await h.params.putParameter(admin, { name: '/warm', value: 'w', type: 'String' })
    for (let round = 0; round < 10; round++) {
      const name = `/create/${round}`
      const results = await Promise.allSettled([
        h.params.putParameter(admin, { name, value: 'one', type: 'String' }),
        second.params.putParameter(admin, { name, value: 'two', type: 'String' }),
      ])
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
      const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
      expect(lost.reason.code).toBe('AlreadyExists')
      expect((await h.params.getParameter(admin, { name })).parameter.version).toBe(1)
    }
  })
})
