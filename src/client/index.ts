/**
 * Clients of a running Arca: REST with bearer tokens or SigV4, credentials found like the AWS tools do.
 *
 * For applications, `createArcaClient({ endpoint, credentials | token, cache, fallbackFile })`
 * reads parameters and secrets with a TTL + stale-while-revalidate cache, an optional
 * AES-256-GCM fallback file for starting while Arca is unreachable (reported through
 * `onWarning`), and `subscribe()` to refresh cached values on change events. No AWS SDK needed.
 * The package's `exports` point here (`import { createArcaClient } from 'arca'`).
 */
export { RestClient, type RestClientOptions, type Fetch, authHeaders } from './rest.ts'
export { type Auth, type AuthOptions, resolveAuth, readCredentialsFile } from './credentials.ts'
export { type Credentials, signRequest } from './sign.ts'
export { awsJson, type AwsJsonService } from './aws-json.ts'
export { type ArcaClient, type ArcaClientOptions, type LoadEnvOptions, createArcaClient, DEFAULT_ENDPOINT } from './arca-client.ts'
export { TtlCache, type CacheOptions, DEFAULT_TTL_MS, DEFAULT_STALE_WHILE_REVALIDATE_MS } from './cache.ts'
export { FallbackFile, FALLBACK_KEY_ENV, fallbackKeyOf } from './fallback.ts'
export { type ArcaEvent, type Subscription, type SubscribeOptions, subscribeEvents } from './events.ts'
export { envNameOf, relativeName, secretEnv, jsonObject, isValidEnvName } from './env-names.ts'
export { type ParameterValue, type SecretValue, parameterUrl, secretUrl, readParameter, readParametersByPath, readSecret } from './reads.ts'
export { type DataKeyCacheOptions, type Decrypted, type EncryptionContext, type Envelope, type EnvelopeEncryptOptions, type EnvelopeOptions, DEFAULT_DATA_KEY_CACHE, checkContext, createEnvelope } from './envelope.ts'
export { type KmsConnection, kmsClientFor } from './envelope-kms.ts'
