export { type OutboundEvent, type EventSink, type Authorize, noEvents } from './deps.ts'
export { serviceAuthorizer } from './authorize.ts'
