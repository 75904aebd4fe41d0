// Runs the `arca` command like src/cli/arca.mjs, then reports the process's peak resident set
// (kilobytes) on stderr as `arca-peak-rss-kb=N`: tests check that streaming keeps memory bounded.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../../src/cli/main.ts')
process.exitCode = await main(process.argv.slice(2))
process.stderr.write(`arca-peak-rss-kb=${process.resourceUsage().maxRSS}\n`)
