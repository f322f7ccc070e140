import { cacheStatusAfter, formatCacheStatus, type CacheStatus } from '../../http/cache-status'
import { errorResponse } from '../../http/errors'
import { NULL_BODY_STATUSES } from './headers'
import type { LoadedResponse } from './stored-response'

/**
 * Answers from a stored response: its fields, a current Age, our Cache-Status after the upstream's,
 * and a 304 when the client's validator matches. This is the whole work of a proxy hit.
 */
export function answerFromStore(request: Request, stored: LoadedResponse, ageMs: number, status: CacheStatus): Response {
  const notModified = stored.status === 200 && notModifiedFor(request.headers, stored.headerView)
  // HEAD gets the body too: Elysia answers HEAD through the GET route, sizing Content-Length from it and sending none.
  const body = notModified || NULL_BODY_STATUSES.has(stored.status) ? null : stored.body
  // The stored fields go in as one Headers (the quickest copy); the two per-answer fields are set after.
  const response = new Response(body, { status: notModified ? 304 : stored.status, headers: stored.sendHeaders })
  response.headers.set('age', String(Math.floor(ageMs / 1000)))
  response.headers.set('cache-status', cacheStatusAfter(stored.upstreamCacheStatus, status))
  return response
}

/** RFC 9110 section 13.1: If-None-Match (weak comparison) wins; If-Modified-Since only without it. */
export function notModifiedFor(request: Headers, stored: Headers): boolean {
  const ifNoneMatch = request.get('if-none-match')
  if (ifNoneMatch !== null) {
    const etag = stored.get('etag')
    if (etag === null) return false
    if (ifNoneMatch.trim() === '*') return true
    const opaque = (tag: string) => tag.trim().replace(/^W\//, '')
    return ifNoneMatch.split(',').some((tag) => opaque(tag) === opaque(etag))
  }
  const ifModifiedSince = Date.parse(request.get('if-modified-since') ?? '')
  const lastModified = Date.parse(stored.get('last-modified') ?? '')
  return !Number.isNaN(ifModifiedSince) && !Number.isNaN(lastModified) && lastModified <= ifModifiedSince
}

/** RFC 9111 section 5.2.1.7: `only-if-cached` and nothing usable stored is a 504, not a trip upstream. */
export const notCached = () =>
  errorResponse(504, 'NOT_CACHED', 'only-if-cached, and no stored response can answer this request', {
    'cache-status': formatCacheStatus({ detail: 'only-if-cached' }),
  })
