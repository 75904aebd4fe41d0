import { kmsKeyArn } from '../../core/index.ts'
import type { KmsKeyTable } from '../../store/index.ts'
import type { KeyState, Origin } from '../types.ts'

/** A key row as the core works with it. */
export interface KeyRecord {
  region: string
  id: string
  account: string
  arn: string
  spec: string
  usage: string
  origin: Origin
  keyManager: 'CUSTOMER' | 'AWS'
  state: KeyState
  description: string
  policy: string
  createdAt: number
  deletionDate: number | null
  pendingWindowDays: number | null
  multiRegion: boolean
  primaryRegion: string | null
  rotationEnabled: boolean
  rotationPeriodDays: number | null
  nextRotationAt: number | null
  onDemandRotations: number
  currentVersion: number
  validTo: number | null
  expirationModel: string | null
  revision: number
}

export function fromRow(r: KmsKeyTable): KeyRecord {
  return {
    region: r.region,
    id: r.id,
    account: r.account,
    arn: kmsKeyArn(r.region, r.account, r.id),
    spec: r.spec,
    usage: r.usage,
    origin: r.origin as Origin,
    keyManager: r.key_manager as 'CUSTOMER' | 'AWS',
    state: r.state as KeyState,
    description: r.description,
    policy: r.policy,
    createdAt: Number(r.created_at),
    deletionDate: r.deletion_date === null ? null : Number(r.deletion_date),
    pendingWindowDays: r.pending_window_days,
    multiRegion: r.multi_region === 1,
    primaryRegion: r.primary_region,
    rotationEnabled: r.rotation_enabled === 1,
    rotationPeriodDays: r.rotation_period_days,
    nextRotationAt: r.next_rotation_at === null ? null : Number(r.next_rotation_at),
    onDemandRotations: r.on_demand_rotations,
    currentVersion: r.current_version,
    validTo: r.valid_to === null ? null : Number(r.valid_to),
    expirationModel: r.expiration_model,
    revision: r.revision,
  }
}

export function toRow(k: KeyRecord): KmsKeyTable {
  return {
    region: k.region,
    id: k.id,
    account: k.account,
    spec: k.spec,
    usage: k.usage,
    origin: k.origin,
    key_manager: k.keyManager,
    state: k.state,
    description: k.description,
    policy: k.policy,
    created_at: k.createdAt,
    deletion_date: k.deletionDate,
    pending_window_days: k.pendingWindowDays,
    multi_region: k.multiRegion ? 1 : 0,
    primary_region: k.primaryRegion,
    rotation_enabled: k.rotationEnabled ? 1 : 0,
    rotation_period_days: k.rotationPeriodDays,
    next_rotation_at: k.nextRotationAt,
    on_demand_rotations: k.onDemandRotations,
    current_version: k.currentVersion,
    valid_to: k.validTo,
    expiration_model: k.expirationModel,
    revision: k.revision,
  }
}

/** Row fields that an update may change, in camelCase. */
export type KeyPatch = Partial<Omit<KeyRecord, 'region' | 'id' | 'account' | 'arn' | 'revision'>>

export function patchToRow(p: KeyPatch): Partial<KmsKeyTable> {
  const full = toRow({ ...(p as KeyRecord) })
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(full)) if (v !== undefined && !Number.isNaN(v)) out[k] = v
  // toRow turns absent booleans into 0; keep only the flags the patch really names.
  if (p.multiRegion === undefined) delete out.multi_region
  if (p.rotationEnabled === undefined) delete out.rotation_enabled
  for (const k of ['region', 'id', 'account', 'revision']) delete out[k]
  return out as Partial<KmsKeyTable>
}
