/** Staging-label rules (AWS-API.md §5.2/§5.3) as a table of sequences, and invariants under random ones. */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Labels, attach, stagesByVersion } from '../../../../src/services/secrets/labels.ts'
import { moveStage } from '../../../../src/services/secrets/stage.ts'

type Step = ['put', string, string[]?] | ['move', string, string | undefined, string | undefined]

/** Replays steps as the service would (the first value always takes AWSCURRENT). */
function run(steps: Step[]): Labels {
  let labels: Labels = new Map()
  const versions = new Set<string>()
  for (const s of steps) {
    if (s[0] === 'put') {
      versions.add(s[1])
      let wanted = s[2] ?? ['AWSCURRENT']
      if (!labels.has('AWSCURRENT') && !wanted.includes('AWSCURRENT')) wanted = ['AWSCURRENT', ...wanted]
      labels = attach(labels, s[1], wanted)
    } else labels = moveStage(labels, s[1], s[2], s[3], (id) => versions.has(id))
  }
  return labels
}

const view = (l: Labels) => Object.fromEntries([...stagesByVersion(l)].map(([v, s]) => [v, [...s].sort()]).sort())

describe('label sequences', () => {
  const cases: { name: string; steps: Step[]; want: Record<string, string[]> | string }[] = [
    { name: 'first put takes AWSCURRENT', steps: [['put', 'v1']], want: { v1: ['AWSCURRENT'] } },
    { name: 'second put: old current becomes AWSPREVIOUS', steps: [['put', 'v1'], ['put', 'v2']], want: { v1: ['AWSPREVIOUS'], v2: ['AWSCURRENT'] } },
    { name: 'third put: AWSPREVIOUS moves on, v1 deprecated', steps: [['put', 'v1'], ['put', 'v2'], ['put', 'v3']], want: { v2: ['AWSPREVIOUS'], v3: ['AWSCURRENT'] } },
    { name: 'put with AWSPENDING only leaves AWSCURRENT', steps: [['put', 'v1'], ['put', 'v2', ['AWSPENDING']]], want: { v1: ['AWSCURRENT'], v2: ['AWSPENDING'] } },
    { name: 'first put with only AWSPENDING still takes AWSCURRENT', steps: [['put', 'v1', ['AWSPENDING']]], want: { v1: ['AWSCURRENT', 'AWSPENDING'] } },
    {
      name: 'rotation finish: move AWSCURRENT then drop AWSPENDING',
      steps: [['put', 'v1'], ['put', 'v2', ['AWSPENDING']], ['move', 'AWSCURRENT', 'v2', 'v1'], ['move', 'AWSPENDING', undefined, 'v2']],
      want: { v1: ['AWSPREVIOUS'], v2: ['AWSCURRENT'] },
    },
    { name: 'moving AWSCURRENT without RemoveFromVersionId is refused', steps: [['put', 'v1'], ['put', 'v2', ['x']], ['move', 'AWSCURRENT', 'v2', undefined]], want: 'RemoveFromVersionId can\'t be empty' },
    { name: 'RemoveFromVersionId must name the holder', steps: [['put', 'v1'], ['put', 'v2', ['x']], ['move', 'AWSCURRENT', 'v2', 'v2']], want: 'currently attached to version v1, not to version v2' },
    { name: 'AWSCURRENT cannot be removed', steps: [['put', 'v1'], ['move', 'AWSCURRENT', undefined, 'v1']], want: "can’t be completely removed" },
    { name: 'custom label attaches, moves and detaches', steps: [['put', 'v1'], ['put', 'v2'], ['move', 'blue', 'v1', undefined], ['move', 'blue', 'v2', 'v1'], ['move', 'blue', undefined, 'v2']], want: { v1: ['AWSPREVIOUS'], v2: ['AWSCURRENT'] } },
    { name: 'moving a label onto the version that holds it is a no-op', steps: [['put', 'v1'], ['move', 'AWSCURRENT', 'v1', undefined]], want: { v1: ['AWSCURRENT'] } },
    { name: 'a missing target version is not found', steps: [['put', 'v1'], ['move', 'blue', 'v9', undefined]], want: "can't find the specified secret version" },
    { name: 'explicit AWSPREVIOUS in a put wins over the automatic one', steps: [['put', 'v1'], ['put', 'v2', ['AWSCURRENT', 'AWSPREVIOUS']]], want: { v2: ['AWSCURRENT', 'AWSPREVIOUS'] } },
    { name: 'neither MoveTo nor RemoveFrom is refused', steps: [['put', 'v1'], ['move', 'blue', undefined, undefined]], want: 'MoveToVersionId, RemoveFromVersionId' },
  ]
  for (const c of cases) {
    it(c.name, () => {
      if (typeof c.want === 'string') expect(() => run(c.steps)).toThrow(c.want)
      else expect(view(run(c.steps))).toEqual(c.want)
    })
  }
})

describe('label invariants under random sequences', () => {
  const version = fc.constantFrom('v1', 'v2', 'v3', 'v4')
  const stage = fc.constantFrom('AWSCURRENT', 'AWSPREVIOUS', 'AWSPENDING', 'blue')
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.tuple(fc.constant('put' as const), version, fc.option(fc.uniqueArray(stage, { minLength: 1, maxLength: 3 }), { nil: undefined })).map(([k, v, s]) => (s ? [k, v, s] : [k, v]) as Step),
    fc.tuple(fc.constant('move' as const), stage, fc.option(version, { nil: undefined }), fc.option(version, { nil: undefined })) as fc.Arbitrary<Step>,
  )
  it('every label sits on one existing version; once a value exists exactly one AWSCURRENT; a refused step changes nothing', () => {
    let applied = 0
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        let labels: Labels = new Map()
        const versions = new Set<string>()
        for (const s of steps) {
          const before = new Map(labels)
          try {
            if (s[0] === 'put') {
              let wanted = s[2] ?? ['AWSCURRENT']
              if (!labels.has('AWSCURRENT') && !wanted.includes('AWSCURRENT')) wanted = ['AWSCURRENT', ...wanted]
              labels = attach(labels, s[1], wanted)
              versions.add(s[1])
            } else labels = moveStage(labels, s[1], s[2], s[3], (id) => versions.has(id))
            applied++
          } catch {
            expect(labels).toEqual(before)
          }
          if (versions.size > 0) expect([...labels.keys()].filter((l) => l === 'AWSCURRENT')).toHaveLength(1)
          for (const [, v] of labels) expect(versions.has(v)).toBe(true)
          // a moved AWSCURRENT left AWSPREVIOUS on the version it came from
          if (s[0] === 'move' && s[1] === 'AWSCURRENT' && before.get('AWSCURRENT') !== labels.get('AWSCURRENT')) expect(labels.get('AWSPREVIOUS')).toBe(before.get('AWSCURRENT'))
        }
      }),
    )
    expect(applied).toBeGreaterThan(100)
  })
})
