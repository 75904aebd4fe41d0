import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { arca } from '../support/cli.ts'
import { type TestServer, startTestServer } from '../support/server.ts'

let t: TestServer
let env: Record<string, string>
beforeAll(async () => {
  t = await startTestServer()
  env = { ARCA_ENDPOINT: t.url, AWS_ACCESS_KEY_ID: t.admin.accessKeyId, AWS_SECRET_ACCESS_KEY: t.admin.secretAccessKey }
})
afterAll(async () => {
  await t.stop()
})

describe('arca expiring', () => {
  it('lists a secret that expires within the window, and not one outside it', async () => {
    const sm = new SecretsManagerClient({ endpoint: t.url, region: 'us-east-1', credentials: t.admin, maxAttempts: 1 })
    const now = t.clock.now()
    const soon = new Date(now + 5 * 86_400_000).toISOString()
    const later = new Date(now + 90 * 86_400_000).toISOString()
    await sm.send(new CreateSecretCommand({ Name: 'soon', SecretString: 'x', Tags: [{ Key: 'arca:expires-at', Value: soon }] }))
    await sm.send(new CreateSecretCommand({ Name: 'later', SecretString: 'y', Tags: [{ Key: 'arca:expires-at', Value: later }] }))
    const json = await arca(['expiring', '--within', '30d', '--output', 'json'], env)
    expect(json.stderr).toBe('')
    const names = (JSON.parse(json.stdout) as { items: { name: string; type: string }[] }).items.map((i) => i.name)
    expect(names).toContain('soon')
    expect(names).not.toContain('later')
    const human = await arca(['expiring', '--within', '30d'], env)
    expect(human.stdout).toMatch(/^DUE\s+TYPE\s+NAME/)
    expect(human.stdout).toMatch(/secret\s+soon/)
    const bad = await arca(['expiring', '--within', 'soon'], env)
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toMatch(/within/)
  })
})
