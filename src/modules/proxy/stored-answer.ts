import { cacheStatusAfter, formatCacheStatus, type CacheStatus } from '../../http/cache-status'
import { errorResponse } from '../../http/errors'
import { NULL_BODY_STATUSES } from './headers'
import { parseHttpDate } from './http-date'
import { requestedRange, type ByteRange } from './ranges'
import type { LoadedResponse } from './stored-response'

/**
 * Answers from a stored response: its fields, a current Age, our Cache-Status after the upstream's,
 * a 304 when the client's validator matches, and a range of it when a GET asks for one. This is the
 * whole work of a proxy hit.
 */
export function answerFromStore(request: Request, stored: LoadedResponse, ageMs: number, status: CacheStatus): Response {
  const method = request.method
  const headers = request.headers
  // A POST's answer stored for later GETs is sent to the POST whole, whatever conditionals it carried.
  // Most reads carry neither conditionals nor a range: three quick looks, and nothing more to do.
  const asks =
    stored.status === 200 &&
    (method === 'GET' || method === 'HEAD') &&
    (headers.has('if-none-match') || headers.has('if-modified-since') || headers.has('range'))
  const notModified = asks && notModifiedFor(headers, stored.headerView, stored.responseTime)
  // Conditionals first, then Range (RFC 9110 section 13.2.2); only a GET's Range counts (section 14.2).
  if (asks && !notModified && method === 'GET') {
    const range = requestedRange(headers, stored.headerView, stored.body.byteLength)
    if (range !== undefined) return partialAnswer(stored, range, ageMs, status)
  }
  const bodiless = notModified || NULL_BODY_STATUSES.has(stored.status)
  // HEAD gets no body, but the Content-Length a GET would get (Bun's server sends it as set).
  const head = method === 'HEAD' && !bodiless
  const body = bodiless || head ? null : stored.body
  // The stored fields go in as one Headers (the quickest copy); the per-answer fields are set after.
  const response = new Response(body, { status: notModified ? 304 : stored.status, headers: stored.sendHeaders })
  response.headers.set('age', String(Math.floor(ageMs / 1000)))
  response.headers.set('cache-status', cacheStatusAfter(stored.upstreamCacheStatus, status))
  if (head) response.headers.set('content-length', String(stored.body.byteLength))
  return response
}

/** A 206 with the range's bytes of a stored 200 and its Content-Range, or a 416 naming the length. */
function partialAnswer(stored: LoadedResponse, range: ByteRange | 'unsatisfiable', ageMs: number, status: CacheStatus): Response {
  const length = stored.body.byteLength
  const cacheStatus = cacheStatusAfter(stored.upstreamCacheStatus, status)
  if (range === 'unsatisfiable') {
    return errorResponse(416, 'RANGE_NOT_SATISFIABLE', `no range asked for is within the ${length} bytes of the response`, {
      'content-range': `bytes */${length}`,
      'cache-status': cacheStatus,
    })
  }
  const response = new Response(stored.body.subarray(range.first, range.last + 1), { status: 206, headers: stored.sendHeaders })
  response.headers.set('content-range', `bytes ${range.first}-${range.last}/${length}`)
  response.headers.set('age', String(Math.floor(ageMs / 1000)))
  response.headers.set('cache-status', cacheStatus)
  return response
}

/** Cache-Status's detail for a response whose freshness is the heuristic's. */
export const heuristicDetail = (response: { heuristic?: boolean }) => (response.heuristic ? 'heuristic-freshness' : undefined)

/**
 * RFC 9110 section 13.1: If-None-Match (weak comparison) wins; If-Modified-Since only without it,
 * against the stored Last-Modified, or without one its Date, or when it was received (RFC 9111 section 4.3.2).
 */
export function notModifiedFor(request: Headers, stored: Headers, receivedAt: number): boolean {
  const ifNoneMatch = request.get('if-none-match')
  if (ifNoneMatch !== null) {
    const etag = stored.get('etag')
    if (etag === null) return false
    if (ifNoneMatch.trim() === '*') return true
    const opaque = (tag: string) => tag.trim().replace(/^W\//, '')
    return ifNoneMatch.split(',').some((tag) => opaque(tag) === opaque(etag))
  }
  const ifModifiedSince = parseHttpDate(request.get('if-modified-since'))
  if (ifModifiedSince === undefined) return false
  const modified = parseHttpDate(stored.get('last-modified')) ?? parseHttpDate(stored.get('date')) ?? receivedAt
  return modified <= ifModifiedSince
}

/** RFC 9111 section 5.2.1.7: `only-if-cached` and nothing usable stored is a 504, not a trip upstream. */
export const notCached = () =>
  errorResponse(504, 'NOT_CACHED', 'only-if-cached, and no stored response can answer this request', {
    'cache-status': formatCacheStatus({ detail: 'only-if-cached' }),
  })
