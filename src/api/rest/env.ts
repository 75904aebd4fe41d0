/** What the authentication middleware leaves on each request's context. */
export interface AuthenticatedPrincipal {
  /** Stable row id of the principal. */
  id: string
  account: string
  kind: 'user' | 'role'
  name: string
  arn: string
  /** The account's administrator: may do everything in its account (and, for the default account's, manage all accounts). */
  admin: boolean
  tags: Record<string, string>
  /** Set when the request was signed with an access key. */
  accessKeyId?: string
}

export interface RequestInfo {
  requestId: string
  sourceIp?: string
  userAgent?: string
  /** SigV4 scope region, or the server's default region for bearer tokens. */
  region: string
}

/** Hono environment of every authenticated route. */
export interface AppEnv {
  Variables: {
    principal: AuthenticatedPrincipal
    request: RequestInfo
  }
}
