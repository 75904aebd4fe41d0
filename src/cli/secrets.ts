import { parseArgs } from 'node:util'
import { ArcaError } from '../core/index.ts'
import { RestClient, resolveAuth } from '../client/index.ts'
import { print } from './admin.ts'
import { endpointOf } from './connect.ts'

export const SECRETS_USAGE = `  secrets rotate NAME                          show the rotation configuration and state
  secrets rotate NAME --plugin P [--days N | --schedule EXPR] [--duration Nh] [--now]
                                               configure rotation (P: a plugin name or Lambda ARN;
                                               EXPR: rate(N hours|days) or cron(…)); --now rotates at once
  secrets rotate NAME --now                    rotate now and wait for the outcome (exit 1 if it failed)
  secrets rotate NAME --pause | --resume       stop or allow rotation attempts
  secrets rotate NAME --off                    turn rotation off (CancelRotateSecret)
  secrets rotate NAME --history [--limit N]    every attempt with each step's outcome and error`

const OPTIONS = {
  endpoint: { type: 'string' },
  profile: { type: 'string' },
  output: { type: 'string' },
  plugin: { type: 'string' },
  days: { type: 'string' },
  schedule: { type: 'string' },
  duration: { type: 'string' },
  now: { type: 'boolean' },
  pause: { type: 'boolean' },
  resume: { type: 'boolean' },
  off: { type: 'boolean' },
  history: { type: 'boolean' },
  limit: { type: 'string' },
} as const

/** `arca secrets …`: secret rotation through the REST API (`/v1/secrets/{name}/rotation`). */
export async function runSecrets(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: OPTIONS })
  const [action, name, ...extra] = positionals
  if (action !== 'rotate') throw new ArcaError('Validation', `unknown secrets command '${positionals.join(' ')}'\n${SECRETS_USAGE}`)
  if (!name || extra.length) throw new ArcaError('Validation', `secrets rotate needs one secret NAME\n${SECRETS_USAGE}`)
  const modes = [values.pause, values.resume, values.off, values.history].filter(Boolean).length
  if (modes > 1) throw new ArcaError('Validation', 'give at most one of --pause, --resume, --off, --history')
  if (values.days !== undefined && values.schedule !== undefined) throw new ArcaError('Validation', 'give --days or --schedule, not both')
  const client = new RestClient({ endpoint: endpointOf(values), auth: resolveAuth({ profile: values.profile }) })
  const base = `/v1/secrets/${name.split('/').map(encodeURIComponent).join('/')}`
  const configure = values.plugin !== undefined || values.days !== undefined || values.schedule !== undefined || values.duration !== undefined
  let result: unknown
  if (modes && (configure || values.now)) throw new ArcaError('Validation', '--pause, --resume, --off and --history do not combine with configuration flags or --now')
  if (values.history) result = await client.request('GET', `${base}/rotations`, undefined, { limit: values.limit })
  else if (values.pause) result = await client.request('POST', `${base}/rotation/pause`)
  else if (values.resume) result = await client.request('POST', `${base}/rotation/resume`)
  else if (values.off) result = await client.request('DELETE', `${base}/rotation`)
  else {
    if (configure) {
      const schedule: Record<string, unknown> = {}
      if (values.days !== undefined) {
        if (!/^\d{1,4}$/.test(values.days)) throw new ArcaError('Validation', '--days must be a whole number of days')
        schedule.automaticallyAfterDays = Number(values.days)
      }
      if (values.schedule !== undefined) schedule.scheduleExpression = values.schedule
      if (values.duration !== undefined) schedule.duration = values.duration
      result = await client.request('PUT', `${base}/rotation`, { ...(values.plugin !== undefined ? { plugin: values.plugin } : {}), ...(Object.keys(schedule).length ? { schedule } : {}) })
    }
    if (values.now) {
      const ran = await client.request<{ outcome?: string }>('POST', `${base}/rotation/run`, undefined, { wait: 'true' })
      print(ran, values.output)
      if (ran.outcome !== 'succeeded') {
        process.stderr.write(`arca: the rotation ${ran.outcome === 'failed' ? 'failed' : `did not complete (${ran.outcome})`}; see: arca secrets rotate ${name} --history\n`)
        return 1
      }
      return 0
    }
    if (!configure) result = await client.request('GET', `${base}/rotation`)
  }
  print(result, values.output)
  return 0
}
