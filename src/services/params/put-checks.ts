import { ArcaError } from '../../core/index.ts'
import { MAX_ADVANCED_VALUE, MAX_STANDARD_VALUE, MAX_TAGS } from './limits.ts'
import type { ParsedPolicy } from './policies.ts'
import type { ParameterRow } from './rows.ts'
import type { ParameterType, PutParameterInput, Tag } from './types.ts'

const TYPES: readonly ParameterType[] = ['String', 'StringList', 'SecureString']
const TIERS = ['Standard', 'Advanced', 'Intelligent-Tiering']
// AWS: DataType text (default), aws:ec2:image (an AMI id), aws:ssm:integration.
const AMI_ID = /^ami-[0-9a-f]{8,17}$/

/** The fields a put leaves on the parameter, after merging with the current one (Overwrite). */
export interface Effective {
  type: ParameterType
  keyId: string | null
  description: string | null
  allowedPattern: string | null
  tier: 'Standard' | 'Advanced'
  dataType: string
}

export function checkPutInput(input: PutParameterInput): void {
  if (typeof input.value !== 'string' || input.value.length === 0)
    throw new ArcaError('Validation', "1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1", { field: 'value' })
  if (input.type !== undefined && !(TYPES as readonly string[]).includes(input.type))
    throw new ArcaError('UnsupportedParameterType', `The parameter type ${input.type} isn't supported: use String, StringList or SecureString.`, { field: 'type' })
  if (input.tier !== undefined && !TIERS.includes(input.tier)) throw new ArcaError('Validation', `Tier must be one of ${TIERS.join(', ')}.`, { field: 'tier' })
  if (input.overwrite && input.tags?.length)
    throw new ArcaError(
      'Validation',
      "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
    )
  if (input.tags) checkTags(input.tags, 0)
}

export function checkTags(tags: readonly Tag[], existing: number): void {
  for (const t of tags) {
    if (/^aws:/i.test(t.key)) throw new ArcaError('Validation', `Tag keys can't begin with "aws:" (reserved): ${t.key}`, { field: 'tags' })
  }
  if (existing + tags.length > MAX_TAGS) throw new ArcaError('TooManyTags', `A parameter can have at most ${MAX_TAGS} tags.`, { field: 'tags' })
}

/** AllowedPattern compiled as a JavaScript regular expression; the value must match somewhere (`test`). */
export function compilePattern(pattern: string): RegExp {
  try {
    return new RegExp(pattern, 'u')
  } catch {
    throw new ArcaError('InvalidAllowedPattern', `The request doesn't match a valid regular expression: ${pattern}`, { field: 'allowedPattern' })
  }
}

export function effectiveFields(input: PutParameterInput, current: ParameterRow | undefined, value: string, policies: readonly ParsedPolicy[]): Effective {
  if (current === undefined && input.type === undefined) throw new ArcaError('Validation', 'A parameter type is required when you create a parameter.', { field: 'type' })
  const type = (input.type ?? current!.type) as ParameterType
  if (current && current.type !== type)
    throw new ArcaError(
      'HierarchyTypeMismatch',
      `Parameter Store doesn't support changing a parameter type (${current.type} to ${type}). You must create a new, unique parameter.`,
      { field: 'type' },
    )
  if (input.keyId !== undefined && type !== 'SecureString') throw new ArcaError('Validation', `KeyId is only valid for SecureString parameters, not ${type}.`, { field: 'keyId' })
  const keyId = type === 'SecureString' ? (input.keyId ?? current?.key_id ?? 'alias/aws/ssm') : null
  const dataType = input.dataType ?? current?.data_type ?? 'text'
  checkDataType(dataType, value)
  const tier = resolveTier(input.tier, current, value, policies)
  return {
    type,
    keyId,
    description: input.description ?? current?.description ?? null,
    allowedPattern: input.allowedPattern ?? current?.allowed_pattern ?? null,
    tier,
    dataType,
  }
}

function checkDataType(dataType: string, value: string): void {
  if (dataType === 'text') return
  if (dataType === 'aws:ec2:image') {
    // Arca checks the AMI id's form; there is no EC2 to ask whether the image exists.
    if (!AMI_ID.test(value)) throw new ArcaError('Validation', `Parameter value isn't an Amazon Machine Image id (ami-…) as DataType aws:ec2:image requires.`, { field: 'value' })
    return
  }
  if (dataType === 'aws:ssm:integration') throw new ArcaError('Validation', 'DataType aws:ssm:integration is not supported by Arca.', { field: 'dataType' })
  throw new ArcaError('Validation', `The following data type is not supported: ${dataType} (Data type names are all lowercase.)`, { field: 'dataType' })
}

/** AWS tiers: Standard ≤ 4 KB without policies; Intelligent-Tiering picks Advanced when needed; no way back to Standard. */
function resolveTier(requested: string | undefined, current: ParameterRow | undefined, value: string, policies: readonly ParsedPolicy[]): 'Standard' | 'Advanced' {
  const needsAdvanced = value.length > MAX_STANDARD_VALUE || policies.length > 0
  const wasAdvanced = current?.tier === 'Advanced'
  const asked = requested ?? (wasAdvanced ? 'Advanced' : 'Standard')
  const tier = asked === 'Intelligent-Tiering' ? (needsAdvanced || wasAdvanced ? 'Advanced' : 'Standard') : (asked as 'Standard' | 'Advanced')
  if (value.length > MAX_ADVANCED_VALUE)
    throw new ArcaError('Validation', `Advanced tier parameters support a maximum parameter value of ${MAX_ADVANCED_VALUE} characters.`, { field: 'value' })
  if (wasAdvanced && tier === 'Standard')
    throw new ArcaError('Validation', "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier.", { field: 'tier' })
  if (tier === 'Standard' && value.length > MAX_STANDARD_VALUE)
    throw new ArcaError(
      'Validation',
      `Standard tier parameters support a maximum parameter value of ${MAX_STANDARD_VALUE} characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier.`,
      { field: 'value' },
    )
  if (tier === 'Standard' && policies.length > 0)
    throw new ArcaError('Validation', 'Parameter policies are supported only for the advanced-parameter tier: set Tier to Advanced or Intelligent-Tiering.', { field: 'policies' })
  return tier
}
