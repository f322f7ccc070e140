import type { TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { failures, replyNote } from '../../src/http/openapi/declare'
import { type DeclaredRoute, declaredReplies } from '../../src/http/openapi/responses'
import { type Route, RouteTable } from '../../src/http/route-table'

/** What a path no route serves answers (besides the front's errors). */
const UNMATCHED = failures({ 404: ['ROUTE_NOT_FOUND'] })

export interface CheckedReply {
  status: number
  headers: Headers
  /** The body as text ('' for none). */
  text: string
}

const mediaOf = (headers: Headers) => (headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase()

/** Why a body does not fit one declared reply, or undefined when it does. */
function mismatch(reply: TSchema, reply_: CheckedReply, head: boolean): string | undefined {
  const note = replyNote(reply)
  for (const [name, when] of Object.entries(note.headers)) {
    if (when === 'always' && !reply_.headers.has(name)) return `no ${name} header (declared always)`
  }
  if (head) return undefined
  if (note.media === null) return reply_.text === '' ? undefined : `a body (${reply_.text.length} characters) where none is declared`
  if (note.media === '*/*') return undefined
  const media = mediaOf(reply_.headers)
  if (media !== note.media) return `Content-Type ${media || '(none)'} where ${note.media} is declared`
  if (note.media !== 'application/json') return undefined
  let value: unknown
  try {
    value = JSON.parse(reply_.text)
  } catch {
    return `a body that is not JSON: ${reply_.text.slice(0, 200)}`
  }
  if (Value.Check(reply, value)) return undefined
  const error = Value.Errors(reply, value).First()
  return `${JSON.stringify(value).slice(0, 300)} does not match its schema: ${error?.path || '/'} ${error?.message}`
}

/**
 * Checks replies against what their route declares (http/openapi/responses.ts, the source of the
 * OpenAPI document): the status must be declared, and the body and header fields must fit one of
 * that status's replies. Elysia checks none of this for a returned Response; this does, for every
 * reply a test receives. Throws, naming the request, when a reply does not fit.
 */
export function replyChecker(routes: readonly Route[]) {
  const table = new RouteTable(routes)
  return (method: string, url: string, reply: CheckedReply): void => {
    const { pathname, search } = new URL(url, 'http://localhost')
    // A CORS preflight is answered before any route, for any path.
    if (method === 'OPTIONS' && reply.headers.has('access-control-allow-methods')) return
    // Elysia serves /v1/keys/ as /v1/keys, and /v1/kv/ as /v1/kv/* with an empty key.
    const trimmed = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname
    const routed = table.route(method, pathname) === undefined ? trimmed : pathname
    const route = table.route(method, routed)
    const declared: DeclaredRoute = route ?? { method, path: routed, hooks: { response: UNMATCHED } }
    const rule = table.rule(method, routed)
    const replies = declaredReplies(declared, method, rule)
    const where = `${method} ${pathname}${search} answered ${reply.status}`
    const alternatives = replies.get(String(reply.status)) ?? replies.get('default')
    if (alternatives === undefined)
      throw new Error(`${where}, a status its route (${declared.path}) does not declare: ${reply.text.slice(0, 300)}`)
    const reasons = alternatives.map((alternative) => mismatch(alternative, reply, method === 'HEAD'))
    if (reasons.includes(undefined)) return
    throw new Error(`${where}, which fits none of the replies declared for it: ${reasons.join('; ')}`)
  }
}

/**
 * `app.handle` with every reply checked against its route's declared replies, for tests that need the
 * Response itself (its stream, its exact headers) rather than testApp's parsed reply.
 */
export function checkedHandle(app: { routes: readonly Route[]; handle(request: Request): Promise<Response> }) {
  const check = replyChecker(app.routes)
  return async (request: Request): Promise<Response> => {
    const response = await app.handle(request)
    const text = await response.clone().text()
    const { pathname, search } = new URL(request.url)
    if (!pathname.startsWith('/proxy/'))
      check(request.method, `${pathname}${search}`, { status: response.status, headers: response.headers, text })
    return response
  }
}
