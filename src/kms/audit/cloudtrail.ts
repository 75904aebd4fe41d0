import { parseArn, toDate } from '../../core/index.ts'
import type { AuditRecordTable } from '../../store/index.ts'

/**
 * A stored record shaped like a CloudTrail event (the fields CloudTrail documents in its
 * "record contents" page), so tools that read CloudTrail JSON read Arca's export. Arca adds
 * `arca` with the record's place in its hash chain.
 */
export interface CloudTrailEvent {
  eventVersion: '1.08'
  eventID: string
  eventTime: string
  eventSource: string
  eventName: string
  eventType: 'AwsApiCall'
  awsRegion?: string
  userIdentity: {
    type: 'Root' | 'IAMUser' | 'AssumedRole' | 'Unknown'
    arn?: string
    accountId?: string
    accessKeyId?: string
    invokedBy?: string
  }
  sourceIPAddress?: string
  userAgent?: string
  requestParameters: Record<string, unknown>
  responseElements: null
  errorCode?: string
  errorMessage?: string
  requestID: string
  resources: { ARN: string; accountId?: string; type: string }[]
  recipientAccountId: string
  readOnly?: boolean
  arca: { node: string; seq: number; hash: string; service: string; viaService?: string }
}

const EVENT_SOURCE: Record<string, string> = {
  kms: 'kms.amazonaws.com',
  ssm: 'ssm.amazonaws.com',
  secretsmanager: 'secretsmanager.amazonaws.com',
  sts: 'sts.amazonaws.com',
  arca: 'arca',
}

const RESOURCE_TYPE: Record<string, (resource: string) => string> = {
  kms: (r) => (r.startsWith('alias/') ? 'AWS::KMS::Alias' : 'AWS::KMS::Key'),
  ssm: () => 'AWS::SSM::Parameter',
  secretsmanager: () => 'AWS::SecretsManager::Secret',
  iam: (r) => (r.startsWith('role/') ? 'AWS::IAM::Role' : 'AWS::IAM::User'),
}

// CloudTrail's `readOnly`: operations that change nothing (KMS crypto operations count as read-only).
const READ_ONLY = /^(Get|List|Describe|Decrypt|Encrypt|GenerateDataKey|GenerateRandom|GenerateMac|VerifyMac|Sign|Verify|ReEncrypt|DeriveSharedSecret|GET )/

function identityType(arn: string | null): CloudTrailEvent['userIdentity']['type'] {
  const resource = arn ? parseArn(arn)?.resource : undefined
  if (resource === undefined) return 'Unknown'
  if (resource === 'root') return 'Root'
  return resource.startsWith('role/') || resource.startsWith('assumed-role/') ? 'AssumedRole' : 'IAMUser'
}

/** "2026-01-01T00:00:00Z": CloudTrail's eventTime has no fraction. */
function isoSeconds(ms: number): string {
  return toDate(Math.floor(Number(ms) / 1000) * 1000).toISOString().replace('.000Z', 'Z')
}

export function toCloudTrail(row: AuditRecordTable): CloudTrailEvent {
  const userIdentity: CloudTrailEvent['userIdentity'] = { type: identityType(row.principal_arn) }
  if (row.principal_arn) userIdentity.arn = row.principal_arn
  if (row.account) userIdentity.accountId = row.account
  if (row.access_key_id) userIdentity.accessKeyId = row.access_key_id
  if (row.via_service) userIdentity.invokedBy = row.via_service
  const arns = JSON.parse(row.resources) as string[]
  const event: CloudTrailEvent = {
    eventVersion: '1.08',
    eventID: `${row.node}:${row.seq}`,
    eventTime: isoSeconds(row.time),
    eventSource: EVENT_SOURCE[row.service] ?? row.service,
    eventName: row.operation,
    eventType: 'AwsApiCall',
    userIdentity,
    requestParameters: JSON.parse(row.params) as Record<string, unknown>,
    responseElements: null,
    requestID: row.request_id,
    resources: arns.map((ARN) => {
      const a = parseArn(ARN)
      const type = a ? (RESOURCE_TYPE[a.service]?.(a.resource) ?? `AWS::${a.service}`) : 'Unknown'
      return a?.account ? { ARN, accountId: a.account, type } : { ARN, type }
    }),
    recipientAccountId: row.recipient_account,
    readOnly: READ_ONLY.test(row.operation),
    arca: { node: row.node, seq: Number(row.seq), hash: row.hash, service: row.service },
  }
  if (row.region) event.awsRegion = row.region
  if (row.source_ip) event.sourceIPAddress = row.source_ip
  if (row.user_agent) event.userAgent = row.user_agent
  if (row.error_code) event.errorCode = row.error_code
  if (row.error_message) event.errorMessage = row.error_message
  if (row.via_service) event.arca.viaService = row.via_service
  return event
}
