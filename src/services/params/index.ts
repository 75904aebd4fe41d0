/**
 * Parameter Store: hierarchical, versioned parameters with AWS SSM semantics (AWS-API.md §4).
 *
 * Every value is envelope-encrypted at rest (cipher.ts): a data key per version from the KMS
 * core, the parameter's KeyId for SecureString (read as the caller, kms:ViaService ssm) or the
 * account's `alias/aws/ssm` service key for String/StringList. Writes are compare-and-set on the
 * parameter row (put.ts); listings are keyset-paged index range scans (by-path.ts, describe.ts);
 * parameter policies are fired once each by `runDueParameterPolicies` (policy-job.ts).
 *
 * tables: ssm_parameters, ssm_parameter_versions, ssm_parameter_labels, ssm_parameter_policies.
 */
export { createParams, type Params, type ParamsOperations, type ParamsOperationName } from './params.ts'
export type {
  ParamsDeps,
  ParameterOut,
  ParameterHistoryOut,
  ParameterMetadataOut,
  PutParameterInput,
  WriteCondition,
  ReferenceResolver,
  ReferencedSecret,
  StringFilter,
  Tag,
} from './types.ts'
export { parameterArn, SECRETS_REFERENCE_PREFIX } from './names.ts'
export { CHANGE_EVENT, POLICY_EVENT } from './events.ts'
export { ssmViaService } from './cipher.ts'
export { MAX_VERSIONS, MAX_LABELS_PER_VERSION, MAX_POLICIES, MAX_TAGS, MAX_STANDARD_VALUE, MAX_ADVANCED_VALUE, MAX_LEVELS } from './limits.ts'
// For services/expiry, which evaluates the same grammar for every item type.
export { parsePolicies, storedPolicies, type ParsedPolicy, type PolicyType } from './policies.ts'
