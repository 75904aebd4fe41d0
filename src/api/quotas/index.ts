/** Per-account request quotas (token buckets per operation class) for the AWS faces. */
export { type Quotas, type QuotaUse, createQuotas } from './buckets.ts'
export { type QuotaClass, type QuotaLimit, type QuotaSettings, DEFAULT_QUOTAS, QUOTA_CLASSES, quotaClassOf, quotaEnvName, quotaSettings } from './classes.ts'
