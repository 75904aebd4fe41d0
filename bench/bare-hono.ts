// The baseline: Hono on @hono/node-server answering a constant JSON body.
import { serve } from '@hono/node-server'
import { Hono } from 'hono'

const app = new Hono()
app.post('*', (c) => c.json({ KeyId: 'arn:aws:kms:us-east-1:111111111111:key/constant', Plaintext: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' }))
const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
  process.stdout.write(`bare listening on http://127.0.0.1:${info.port}\n`)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
