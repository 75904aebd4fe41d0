import { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand, DescribeSecretCommand } from '@aws-sdk/client-secrets-manager'
import { it, expect } from 'vitest'
import { startTestServer } from '../support/server.ts'
import { secretsClient } from '../support/secrets.ts'
it('smoke', async () => {
  const t = await startTestServer()
  const c = secretsClient(t)
  try {
    const made = await c.send(new CreateSecretCommand({ Name: 'app/db', SecretString: 'hunter2' }))
    console.log(made)
    const got = await c.send(new GetSecretValueCommand({ SecretId: 'app/db' }))
    console.log(got)
    await c.send(new PutSecretValueCommand({ SecretId: made.ARN, SecretString: 'two' }))
    console.log(await c.send(new DescribeSecretCommand({ SecretId: made.ARN!.slice(0, -7) })))
  } finally { c.destroy(); await t.stop() }
})
