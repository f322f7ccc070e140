import type { Static } from '@sinclair/typebox'
import { readBody } from '../../http/body'
import { badRequest } from '../../http/errors'
import { flagSet } from '../../http/schemas'
import { parseDurationParam, parseTtlMs } from '../../http/ttl'
import type { PutQuery } from './model'
import type { PutRequest } from './service'

/** A PUT with no query string (the fast path's). */
export const NO_PUT_QUERY: Static<typeof PutQuery> = Object.freeze({})

/**
 * What `PUT /v1/kv/{key}` asks for, from its query, headers and body: one reading for the route and
 * the fast path. Throws HttpError for a request that cannot be served (400, 413).
 */
export async function putRequest(
  request: Request,
  key: string,
  query: Static<typeof PutQuery>,
  maxValueBytes: number,
): Promise<PutRequest> {
  const ifNoneMatch = request.headers.get('if-none-match')
  // If-None-Match: * is the header form of ?nx.
  const nx = flagSet(query.nx) || ifNoneMatch?.trim() === '*'
  const xx = flagSet(query.xx)
  if (nx && xx) throw badRequest('CONFLICTING_CONDITIONS', 'nx and xx cannot be combined')
  const ttlMs = query.ttl === undefined ? undefined : parseTtlMs(query.ttl)
  if (query.stale !== undefined && ttlMs === undefined)
    throw badRequest('INVALID_DURATION', 'stale needs a ttl: the value turns stale when the ttl runs out')
  const staleMs = query.stale === undefined ? undefined : parseDurationParam('stale', query.stale)
  const body = await readBody(request, maxValueBytes)
  return {
    key,
    body,
    contentType: request.headers.get('content-type'),
    ttlMs,
    staleMs,
    lease: query.lease,
    nx,
    xx,
    keepTtl: flagSet(query.keepttl),
    ifMatch: request.headers.get('if-match'),
    ifNoneMatch,
  }
}
