/** Row types of every table, as Kysely sees them. Times are epoch milliseconds; flags are 0/1. */
export interface MetaTable {
  key: string
  value: string
}

export interface LeaseTable {
  name: string
  holder: string
  expires_at: number
}

export interface KmsKeyTable {
  region: string
  id: string
  account: string
  spec: string
  usage: string
  origin: string
  key_manager: string
  state: string
  description: string
  policy: string
  created_at: number
  deletion_date: number | null
  pending_window_days: number | null
  multi_region: number
  primary_region: string | null
  rotation_enabled: number
  rotation_period_days: number | null
  next_rotation_at: number | null
  on_demand_rotations: number
  current_version: number
  valid_to: number | null
  expiration_model: string | null
  revision: number
}

export interface KmsKeyMaterialTable {
  key_id: string
  version: number
  material: Uint8Array
  material_id: string
  rotation_type: string | null
  created_at: number
}

export interface KmsAliasTable {
  account: string
  region: string
  name: string
  key_id: string
  created_at: number
  updated_at: number
}

export interface KmsTagTable {
  region: string
  key_id: string
  tag_key: string
  tag_value: string
}

export interface KmsImportTokenTable {
  token_id: string
  region: string
  key_id: string
  wrapping_algorithm: string
  wrapping_key: Uint8Array
  expires_at: number
}

export interface IamAccountTable {
  id: string
  created_at: number
}

export interface IamPrincipalTable {
  id: string
  account: string
  kind: 'user' | 'role'
  name: string
  /** `name` in lower case: IAM names are unique without regard to case. */
  name_key: string
  admin: number
  /** JSON object of tag key → value. */
  tags: string
  created_at: number
}

export interface IamAccessKeyTable {
  id: string
  principal_id: string
  /** The secret access key, wrapped by the barrier (AAD `arca:access-key:<id>`). */
  secret: Uint8Array
  created_at: number
}

export interface IamTokenTable {
  /** Hex SHA-256 of the token; the token is never stored. */
  hash: string
  principal_id: string
  created_at: number
  expires_at: number
}

export interface IamPolicyTable {
  principal_id: string
  name: string
  document: string
  created_at: number
  updated_at: number
}

export interface Schema {
  meta: MetaTable
  leases: LeaseTable
  kms_keys: KmsKeyTable
  kms_key_material: KmsKeyMaterialTable
  kms_aliases: KmsAliasTable
  kms_tags: KmsTagTable
  kms_import_tokens: KmsImportTokenTable
  iam_accounts: IamAccountTable
  iam_principals: IamPrincipalTable
  iam_access_keys: IamAccessKeyTable
  iam_tokens: IamTokenTable
  iam_policies: IamPolicyTable
}
