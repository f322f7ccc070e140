import type { components, operations } from './api.js'

// Each type is the server's own: api.ts is generated from the OpenAPI document, which the server
// builds from the TypeBox schemas its routes declare (a test checks api.ts is up to date).
type Schemas = components['schemas']

export type WriteReply = Schemas['WriteReply']
export type MetaReply = Schemas['MetaReply']
export type IncrReply = Schemas['IncrReply']
export type BatchOperation = Schemas['BatchOperation']
export type BatchReply = Schemas['BatchReply']
export type BatchResult = Schemas['BatchResult']
export type KeyPage = Schemas['KeyPage']
export type Stats = Schemas['Stats']
export type Snapshot = Schemas['Snapshot']
export type Health = Schemas['Health']
export type Readiness = Schemas['Ready'] | Schemas['Starting']
export type PurgeRequest = Schemas['PurgeRequest']
export type ErrorReply = Schemas['ErrorReply']
export type ErrorCode = ErrorReply['error']['code']
/** A duration as the server reads it: whole seconds, or a number with a unit ('250ms', '30s', '5m', '2h', '1d'). */
export type Duration = NonNullable<Schemas['IncrRequest']['ttl']>
/** The query parameters of each route, by operationId. */
export type QueryOf<Id extends keyof operations> = NonNullable<operations[Id]['parameters']['query']>
