import fs from 'node:fs'
import path from 'node:path'
import { ArcaError, MS } from '../../core/index.ts'
import type { RotationConfig } from './contract.ts'

/**
 * Plugins: `<pluginsDir>/<name>/index.ts` exporting `handler(event, context)`, with a
 * package.json (`name`, `version`, and `arca.configSchema`: the settings it reads, their types
 * and defaults). A secret names its plugin as a Lambda ARN
 * (`arn:aws:lambda:{region}:{account}:function:{name}`) or plainly by name.
 *
 * A plugin's configuration, later sources winning: the schema's defaults, the operator's
 * `<pluginsDir>/<name>/config.json`, then the secret's tags `rotation:<key>`. `timeoutSeconds`
 * (every plugin) sets the time limit of each step.
 */

// AWS Lambda: function names are 1–64 of letters, digits, hyphens and underscores.
const PLUGIN_NAME = /^[A-Za-z0-9_-]{1,64}$/
const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:([A-Za-z0-9_-]{1,64})(?::[A-Za-z0-9$_-]+)?$/
// AWS: RotationLambdaARN ≤ 2048 characters.
export const MAX_ROTATION_LAMBDA_ARN_LENGTH = 2048
// Lambda's default time limit is 3 s and its ceiling 900 s; a rotation step defaults to 30 s.
export const DEFAULT_STEP_TIMEOUT_MS = 30 * MS.second
export const MAX_STEP_TIMEOUT_MS = 900 * MS.second
export const CONFIG_TAG_PREFIX = 'rotation:'

type SettingType = 'string' | 'integer' | 'number' | 'boolean'
interface Setting {
  type: SettingType
  default?: string | number | boolean
  description?: string
}

export interface Plugin {
  name: string
  version: string
  file: string
  schema: Record<string, Setting>
}

/** The plugin a RotationLambdaARN (or plain name) names; undefined when it is neither form. */
export function pluginNameOf(lambdaArn: string): string | undefined {
  if (PLUGIN_NAME.test(lambdaArn)) return lambdaArn
  return LAMBDA_ARN.exec(lambdaArn)?.[1]
}

export function loadPlugin(pluginsDir: string, lambdaArn: string): Plugin {
  const name = pluginNameOf(lambdaArn)
  if (!name) throw new ArcaError('InvalidParameter', 'RotationLambdaARN must be arn:aws:lambda:{region}:{account}:function:{plugin} or a plugin name.', { field: 'rotationLambdaARN' })
  const dir = path.join(pluginsDir, name)
  const file = path.join(dir, 'index.ts')
  if (!fs.existsSync(file)) throw new ArcaError('InvalidParameter', `No rotation plugin named ${name} is installed (expected ${name}/index.ts in the plugins folder).`, { field: 'rotationLambdaARN' })
  let pkg: { version?: string; arca?: { configSchema?: { properties?: Record<string, Setting> } } } = {}
  const pkgFile = path.join(dir, 'package.json')
  if (fs.existsSync(pkgFile)) pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as typeof pkg
  return { name, version: pkg.version ?? '0.0.0', file, schema: pkg.arca?.configSchema?.properties ?? {} }
}

function coerce(plugin: Plugin, key: string, value: unknown, source: string): string | number | boolean {
  const setting = key === 'timeoutSeconds' ? ({ type: 'integer' } as Setting) : plugin.schema[key]
  if (!setting) throw new ArcaError('InvalidParameter', `Plugin ${plugin.name} has no setting '${key}' (from ${source}).`)
  const bad = () => new ArcaError('InvalidParameter', `Plugin ${plugin.name}: setting '${key}' from ${source} must be ${setting.type === 'integer' ? 'a whole number' : `a ${setting.type}`}.`)
  switch (setting.type) {
    case 'string':
      if (typeof value !== 'string') throw bad()
      return value
    case 'boolean':
      if (typeof value === 'boolean') return value
      if (value === 'true' || value === 'false') return value === 'true'
      throw bad()
    default: {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN
      if (!Number.isFinite(n) || (setting.type === 'integer' && !Number.isInteger(n))) throw bad()
      return n
    }
  }
}

/** The plugin's configuration for one secret, and the time limit of each of its steps. */
export function pluginConfig(pluginsDir: string, plugin: Plugin, tags: readonly { Key: string; Value: string }[], defaultTimeoutMs: number): { config: RotationConfig; timeoutMs: number } {
  const config: Record<string, string | number | boolean> = {}
  for (const [k, s] of Object.entries(plugin.schema)) if (s.default !== undefined) config[k] = s.default
  const fileName = path.join(pluginsDir, plugin.name, 'config.json')
  if (fs.existsSync(fileName)) {
    const file = JSON.parse(fs.readFileSync(fileName, 'utf8')) as Record<string, unknown>
    for (const [k, v] of Object.entries(file)) config[k] = coerce(plugin, k, v, fileName)
  }
  for (const t of tags) {
    if (t.Key.startsWith(CONFIG_TAG_PREFIX)) {
      const key = t.Key.slice(CONFIG_TAG_PREFIX.length)
      config[key] = coerce(plugin, key, t.Value, `tag ${t.Key}`)
    }
  }
  let timeoutMs = defaultTimeoutMs
  if (config.timeoutSeconds !== undefined) {
    timeoutMs = Number(config.timeoutSeconds) * MS.second
    if (timeoutMs < 1 || timeoutMs > MAX_STEP_TIMEOUT_MS) throw new ArcaError('InvalidParameter', `timeoutSeconds must be from 1 to ${MAX_STEP_TIMEOUT_MS / MS.second}.`)
    delete config.timeoutSeconds
  }
  return { config: Object.freeze(config), timeoutMs }
}
