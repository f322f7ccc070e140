import { type TSchema, Type } from '@sinclair/typebox'

/**
 * What a route declares for the OpenAPI document beside its handler: each status it answers, with
 * the body's media type and schema and the header fields that come with it. A reply is a TypeBox
 * schema with a note attached under a symbol, so Elysia and JSON see a plain schema; the document
 * (document.ts) and the tests' reply checks read the same declarations.
 */

/** Every error code the server answers with, always in the one shape `{"error":{"code","message"}}`. */
export const ERROR_CODES = [
  'INVALID_REQUEST',
  'INVALID_KEY',
  'INVALID_TTL',
  'INVALID_JSON',
  'INVALID_BODY',
  'INVALID_CURSOR',
  'CONFLICTING_CONDITIONS',
  'INVALID_DURATION',
  'INVALID_HOST',
  'INVALID_PROXY_PATH',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'KEY_NOT_FOUND',
  'ROUTE_NOT_FOUND',
  'UPSTREAM_NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'NOT_AN_INTEGER',
  'OUT_OF_RANGE',
  'LEASE_INVALID',
  'PERSISTENCE_OFF',
  'PRECONDITION_FAILED',
  'PAYLOAD_TOO_LARGE',
  'ENTRY_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RANGE_NOT_SATISFIABLE',
  'TOO_MANY_LEASES',
  'HEADERS_TOO_LARGE',
  'INTERNAL',
  'UPSTREAM_UNAVAILABLE',
  'REDIS_UNAVAILABLE',
  'PERSISTENCE_FAILED',
  'STARTING',
  'SNAPSHOT_FAILED',
  'OVERLOADED',
  'UPSTREAM_TIMEOUT',
  'NOT_CACHED',
  'INSUFFICIENT_STORAGE',
] as const
export type ErrorCode = (typeof ERROR_CODES)[number]

/** Response header fields the document describes. */
export const RESPONSE_HEADERS = {
  etag: 'the version as a strong validator, "<version>": what If-Match and If-None-Match compare',
  'cache-control': 'max-age: seconds until the value expires (or turns stale, with soft expiry)',
  expires: 'when the value expires (or turns stale), as an HTTP date',
  'cache-status': 'what the cache did (RFC 9211), e.g. `fastcache; hit; ttl=-3` for a stale value',
  lease: 'a lease token: this caller should compute the value and PUT it with ?lease=<token>',
  age: 'seconds since the upstream produced the response (RFC 9111)',
  'retry-after': 'seconds to wait before trying again',
  'www-authenticate': 'the bearer challenge (RFC 6750), with error="insufficient_scope" and the scope needed on 403',
  allow: 'the methods this path accepts',
} as const
export type ResponseHeader = keyof typeof RESPONSE_HEADERS

/** Which header fields come with a reply: always, or only sometimes. */
export type HeaderSpec = Partial<Record<ResponseHeader, 'always' | 'sometimes'>>

/** Header fields that come with every reply of an error code. */
const CODE_HEADERS: Partial<Record<ErrorCode, ResponseHeader>> = {
  UNAUTHORIZED: 'www-authenticate',
  FORBIDDEN: 'www-authenticate',
  METHOD_NOT_ALLOWED: 'allow',
  TOO_MANY_LEASES: 'retry-after',
  REDIS_UNAVAILABLE: 'retry-after',
  STARTING: 'retry-after',
  OVERLOADED: 'retry-after',
}

export interface ReplyNote {
  description: string
  /** The body's media type (`*` for any); null: no body at all. */
  media: string | null
  headers: HeaderSpec
  /** For an error reply: the codes it may carry. */
  codes?: readonly ErrorCode[]
  /** For a status with several kinds of reply (a JSON error or the upstream's own answer): each of them. */
  alternatives?: readonly TSchema[]
}

const NOTE = Symbol.for('fastcache.openapi.reply')
const NAME = Symbol.for('fastcache.openapi.name')

/** The note a reply was declared with; a bare schema is a JSON reply. */
export const replyNote = (schema: TSchema): ReplyNote =>
  (schema as { [NOTE]?: ReplyNote })[NOTE] ?? { description: schema.description ?? 'a JSON body', media: 'application/json', headers: {} }

/** Names a schema: the document lists it once under components.schemas and refers to it by that name. */
export function named<T extends TSchema>(name: string, schema: T): T {
  ;(schema as { [NAME]?: string })[NAME] = name
  return schema
}

export const schemaName = (schema: TSchema): string | undefined => (schema as { [NAME]?: string })[NAME]

const noted = <T extends TSchema>(schema: T, note: ReplyNote): T => ({ ...schema, [NOTE]: note })

/** A JSON reply (a copy of the schema, so one schema can be declared for several statuses). */
export const reply = <T extends TSchema>(schema: T, description: string, headers: HeaderSpec = {}) =>
  noted(schema, { description, media: 'application/json', headers })

/** A reply without a body (204, 304). */
export const noBody = (description: string, headers: HeaderSpec = {}) => noted(Type.Null(), { description, media: null, headers })

/** A reply of any media type, such as a stored value or an upstream's answer. */
export const anyBody = (description: string, headers: HeaderSpec = {}) => noted(Type.Unknown(), { description, media: '*/*', headers })

/** A text reply of one media type. */
export const textBody = (media: string, description: string) => noted(Type.String(), { description, media, headers: {} })

/** One status that answers in more than one way: the body is any one of them, by its media type. */
export const eitherOf = (...alternatives: TSchema[]) =>
  noted(Type.Unknown(), {
    description: alternatives.map((alternative) => replyNote(alternative).description).join('; or '),
    media: '*/*',
    headers: {},
    alternatives,
  })

/** The error shape, whatever the code. */
export const ErrorReply = named(
  'ErrorReply',
  Type.Object(
    {
      error: Type.Object({
        code: Type.Union(
          ERROR_CODES.map((code) => Type.Literal(code)),
          { description: 'stable and machine-readable' },
        ),
        message: Type.String({ description: 'for people; may change' }),
      }),
    },
    { description: 'every error: a stable code and a message' },
  ),
)

/** An error reply that carries one of these codes. */
export function failure(codes: readonly ErrorCode[]): TSchema {
  const unique = [...new Set(codes)].sort()
  const headers: HeaderSpec = {}
  for (const code of unique) {
    const header = CODE_HEADERS[code]
    // Always there only when every code of the status brings it.
    if (header !== undefined) headers[header] = unique.every((other) => CODE_HEADERS[other] === header) ? 'always' : 'sometimes'
  }
  const only = Type.Object({
    error: Type.Object({ code: Type.Union(unique.map((code) => Type.Literal(code))) }),
  })
  return noted(Type.Intersect([ErrorReply, only]), { description: unique.join(', '), media: 'application/json', headers, codes: unique })
}

/** Error replies by status: `failures({ 404: ['KEY_NOT_FOUND'] })`. */
export const failures = (byStatus: Record<number, readonly ErrorCode[]>): Record<number, TSchema> =>
  Object.fromEntries(Object.entries(byStatus).map(([status, codes]) => [status, failure(codes)]))

/** A string parameter found `where`, required or not. */
const stringParameter =
  <Where extends 'path' | 'header'>(where: Where, required: boolean) =>
  (name: string, description: string) => ({ name, in: where, required, description, schema: { type: 'string' as const } })

/** A path parameter (the route's `*` stands for its path parameters, in order). */
export const pathParameter = stringParameter('path', true)

/** A request header parameter. */
export const headerParameter = stringParameter('header', false)

/** The methods a route that answers every method documents (the others it answers are left out). */
export const documentedMethods = (...methods: string[]) => ({ 'x-fastcache-methods': methods })
export const methodsOf = (detail: unknown): string[] | undefined =>
  (detail as { 'x-fastcache-methods'?: string[] })?.['x-fastcache-methods']
