import type { TSchema } from '@sinclair/typebox'
import type { AccessRule } from '../../access/rules'
import { type ErrorCode, failure, noBody, replyNote } from './declare'

/** A route as Elysia lists it (`app.routes`). */
export interface DeclaredRoute {
  method: string
  path: string
  hooks?: { detail?: unknown; response?: unknown; body?: unknown; query?: unknown }
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * The errors any request may get before its route runs (front.ts): a bad Host, the token checks,
 * header limits, the in-flight bound, a data directory still loading, a write not yet on disk
 * (--fsync always), and a bug.
 */
function frontFailures(method: string, path: string, rule: AccessRule): Partial<Record<number, ErrorCode[]>> {
  const unavailable: ErrorCode[] = ['OVERLOADED']
  if (!path.startsWith('/health')) unavailable.push('STARTING')
  if (!READS.has(method)) unavailable.push('PERSISTENCE_FAILED')
  const guarded = rule.scope !== 'public' || rule.raisedBy !== undefined
  return {
    400: ['INVALID_HOST'],
    ...(guarded ? { 401: ['UNAUTHORIZED' as const], 403: ['FORBIDDEN' as const] } : {}),
    431: ['HEADERS_TOO_LARGE'],
    500: ['INTERNAL'],
    503: unavailable,
  }
}

/**
 * Bun refuses some requests itself, before any of our code runs, with an empty body: one whose
 * Content-Length is over --max-body-size (413), and one over its own header limits (431).
 */
const runtimeRefusal = noBody(
  "refused by the runtime before the server saw the request (a body over --max-body-size, or headers over the runtime's own limits): no body",
)
const RUNTIME_REFUSALS = ['413', '431']

/** The statuses a route declared, as a status -> reply map ('default' for any other status). */
function routeReplies(route: DeclaredRoute): Map<string, TSchema> {
  const response = route.hooks?.response as Record<string, TSchema> | TSchema | undefined
  if (response === undefined) return new Map()
  if ('type' in response || Object.getOwnPropertySymbols(response).length > 0) return new Map([['200', response as TSchema]])
  return new Map(Object.entries(response as Record<string, TSchema>))
}

/** One status's replies, each with one media type (an `eitherOf` split into its parts). */
const alternativesOf = (schema: TSchema): TSchema[] => [...(replyNote(schema).alternatives ?? [schema])]

/**
 * Every reply a request to this route (this method; HEAD: its GET route) can get, by status: what
 * the route declared and what the front adds. Errors of one status merge into one reply with all
 * their codes. The OpenAPI document and the tests' reply checks both read this.
 */
export function declaredReplies(route: DeclaredRoute, method: string, rule: AccessRule): Map<string, TSchema[]> {
  const replies = new Map<string, TSchema[]>()
  const codes = new Map<string, ErrorCode[]>()
  for (const [status, schema] of routeReplies(route)) {
    for (const alternative of alternativesOf(schema)) {
      const errorCodes = replyNote(alternative).codes
      if (errorCodes !== undefined) codes.set(status, [...(codes.get(status) ?? []), ...errorCodes])
      else replies.set(status, [...(replies.get(status) ?? []), alternative])
    }
  }
  for (const [status, errorCodes] of Object.entries(frontFailures(method, route.path, rule)))
    codes.set(status, [...(codes.get(status) ?? []), ...(errorCodes ?? [])])
  for (const [status, errorCodes] of codes) replies.set(status, [failure(errorCodes), ...(replies.get(status) ?? [])])
  for (const status of RUNTIME_REFUSALS) replies.set(status, [...(replies.get(status) ?? []), runtimeRefusal])
  // A route that passes on another server's answers (the proxy) may answer any status that way too.
  const other = replies.get('default')
  if (other !== undefined)
    for (const [status, alternatives] of replies) if (status !== 'default') replies.set(status, [...alternatives, ...other])
  return new Map([...replies].sort(([a], [b]) => a.localeCompare(b)))
}
