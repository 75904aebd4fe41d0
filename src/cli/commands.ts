import { CONFIGURE_USAGE, runConfigure } from './configure.ts'
import { CRYPTO_USAGE, runDecrypt, runEncrypt } from './crypto.ts'
import { EXEC_USAGE, runExec } from './exec.ts'
import { KEYS_USAGE, runKeys } from './keys.ts'
import { PARAMS_USAGE, runGet, runHistory, runLs, runPut, runRm } from './params.ts'
import { runDiff, runExport, runImport, TRANSFER_USAGE } from './transfer.ts'

/** The everyday commands (issue 9): values, transfer, env injection, keys and crypto, profiles. */
export const USER_COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  get: runGet,
  put: runPut,
  ls: runLs,
  history: runHistory,
  rm: runRm,
  import: runImport,
  export: runExport,
  diff: runDiff,
  exec: runExec,
  keys: runKeys,
  encrypt: runEncrypt,
  decrypt: runDecrypt,
  configure: runConfigure,
}

export const USER_USAGE = [PARAMS_USAGE, TRANSFER_USAGE, EXEC_USAGE, KEYS_USAGE, CRYPTO_USAGE, CONFIGURE_USAGE].join('\n')
