/** Parameter Store limits, each with its source (AWS-API.md §4, botocore ssm 2014-11-06). */

// AWS: a fully qualified name (with the ARN prefix before it) is at most 1011 characters.
export const MAX_NAME_WITH_ARN = 1011
// AWS: a hierarchy is at most 15 levels deep.
export const MAX_LEVELS = 15
// AWS: Standard-tier values are at most 4 KB, Advanced at most 8 KB (counted in characters).
export const MAX_STANDARD_VALUE = 4096
export const MAX_ADVANCED_VALUE = 8192
// AWS: the newest 100 versions of a parameter are kept.
export const MAX_VERSIONS = 100
// AWS: a version carries at most 10 labels; a label is at most 100 characters.
export const MAX_LABELS_PER_VERSION = 10
export const MAX_LABEL_LENGTH = 100
// AWS: at most 10 policies per parameter.
export const MAX_POLICIES = 10
// AWS: at most 50 tags per resource.
export const MAX_TAGS = 50
// AWS: GetParameters and DeleteParameters take 1–10 names.
export const MAX_NAMES = 10
// AWS: GetParametersByPath MaxResults 1–10 (default 10); History/Describe 1–50 (default 50).
export const MAX_PATH_RESULTS = 10
export const MAX_HISTORY_RESULTS = 50
export const MAX_DESCRIBE_RESULTS = 50
// Arca: DescribeParameters examines at most this many parameters per page (filters applied in
// memory may leave the page short, as AWS's pages can be); the cost of a request stays bounded.
export const DESCRIBE_SCAN_WINDOW = 500
// Arca: a write that keeps losing compare-and-set races this often answers TooManyUpdates.
export const MAX_WRITE_ATTEMPTS = 20
// Arca: unwrapped service-key data keys of String/StringList versions kept in memory.
export const DATA_KEY_CACHE_ENTRIES = 10_000
export const DATA_KEY_CACHE_TTL_MS = 5 * 60_000
