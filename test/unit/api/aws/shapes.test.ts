import { describe, expect, it } from 'vitest'
import { operationShapes, shapeTable } from '../../../../src/api/aws/shapes.ts'
import { botocoreDataDir, botocoreVersion, buildTable, loadBotocoreModel } from '../../../../src/api/aws/shapes/generate.ts'

function botocore(): { dir: string; version: string } | undefined {
  try {
    return { dir: botocoreDataDir(), version: botocoreVersion() }
  } catch {
    return undefined
  }
}

describe('generated shape tables', () => {
  it('cover the operations Arca answers', () => {
    expect(Object.keys(shapeTable('kms').operations)).toHaveLength(54)
    expect(operationShapes('kms', 'Encrypt')).toMatchObject({ input: 'EncryptRequest', output: 'EncryptResponse' })
    expect(operationShapes('kms', 'Encrypt')!.errors).toContain('NotFoundException')
    expect(operationShapes('ssm', 'GetParametersByPath')).toBeDefined()
    expect(operationShapes('ssm', 'SendCommand')).toBeUndefined()
    expect(operationShapes('secretsmanager', 'GetSecretValue')).toBeDefined()
    expect(operationShapes('kms', 'toString')).toBeUndefined()
  })

  it('every referenced shape is present', () => {
    for (const svc of ['kms', 'ssm', 'secretsmanager'] as const) {
      const t = shapeTable(svc)
      const refs: string[] = []
      for (const op of Object.values(t.operations)) {
        if (op.input) refs.push(op.input)
        if (op.output) refs.push(op.output)
      }
      for (const s of Object.values(t.shapes)) {
        if (s.type === 'structure') refs.push(...Object.values(s.members))
        if (s.type === 'list') refs.push(s.member)
        if (s.type === 'map') refs.push(s.key, s.value)
      }
      for (const r of refs) expect(t.shapes[r], `${svc}:${r}`).toBeDefined()
    }
  })

  it('match what the generator makes from the installed botocore (when it is the same version)', (ctx) => {
    const b = botocore()
    if (b === undefined || !shapeTable('kms').source.includes(`botocore ${b.version} `)) ctx.skip()
    const models = { kms: 'kms/2014-11-01', ssm: 'ssm/2014-11-06', secretsmanager: 'secretsmanager/2017-10-17' } as const
    for (const svc of ['kms', 'secretsmanager'] as const) {
      const built = buildTable(svc, loadBotocoreModel(b!.dir, models[svc]), () => true, shapeTable(svc).source)
      expect(built).toEqual(shapeTable(svc))
    }
  })
})
