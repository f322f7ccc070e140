import type { CacheEngine, Entry } from '../../cache'
import { parseJsonBytes } from '../../http/body'
import { HttpError, errorResponse } from '../../http/errors'
import { etagMatches, etagOf } from '../../http/etag'
import { JSON_TYPE, OCTET_STREAM, isJsonType } from '../../http/media-type'
import { isoOrNull, jsonResponse } from '../../http/respond'

export const keyNotFound = () => new HttpError(404, 'KEY_NOT_FOUND', 'no such key')
/** Misses are common and cheap: answered directly, without building and throwing an Error. */
const missResponse = () => errorResponse(404, 'KEY_NOT_FOUND', 'no such key')
export const preconditionFailed = () => new HttpError(412, 'PRECONDITION_FAILED', 'the condition on this write does not hold')
export const entryTooLarge = (maxBytes: number) =>
  new HttpError(413, 'ENTRY_TOO_LARGE', `the entry (key, value and overhead) is larger than the whole cache bound of ${maxBytes} bytes`)

export interface PutRequest {
  key: string
  body: Uint8Array
  contentType: string | null
  ttlMs?: number
  nx: boolean
  xx: boolean
  keepTtl: boolean
  ifMatch: string | null
  ifNoneMatch: string | null
}

/** The version a conditional write must see, from If-Match: undefined for none, -1 when nothing can match. */
function requiredVersion(engine: CacheEngine, key: string, ifMatch: string | null): number | undefined {
  if (ifMatch === null) return undefined
  const current = engine.peek(key)?.version
  return current !== undefined && etagMatches(ifMatch, current) ? current : -1
}

export function put(engine: CacheEngine, request: PutRequest): Response {
  let contentType = request.contentType || OCTET_STREAM
  if (isJsonType(contentType)) {
    parseJsonBytes(request.body)
    contentType = JSON_TYPE
  }
  if (request.ifNoneMatch !== null && etagMatches(request.ifNoneMatch, engine.peek(request.key)?.version, true)) throw preconditionFailed()
  const result = engine.set(request.key, request.body, contentType, {
    ttlMs: request.ttlMs,
    keepTtl: request.keepTtl,
    nx: request.nx,
    xx: request.xx,
    ifVersion: requiredVersion(engine, request.key, request.ifMatch),
  })
  if (result.status === 'too-large') throw entryTooLarge(engine.maxBytes)
  if (result.status === 'condition-failed') throw preconditionFailed()
  return jsonResponse(
    result.status === 'created' ? 201 : 200,
    { key: request.key, version: result.version, expiresAt: isoOrNull(result.expiresAt) },
    { etag: etagOf(result.version) },
  )
}

/** Validator headers of an entry: ETag, and freshness from its TTL. */
function entryHeaders(entry: Entry, now: number): Record<string, string> {
  const headers: Record<string, string> = { etag: etagOf(entry.version) }
  if (entry.expiresAt !== null) {
    headers['cache-control'] = `max-age=${Math.max(0, Math.floor((entry.expiresAt - now) / 1000))}`
    headers.expires = new Date(entry.expiresAt).toUTCString()
  }
  return headers
}

export function get(engine: CacheEngine, key: string, meta: boolean, ifNoneMatch: string | null): Response {
  const entry = engine.get(key)
  if (entry === undefined) return missResponse()
  const now = engine.now()
  const headers = entryHeaders(entry, now)
  if (meta) {
    return jsonResponse(
      200,
      {
        key,
        version: entry.version,
        size: entry.value.byteLength,
        contentType: entry.contentType,
        createdAt: new Date(entry.createdAt).toISOString(),
        expiresAt: isoOrNull(entry.expiresAt),
        ttlMs: entry.expiresAt === null ? null : Math.max(0, entry.expiresAt - now),
      },
      headers,
    )
  }
  if (ifNoneMatch !== null && etagMatches(ifNoneMatch, entry.version, true)) return new Response(null, { status: 304, headers })
  headers['content-type'] = entry.contentType
  return new Response(entry.value, { status: 200, headers })
}

export function remove(engine: CacheEngine, key: string, ifMatch: string | null): Response {
  const result = engine.delete(key, { ifVersion: requiredVersion(engine, key, ifMatch) })
  if (result === 'absent') return missResponse()
  if (result === 'condition-failed') throw preconditionFailed()
  return new Response(null, { status: 204 })
}

export function incr(engine: CacheEngine, key: string, by: number, ttlMs: number | undefined): Response {
  const result = engine.incr(key, by, ttlMs)
  switch (result.status) {
    case 'not-integer':
      throw new HttpError(409, 'NOT_AN_INTEGER', 'the stored value is not a JSON integer')
    case 'out-of-range':
      throw new HttpError(409, 'OUT_OF_RANGE', 'the result would leave the safe-integer range (±2^53-1)')
    case 'too-large':
      throw entryTooLarge(engine.maxBytes)
  }
  return jsonResponse(result.status === 'created' ? 201 : 200, { key, value: result.value, version: result.version }, { etag: etagOf(result.version) })
}

export function touch(engine: CacheEngine, key: string, ttlMs: number | null): Response {
  const entry = engine.touch(key, ttlMs)
  if (entry === undefined) throw keyNotFound()
  return jsonResponse(200, { key, version: entry.version, expiresAt: isoOrNull(entry.expiresAt) }, { etag: etagOf(entry.version) })
}
