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

export interface KmsGrantTable {
  grant_id: string
  region: string
  key_id: string
  account: string
  name: string | null
  grantee_principal: string
  retiring_principal: string | null
  /** JSON array of grant operation names. */
  operations: string
  /** JSON object `{encryptionContextSubset?, encryptionContextEquals?}`, or NULL. */
  constraints: string | null
  /** Digest of a named grant's name and parameters (idempotent CreateGrant); NULL when unnamed. */
  dedupe: string | null
  /** Per-grant HMAC key for grant tokens, wrapped by the barrier (AAD `arca:kms-grant-token:<grantId>`). */
  token_key: Uint8Array
  created_at: number
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

export interface AuditRecordTable {
  node: string
  seq: number
  time: number
  request_id: string
  account: string | null
  recipient_account: string
  principal_arn: string | null
  access_key_id: string | null
  source_ip: string | null
  user_agent: string | null
  region: string | null
  service: string
  operation: string
  via_service: string | null
  /** JSON array of resource ARNs. */
  resources: string
  /** JSON object: the request parameters after redaction. */
  params: string
  error_code: string | null
  error_message: string | null
  /** Hex SHA-256 of the previous record of the same node (64 zeros for the first). */
  prev_hash: string
  hash: string
}

export interface AuditCheckpointTable {
  node: string
  seq: number
  hash: string
  time: number
  /** Hex Ed25519 signature by the audit signing key. */
  signature: string
}

export interface EventSequenceTable {
  name: string
  value: number
}

/** The outbox: one row per event, written in the transaction of the change it describes. */
export interface EventTable {
  /** Gap-free, assigned in commit order (see services/notify/outbox.ts); the SSE event id. */
  seq: number
  id: string
  account: string
  region: string
  source: string
  detail_type: string
  /** JSON array of resource ARNs. */
  resources: string
  /** The EventBridge envelope as delivered. */
  body: string
  created_at: number
  fanned_out: number
}

export interface WebhookTable {
  id: string
  account: string
  url: string
  /** JSON `{source?, detailType?, resourcePrefix?}`. */
  pattern: string
  enabled: number
  /** The signing secret, wrapped by the barrier (AAD `arca:webhook-secret:<id>`). */
  secret: Uint8Array
  created_at: number
  updated_at: number
}

export interface WebhookDeliveryTable {
  id: string
  webhook_id: string
  event_seq: number
  state: 'pending' | 'delivered' | 'failed'
  attempts: number
  next_attempt_at: number
  claim_id: string | null
  claimed_until: number | null
  created_at: number
  updated_at: number
}

export interface WebhookAttemptTable {
  id: string
  delivery_id: string
  webhook_id: string
  event_id: string
  attempted_at: number
  status_code: number | null
  error: string | null
  duration_ms: number
  success: number
}

export interface SsmParameterTable {
  account: string
  region: string
  name: string
  /** The name up to and including its last '/' ('/' when it has none): the one-level listing key. */
  parent: string
  type: string
  key_id: string | null
  description: string | null
  allowed_pattern: string | null
  tier: string
  data_type: string
  /** JSON array of policy texts. */
  policies: string | null
  /** The newest version; every write compares and sets it. */
  version: number
  modified_at: number
  modified_by: string
  /** JSON object of tag key → value. */
  tags: string
  created_at: number
  /** The newest version's data key and sealed value (copied from its version row). */
  data_key: Uint8Array
  value: Uint8Array
}

/** One kept version of a parameter; the value is envelope-encrypted (services/params/cipher.ts). */
export interface SsmParameterVersionTable {
  account: string
  region: string
  name: string
  version: number
  type: string
  key_id: string | null
  description: string | null
  allowed_pattern: string | null
  tier: string
  data_type: string
  policies: string | null
  modified_at: number
  modified_by: string
  /** KMS ciphertext of the version's data key, context {PARAMETER_ARN: arn}. */
  data_key: Uint8Array
  /** IV | AES-256-GCM ciphertext | tag; AAD binds it to the ARN and version. */
  value: Uint8Array
}

export interface SsmParameterLabelTable {
  account: string
  region: string
  name: string
  label: string
  version: number
}

export interface SsmParameterPolicyTable {
  account: string
  region: string
  name: string
  idx: number
  type: string
  text: string
  status: string
  /** When the policy acts next; null once it has. */
  due_at: number | null
  created_at: number
  fired_at: number | null
}

/** A Secrets Manager secret (see migrations/0008-secrets.ts). */
export interface SecretTable {
  id: string
  account: string
  region: string
  name: string
  arn: string
  description: string | null
  kms_key_id: string | null
  resource_policy: string | null
  /** JSON array of {Key, Value}. */
  tags: string
  created_at: number
  last_changed_at: number
  last_accessed_at: number | null
  deleted_at: number | null
  deletion_date: number | null
  rotation_enabled: number
  rotation_lambda_arn: string | null
  rotation_rules: string | null
  last_rotated_at: number | null
  next_rotation_at: number | null
  owning_service: string | null
  primary_region: string
  revision: number
}

export interface SecretVersionTable {
  secret_id: string
  version_id: string
  created_at: number
  last_accessed_at: number | null
  /** JSON array of staging labels (mirror of secret_stages). */
  stages: string
  kind: 'string' | 'binary' | null
  data_key: Uint8Array | null
  value: Uint8Array | null
  kms_key_arn: string | null
  default_key: number
}

export interface SecretStageTable {
  secret_id: string
  stage: string
  version_id: string
}

/** A secret's rotation state (see migrations/0009-rotation.ts). */
export interface SecretRotationTable {
  secret_id: string
  paused: number
  /** The in-flight rotation's ClientRequestToken (AWSPENDING version id); null when none. */
  token: string | null
  rotation_token: string | null
  /** The step to run next. */
  step: string | null
  attempts: number
  next_attempt_at: number | null
  started_at: number | null
  last_error: string | null
  lease_holder: string
  lease_expires_at: number
}

/** One rotation attempt and its steps (JSON), for the history API. */
export interface SecretRotationAttemptTable {
  id: string
  secret_id: string
  token: string
  attempt: number
  trigger: string
  plugin: string
  node: string
  started_at: number
  ended_at: number | null
  outcome: string
  failed_step: string | null
  error: string | null
  steps: string
}

/** Expiry configuration and change/access times of one item (see migrations/0010-expiry.ts). */
export interface ExpiryItemTable {
  item_type: string
  arn: string
  account: string
  region: string
  name: string
  api_config: string | null
  tag_config: string | null
  changed_at: number
  accessed_at: number
}

/** One due moment of an expiry policy; `pending` 1 until fired exactly once. */
export interface ExpiryMomentTable {
  id: string
  item_type: string
  arn: string
  account: string
  region: string
  name: string
  policy_type: string
  policy_text: string
  action: string
  due_at: number
  pending: number
  fired_at: number | null
  late: number
}

export interface Schema {
  meta: MetaTable
  leases: LeaseTable
  kms_keys: KmsKeyTable
  kms_key_material: KmsKeyMaterialTable
  kms_aliases: KmsAliasTable
  kms_tags: KmsTagTable
  kms_import_tokens: KmsImportTokenTable
  kms_grants: KmsGrantTable
  iam_accounts: IamAccountTable
  iam_principals: IamPrincipalTable
  iam_access_keys: IamAccessKeyTable
  iam_tokens: IamTokenTable
  iam_policies: IamPolicyTable
  audit_records: AuditRecordTable
  audit_checkpoints: AuditCheckpointTable
  event_sequence: EventSequenceTable
  events: EventTable
  webhooks: WebhookTable
  webhook_deliveries: WebhookDeliveryTable
  webhook_attempts: WebhookAttemptTable
  ssm_parameters: SsmParameterTable
  ssm_parameter_versions: SsmParameterVersionTable
  ssm_parameter_labels: SsmParameterLabelTable
  ssm_parameter_policies: SsmParameterPolicyTable
  secrets: SecretTable
  secret_versions: SecretVersionTable
  secret_stages: SecretStageTable
  secret_rotations: SecretRotationTable
  secret_rotation_attempts: SecretRotationAttemptTable
  expiry_items: ExpiryItemTable
  expiry_moments: ExpiryMomentTable
}
