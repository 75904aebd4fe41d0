import { loadConfig } from '../core/index.ts'
import { startServer } from '../server.ts'

/** `arca server`: runs until SIGINT/SIGTERM, then closes cleanly. */
export async function runServer(_args: string[]): Promise<number> {
  const config = loadConfig()
  const server = await startServer({ config })
  await new Promise<void>((resolve) => {
    const stop = () => resolve()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  await server.close()
  return 0
}
