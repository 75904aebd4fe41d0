import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../../../src/core/index.ts'
import { type Caller, createPolicyAuthorizer } from '../../../../src/kms/index.ts'
import { serviceAuthorizer } from '../../../../src/services/shared/index.ts'

const authorize = serviceAuthorizer(createPolicyAuthorizer({ clock: new ManualClock() }))
const A = '111111111111'
const B = '222222222222'
const param = (name: string, account = A) => `arn:aws:ssm:us-east-1:${account}:parameter${name}`
const secret = (account = A) => `arn:aws:secretsmanager:us-east-1:${account}:secret:db-AbCdEf`
const user = (policies: object[] = [], account = A, name = 'app'): Caller => ({
  account,
  principalArn: `arn:aws:iam::${account}:user/${name}`,
  region: 'us-east-1',
  policies: policies.map((p) => JSON.stringify({ Version: '2012-10-17', Statement: p })),
})
const outcome = (p: Promise<void>) => p.then(() => 'allow', (e: { code?: string }) => e.code ?? 'error')

describe('serviceAuthorizer (parameters and secrets through the one policy engine)', () => {
  it('lets identity policies decide for resources without a policy, with ARN wildcards', async () => {
    const reader = user([{ Effect: 'Allow', Action: 'ssm:GetParameter*', Resource: param('/app/*') }])
    expect(await outcome(authorize(reader, 'ssm:GetParameter', param('/app/db/url')))).toBe('allow')
    expect(await outcome(authorize(reader, 'ssm:GetParameter', param('/other/x')))).toBe('AccessDenied')
    expect(await outcome(authorize(reader, 'ssm:PutParameter', param('/app/db/url')))).toBe('AccessDenied')
    expect(await outcome(authorize(user(), 'ssm:GetParameter', param('/app/x')))).toBe('AccessDenied')
    expect(await outcome(authorize({ ...user(), admin: true }, 'ssm:PutParameter', param('/any')))).toBe('allow')
  })

  it('an explicit deny in an identity policy wins over an allow', async () => {
    const c = user([
      { Effect: 'Allow', Action: 'ssm:*', Resource: '*' },
      { Effect: 'Deny', Action: 'ssm:GetParameter', Resource: param('/app/secret*') },
    ])
    expect(await outcome(authorize(c, 'ssm:GetParameter', param('/app/public')))).toBe('allow')
    expect(await outcome(authorize(c, 'ssm:GetParameter', param('/app/secret/key')))).toBe('AccessDenied')
  })

  it('for a secret, either its resource policy or the identity policy allows a same-account caller; a resource deny wins', async () => {
    const byResource = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:user/app` }, Action: 'secretsmanager:GetSecretValue', Resource: '*' }] })
    expect(await outcome(authorize(user(), 'secretsmanager:GetSecretValue', secret(), { resourcePolicy: byResource }))).toBe('allow')
    const byIdentity = user([{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secret() }])
    expect(await outcome(authorize(byIdentity, 'secretsmanager:GetSecretValue', secret()))).toBe('allow')
    const denying = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 'secretsmanager:GetSecretValue', Resource: '*' }] })
    expect(await outcome(authorize(byIdentity, 'secretsmanager:GetSecretValue', secret(), { resourcePolicy: denying }))).toBe('AccessDenied')
  })

  it('crosses accounts only when the resource policy and the caller’s own identity policy both allow', async () => {
    const other = user([{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secret(A) }], B)
    expect(await outcome(authorize(other, 'secretsmanager:GetSecretValue', secret(A)))).toBe('AccessDenied')
    const shares = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${B}:root` }, Action: 'secretsmanager:GetSecretValue', Resource: '*' }] })
    expect(await outcome(authorize(other, 'secretsmanager:GetSecretValue', secret(A), { resourcePolicy: shares }))).toBe('allow')
    expect(await outcome(authorize(user([], B), 'secretsmanager:GetSecretValue', secret(A), { resourcePolicy: shares }))).toBe('AccessDenied')
    expect(await outcome(authorize({ ...user([], B), admin: true }, 'ssm:GetParameter', param('/app/x', A)))).toBe('AccessDenied')
  })
})
