import { ArcaError } from '../../core/index.ts'
import type { KeyRecord } from './record.ts'

/** Which rule of AWS's key-state table an operation follows (AWS-API.md §3.4, KMS key states guide). */
export type StateRule = 'use' | 'rotate' | 'manage' | 'enable-disable' | 'schedule-deletion' | 'cancel-deletion' | 'any'

/** Throws AWS's error for an operation in a key state that does not allow it. */
export function requireState(key: KeyRecord, rule: StateRule): void {
  const s = key.state
  const pendingDeletion = s === 'PendingDeletion' || s === 'PendingReplicaDeletion'
  switch (rule) {
    case 'any':
      return
    case 'use':
      if (s === 'Enabled') return
      if (s === 'Disabled') throw new ArcaError('Disabled', `${key.arn} is disabled.`)
      throw stateError(key)
    case 'rotate':
      if (s === 'Enabled') return
      if (s === 'Disabled') throw new ArcaError('Disabled', `${key.arn} is disabled.`)
      if (s === 'PendingImport') throw new ArcaError('UnsupportedOperation', `${key.arn} origin is EXTERNAL which is not valid for this operation.`)
      throw stateError(key)
    case 'manage':
      if (s === 'Enabled' || s === 'Disabled' || s === 'PendingImport') return
      throw stateError(key)
    case 'enable-disable':
      if (s === 'Enabled' || s === 'Disabled') return
      throw stateError(key)
    case 'schedule-deletion':
      if (!pendingDeletion) return
      throw stateError(key)
    case 'cancel-deletion':
      if (pendingDeletion) return
      throw new ArcaError('InvalidState', `${key.arn} is not pending deletion.`)
  }
}

function stateError(key: KeyRecord): ArcaError {
  const words: Record<string, string> = {
    PendingDeletion: 'pending deletion',
    PendingReplicaDeletion: 'pending replica deletion',
    PendingImport: 'pending import',
    Creating: 'being created',
    Updating: 'being updated',
    Unavailable: 'unavailable',
    Disabled: 'disabled',
    Enabled: 'enabled',
  }
  return new ArcaError('InvalidState', `${key.arn} is ${words[key.state] ?? key.state}.`)
}
