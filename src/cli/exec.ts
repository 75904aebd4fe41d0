import { type ChildProcess, spawn } from 'node:child_process'
import { constants } from 'node:os'
import { parseArgs } from 'node:util'
import { ArcaError } from '../core/index.ts'
import { createArcaClient, subscribeEvents } from '../client/index.ts'
import { CONNECT_OPTIONS, endpointFor } from './connect.ts'
import { resolveAuth } from '../client/index.ts'
import { buildEnv, concerns, type ExecSources, parseMaps, sameEnv } from './exec-env.ts'

export const EXEC_USAGE = `  exec [--path P …] [--secret NAME …] [--prefix X_] [--map NAME=/param|NAME=arca:… …]
       [--allow-missing] [--watch [--on-change restart|signal:SIGHUP] [--grace-period S]] -- CMD [ARGS…]
                                 run CMD with parameters and secrets as environment variables;
                                 arca:… and {{resolve:…}} values in the environment are resolved`

const OPTIONS = {
  ...CONNECT_OPTIONS,
  path: { type: 'string', multiple: true },
  secret: { type: 'string', multiple: true },
  prefix: { type: 'string' },
  map: { type: 'string', multiple: true },
  'allow-missing': { type: 'boolean' },
  watch: { type: 'boolean' },
  'on-change': { type: 'string' },
  'grace-period': { type: 'string' },
} as const

// Arca: how long a restarted child gets to stop after SIGTERM before SIGKILL (as `docker stop`).
const DEFAULT_GRACE_MS = 10_000
// Arca: changes arriving this close together cause one reload.
const DEBOUNCE_MS = 100
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] as const

const warn = (m: string) => void process.stderr.write(`arca: ${m}\n`)

/** `arca exec … -- cmd args`: runs cmd with the loaded environment; nothing is written to disk. */
export async function runExec(args: string[]): Promise<number> {
  const dash = args.indexOf('--')
  const own = dash < 0 ? args : args.slice(0, dash)
  const command = dash < 0 ? [] : args.slice(dash + 1)
  const { values: v, positionals } = parseArgs({ args: own, allowPositionals: true, options: OPTIONS })
  if (positionals.length) throw new ArcaError('Validation', `put the command after '--': arca exec [options] -- ${positionals.join(' ')}`)
  if (command.length === 0) throw new ArcaError('Validation', 'arca exec needs a command after --: arca exec --path /app/prod -- node server.js')
  const onChange = v['on-change'] ?? 'restart'
  const signal = /^signal:(SIG[A-Z0-9]+)$/.exec(onChange)?.[1]
  if (onChange !== 'restart' && !(signal && signal in constants.signals)) throw new ArcaError('Validation', `--on-change must be restart or signal:SIGNAME (e.g. signal:SIGHUP), not '${onChange}'`)
  if (v['on-change'] && !v.watch) throw new ArcaError('Validation', '--on-change needs --watch')
  const graceMs = v['grace-period'] === undefined ? DEFAULT_GRACE_MS : Number(v['grace-period']) * 1000
  if (!Number.isFinite(graceMs) || graceMs < 0) throw new ArcaError('Validation', '--grace-period must be a number of seconds')

  const endpoint = endpointFor(v)
  const auth = resolveAuth({ profile: v.profile })
  // No cache: every (re)start reads current values; concurrent reads of one value are shared.
  const client = createArcaClient({ endpoint, ...(auth.kind === 'token' ? { token: auth.token } : { credentials: auth.credentials, region: auth.region }), cache: { ttlMs: 0, staleWhileRevalidateMs: 0 } })
  const sources: ExecSources = { paths: v.path ?? [], secrets: v.secret ?? [], prefix: v.prefix, map: parseMaps(v.map), allowMissing: v['allow-missing'] === true }

  // Follow the stream before the first read, so a change made meanwhile is not missed.
  let changed: (() => void) | undefined
  let built: Awaited<ReturnType<typeof buildEnv>> | undefined
  const sub = v.watch
    ? subscribeEvents({ endpoint, auth }, { onEvent: (e) => built && concerns(built.watch, e) && changed?.(), onError: (e) => warn(`event stream: ${e instanceof Error ? e.message : String(e)} (reconnecting)`) })
    : undefined
  try {
    await sub?.ready
    built = await buildEnv(client, process.env, sources, warn)
  } catch (e) {
    sub?.close()
    throw e
  }
  return supervise(command, built.env, {
    graceMs,
    signal,
    watch: sub && {
      onChange(fn) {
        changed = fn
      },
      async rebuild() {
        const next = await buildEnv(client, process.env, sources, warn)
        built = next
        return next.env
      },
      close: () => sub.close(),
    },
  })
}

interface Supervision {
  graceMs: number
  signal?: string
  watch?: { onChange(fn: () => void): void; rebuild(): Promise<Record<string, string>>; close(): void }
}

function supervise(command: string[], env: Record<string, string>, opts: Supervision): Promise<number> {
  return new Promise((resolve) => {
    let child: ChildProcess
    let current = env
    let restarting: Promise<void> | undefined
    let timer: ReturnType<typeof setTimeout> | undefined
    const forward = (sig: NodeJS.Signals) => () => void child.kill(sig)
    const handlers = FORWARDED.map((sig) => [sig, forward(sig)] as const)
    for (const [sig, h] of handlers) process.on(sig, h)

    const finish = (code: number | null, sig: NodeJS.Signals | null) => {
      for (const [s, h] of handlers) process.off(s, h)
      clearTimeout(timer)
      opts.watch?.close()
      if (sig) {
        // Die the way the child died, so a parent sees the same signal (not SIGUSR1: in Node
        // it starts the inspector instead; the shell's 128+n then says the same thing).
        if (sig !== 'SIGUSR1') process.kill(process.pid, sig)
        resolve(128 + (constants.signals[sig] ?? 0))
      } else resolve(code ?? 1)
    }

    const start = () => {
      child = spawn(command[0], command.slice(1), { stdio: 'inherit', env: current })
      const me = child
      me.on('error', (e: NodeJS.ErrnoException) => {
        warn(e.code === 'ENOENT' ? `cannot run '${command[0]}': command not found` : `cannot run '${command[0]}': ${e.message}`)
        finish(e.code === 'ENOENT' ? 127 : 126, null)
      })
      me.on('exit', (code, sig) => {
        // A child stopped for a restart is not the end of the command.
        if (!stopping.has(me)) finish(code, sig)
      })
    }

    const stopping = new WeakSet<ChildProcess>()
    const stop = (c: ChildProcess) =>
      new Promise<void>((done) => {
        stopping.add(c)
        if (c.exitCode !== null || c.signalCode !== null) return done()
        c.once('exit', () => done())
        c.kill('SIGTERM')
        const kill = setTimeout(() => c.kill('SIGKILL'), opts.graceMs)
        c.once('exit', () => clearTimeout(kill))
      })

    let pending = false
    let debounce: ReturnType<typeof setTimeout> | undefined
    opts.watch?.onChange(() => {
      clearTimeout(debounce)
      debounce = setTimeout(() => void reload(), DEBOUNCE_MS)
    })

    async function reload(): Promise<void> {
      if (restarting) {
        pending = true
        return
      }
      let next: Record<string, string>
      try {
        next = await opts.watch!.rebuild()
      } catch (e) {
        warn(`a value changed but reading it failed (${e instanceof Error ? e.message : String(e)}); the command keeps running with the old values`)
        return
      }
      if (sameEnv(next, current)) return
      current = next
      if (opts.signal) {
        warn(`a referenced value changed; sending ${opts.signal}`)
        child.kill(opts.signal as NodeJS.Signals)
        return
      }
      warn('a referenced value changed; restarting the command')
      restarting = (async () => {
        await stop(child)
        start()
      })()
      await restarting
      restarting = undefined
      if (pending) {
        pending = false
        void reload()
      }
    }

    start()
  })
}
