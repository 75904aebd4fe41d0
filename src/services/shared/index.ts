export { type OutboundEvent, type EventSink, type Authorize, type ExpiryItemRef, type SecretExpiryHooks, noEvents } from './deps.ts'
export { serviceAuthorizer } from './authorize.ts'
