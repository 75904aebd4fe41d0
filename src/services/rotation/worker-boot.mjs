// The rotation worker's entry: worker threads do not inherit the host's TypeScript loader, so
// the worker registers tsx itself before loading worker.ts (and through it, the plugin).
import { register } from 'tsx/esm/api'

register()
await import('./worker.ts')
