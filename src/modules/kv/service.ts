import type { CacheEngine, Entry } from '../../cache'
import { parseJsonBytes } from '../../http/body'
import { HttpError, errorResponse } from '../../http/errors'
import { etagMatches, etagOf } from '../../http/etag'
import { JSON_TYPE, OCTET_STREAM, isJsonType } from '../../http/media-type'
import { isoOrNull, jsonResponse } from '../../http/respond'
import { formatCacheStatus } from '../../http/cache-status'
import { MAX_LEASES, type LeaseTable } from './leases'

export const keyNotFound = () => new HttpError(404, 'KEY_NOT_FOUND', 'no such key')
/** Misses are common and cheap: answered directly, without building and throwing an Error. */
const missResponse = () => errorResponse(404, 'KEY_NOT_FOUND', 'no such key')
export const preconditionFailed = () => new HttpError(412, 'PRECONDITION_FAILED', 'the condition on this write does not hold')
export const entryTooLarge = (maxBytes: number) =>
  new HttpError(413, 'ENTRY_TOO_LARGE', `the entry (key, value and overhead) is larger than the whole cache bound of ${maxBytes} bytes`)

export const leaseInvalid = () => new HttpError(409, 'LEASE_INVALID', 'the lease has expired, was completed, or was never granted for this key')
const tooManyLeases = () => new HttpError(503, 'TOO_MANY_LEASES', `${MAX_LEASES} leases are outstanding; try again shortly`, { 'retry-after': '1' })

export interface PutRequest {
  key: string
  body: Uint8Array
  contentType: string | null
  ttlMs?: number
  staleMs?: number
  /** A lease token the write completes. */
  lease?: string
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

export function put(engine: CacheEngine, leases: LeaseTable, request: PutRequest): Response {
  if (request.lease !== undefined && !leases.holds(request.key, request.lease)) throw leaseInvalid()
  let contentType = request.contentType || OCTET_STREAM
  if (isJsonType(contentType)) {
    parseJsonBytes(request.body)
    contentType = JSON_TYPE
  }
  if (request.ifNoneMatch !== null && etagMatches(request.ifNoneMatch, engine.peek(request.key)?.version, true)) throw preconditionFailed()
  const result = engine.set(request.key, request.body, contentType, {
    ttlMs: request.ttlMs,
    staleMs: request.staleMs,
    keepTtl: request.keepTtl,
    nx: request.nx,
    xx: request.xx,
    ifVersion: requiredVersion(engine, request.key, request.ifMatch),
  })
  if (result.status === 'too-large') throw entryTooLarge(engine.maxBytes)
  if (result.status === 'condition-failed') throw preconditionFailed()
  // The value is there now: whoever waits on the key's lease can read it.
  leases.written(request.key)
  const reply: Record<string, unknown> = { key: request.key, version: result.version, expiresAt: isoOrNull(result.expiresAt) }
  if (result.staleAt !== null) reply.staleAt = isoOrNull(result.staleAt)
  return jsonResponse(result.status === 'created' ? 201 : 200, reply, { etag: etagOf(result.version) })
}

/**
 * Validator headers of an entry: ETag, and freshness from its TTL (up to its soft expiry when it has
 * one). Past the soft expiry, Cache-Status says the value is stale by how much.
 */
function entryHeaders(entry: Entry, now: number): Record<string, string> {
  const headers: Record<string, string> = { etag: etagOf(entry.version) }
  const freshUntil = entry.staleAt ?? entry.expiresAt
  if (freshUntil !== null) {
    headers['cache-control'] = `max-age=${Math.max(0, Math.floor((freshUntil - now) / 1000))}`
    headers.expires = new Date(freshUntil).toUTCString()
  }
  if (entry.staleAt !== null && entry.staleAt <= now) headers['cache-status'] = formatCacheStatus({ hit: true, ttlMs: Math.min(-1, entry.staleAt - now) })
  return headers
}

const isStale = (entry: Entry, now: number) => entry.staleAt !== null && entry.staleAt <= now

export function get(engine: CacheEngine, key: string, meta: boolean, ifNoneMatch: string | null): Response {
  const entry = engine.get(key)
  if (entry === undefined) return missResponse()
  return entryResponse(engine, entry, meta, ifNoneMatch)
}

export interface LeaseRequest {
  leaseMs: number
  /** How long to wait for another caller's lease; never longer than leaseMs. */
  waitMs: number
  meta: boolean
  ifNoneMatch: string | null
}

/**
 * GET with `?lease=`: a miss hands the first caller a lease (404 with a Lease header) and makes the
 * others wait until it writes the key, gives up (then one of them gets the next lease), or their wait
 * runs out (404 without a lease). A stale value (soft expiry) is served, with a lease to one caller.
 */
export async function getWithLease(engine: CacheEngine, leases: LeaseTable, key: string, request: LeaseRequest): Promise<Response> {
  const deadline = performance.now() + Math.min(request.waitMs, request.leaseMs)
  for (;;) {
    const entry = engine.get(key)
    if (entry !== undefined) {
      const response = entryResponse(engine, entry, request.meta, request.ifNoneMatch)
      if (isStale(entry, engine.now())) {
        const token = leases.acquire(key, request.leaseMs)
        if (typeof token === 'string') response.headers.set('lease', token)
      }
      return response
    }
    const token = leases.acquire(key, request.leaseMs)
    if (token === 'full') throw tooManyLeases()
    if (token !== undefined) return errorResponse(404, 'KEY_NOT_FOUND', 'no such key; you hold the lease to fill it', { lease: token })
    const remaining = deadline - performance.now()
    if (remaining <= 0 || (await leases.wait(key, remaining)) === 'timeout') return missResponse()
  }
}

function entryResponse(engine: CacheEngine, entry: Entry, meta: boolean, ifNoneMatch: string | null): Response {
  const key = entry.key
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
