/** Clients of a running Arca: REST with bearer tokens or SigV4, credentials found like the AWS tools do. */
export { RestClient, type RestClientOptions } from './rest.ts'
export { type Auth, type AuthOptions, resolveAuth, readCredentialsFile } from './credentials.ts'
export { type Credentials, signRequest } from './sign.ts'
