/**
 * A second process running one rotation attempt over the test database, so that a test can
 * kill it with SIGKILL mid-rotation ("server killed between setSecret and finishSecret").
 * Environment: ARCA_ROTATION_WHERE (JSON Where), ARCA_ROTATION_NOW (epoch ms), ARCA_ROTATION_SECRET_ID.
 */
import { ManualClock } from '../../src/core/index.ts'
import { openDatabase } from '../../src/store/index.ts'
import { type Where, assemble } from './rotation.ts'

const where = JSON.parse(process.env.ARCA_ROTATION_WHERE!) as Where
const db = await openDatabase({ url: where.url, ...(where.schema ? { schema: where.schema } : {}) })
const { rotation } = await assemble(db, where, new ManualClock(Number(process.env.ARCA_ROTATION_NOW)), [], 'doomed-node')
const result = await rotation.host.runAttempt(process.env.ARCA_ROTATION_SECRET_ID!, 'api', true)
process.stdout.write(`${JSON.stringify(result)}\n`)
await db.close()
