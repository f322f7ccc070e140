import { parseJsonBytes } from '../../http/body'
import { HttpError, errorResponse } from '../../http/errors'
import { etagMatches, etagOf } from '../../http/etag'
import { JSON_TYPE, OCTET_STREAM, isJsonType } from '../../http/media-type'
import { isoOrNull, jsonResponse } from '../../http/respond'
import { formatCacheStatus } from '../../http/cache-status'
import { unavailableForWrites } from '../../http/store-unavailable'
import { MAX_LEASES_PER_CLIENT, StoreUnavailable, then, type MaybePromise } from '../../store'
import type { Acquired, Entry, IncrResult, KeyValues, Leases, SetResult } from '../../store'

export const keyNotFound = () => new HttpError(404, 'KEY_NOT_FOUND', 'no such key')
/** Misses are common and cheap: answered directly, without building and throwing an Error. */
const missResponse = () => errorResponse(404, 'KEY_NOT_FOUND', 'no such key')
export const preconditionFailed = () => new HttpError(412, 'PRECONDITION_FAILED', 'the condition on this write does not hold')
export const entryTooLarge = (maxBytes: number) =>
  new HttpError(413, 'ENTRY_TOO_LARGE', `the entry (key, value and overhead) is larger than the whole cache bound of ${maxBytes} bytes`)

export const leaseInvalid = () =>
  new HttpError(409, 'LEASE_INVALID', 'the lease has expired, was completed, or was never granted for this key')
const tooManyLeases = () =>
  new HttpError(429, 'TOO_MANY_LEASES', `this client holds ${MAX_LEASES_PER_CLIENT} leases already; complete some first`, {
    'retry-after': '1',
  })
/** With the lease table full, a miss still lets the caller compute and write the value, just without a lease. */
const missWithoutLease = () => errorResponse(404, 'KEY_NOT_FOUND', 'no such key; no lease is free now, so write the value without one')

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

/**
 * The version a conditional write must see, from If-Match: undefined for none, -1 when nothing can
 * match. The store checks it in the same step as the write (a compare-and-set), so a change in between fails it.
 */
const requiredVersion = (current: Entry | undefined, ifMatch: string | null): number | undefined =>
  ifMatch === null ? undefined : current !== undefined && etagMatches(ifMatch, current.version) ? current.version : -1

/** Reads the current entry only when a condition needs it. */
const currentFor = (store: KeyValues, key: string, needed: boolean): MaybePromise<Entry | undefined> =>
  needed ? store.peek(key) : undefined

export function put(store: KeyValues, leases: Leases, request: PutRequest): MaybePromise<Response> {
  if (request.lease === undefined) return write(store, leases, request)
  const lease = request.lease
  const done = then(leases.holds(request.key, lease), (held) => {
    if (!held) throw leaseInvalid()
    return then(write(store, leases, request), (response) => then(leases.completed(request.key, lease), () => response))
  })
  // Shared leases live in Redis: their failures are the store's (503), like the write's.
  return then(done, (response) => response, unavailableForWrites)
}

function write(store: KeyValues, leases: Leases, request: PutRequest): MaybePromise<Response> {
  let contentType = request.contentType || OCTET_STREAM
  if (isJsonType(contentType)) {
    parseJsonBytes(request.body)
    contentType = JSON_TYPE
  }
  const conditional = request.ifNoneMatch !== null || request.ifMatch !== null
  const written = then(currentFor(store, request.key, conditional), (current) => {
    if (request.ifNoneMatch !== null && etagMatches(request.ifNoneMatch, current?.version, true)) throw preconditionFailed()
    return store.set(request.key, request.body, contentType, {
      ttlMs: request.ttlMs,
      staleMs: request.staleMs,
      keepTtl: request.keepTtl,
      nx: request.nx,
      xx: request.xx,
      ifVersion: requiredVersion(current, request.ifMatch),
    })
  })
  const respond = (result: SetResult) => {
    if (result.status === 'too-large') throw entryTooLarge(store.maxBytes)
    if (result.status === 'condition-failed') throw preconditionFailed()
    // The value is there now: whoever waits on the key's lease can read it.
    leases.written(request.key)
    const reply: Record<string, unknown> = { key: request.key, version: result.version, expiresAt: isoOrNull(result.expiresAt) }
    if (result.staleAt !== null) reply.staleAt = isoOrNull(result.staleAt)
    return jsonResponse(result.status === 'created' ? 201 : 200, reply, { etag: etagOf(result.version) })
  }
  return then(written, respond, unavailableForWrites)
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
  if (entry.staleAt !== null && entry.staleAt <= now)
    headers['cache-status'] = formatCacheStatus({ hit: true, ttlMs: Math.min(-1, entry.staleAt - now) })
  return headers
}

const isStale = (entry: Entry, now: number) => entry.staleAt !== null && entry.staleAt <= now

export function get(store: KeyValues, key: string, meta: boolean, ifNoneMatch: string | null): MaybePromise<Response> {
  const respond = (entry: Entry | undefined) => (entry === undefined ? missResponse() : entryResponse(store, entry, meta, ifNoneMatch))
  return then(store.get(key), respond, unavailableMiss)
}

/** A read the store could not answer (and no near copy could): a miss that says why. */
function unavailableMiss(error: unknown): Response {
  if (!(error instanceof StoreUnavailable)) throw error
  return errorResponse(404, 'KEY_NOT_FOUND', 'no such key here; the shared tier (Redis) is unavailable', {
    'cache-status': formatCacheStatus({ fwd: 'miss', detail: 'redis-unavailable' }),
  })
}

export interface LeaseRequest {
  /** Who asks (a token, or an address): one client's leases are bounded. */
  client: string
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
export async function getWithLease(store: KeyValues, leases: Leases, key: string, request: LeaseRequest): Promise<Response> {
  const deadline = performance.now() + Math.min(request.waitMs, request.leaseMs)
  for (;;) {
    let entry: Entry | undefined
    try {
      entry = await store.get(key)
    } catch (error) {
      return unavailableMiss(error)
    }
    if (entry !== undefined) {
      const response = entryResponse(store, entry, request.meta, request.ifNoneMatch)
      if (isStale(entry, store.now())) {
        // The stale value is served either way; a lease that cannot be taken now is simply not offered.
        const token = await Promise.resolve(leases.acquire(key, request.leaseMs, request.client)).catch(() => undefined)
        if (typeof token === 'string') response.headers.set('lease', token)
      }
      return response
    }
    let token: Acquired
    try {
      token = await leases.acquire(key, request.leaseMs, request.client)
    } catch (error) {
      return unavailableMiss(error)
    }
    if (token === 'client-full') throw tooManyLeases()
    if (token === 'full') return missWithoutLease()
    if (token !== undefined) return errorResponse(404, 'KEY_NOT_FOUND', 'no such key; you hold the lease to fill it', { lease: token })
    const remaining = deadline - performance.now()
    if (remaining <= 0) return missResponse()
    let outcome: Awaited<ReturnType<Leases['wait']>>
    try {
      outcome = await leases.wait(key, remaining)
    } catch (error) {
      return unavailableMiss(error)
    }
    if (outcome === 'timeout') return missResponse()
  }
}

function entryResponse(store: KeyValues, entry: Entry, meta: boolean, ifNoneMatch: string | null): Response {
  const key = entry.key
  const now = store.now()
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

export function remove(store: KeyValues, key: string, ifMatch: string | null): MaybePromise<Response> {
  const removed = then(currentFor(store, key, ifMatch !== null), (current) =>
    store.delete(key, { ifVersion: requiredVersion(current, ifMatch) }),
  )
  const respond = (result: Awaited<typeof removed>) => {
    if (result === 'absent') return missResponse()
    if (result === 'condition-failed') throw preconditionFailed()
    return new Response(null, { status: 204 })
  }
  return then(removed, respond, unavailableForWrites)
}

export function incr(store: KeyValues, key: string, by: number, ttlMs: number | undefined): MaybePromise<Response> {
  return then(store.incr(key, by, ttlMs), (result) => incrReply(store, key, result), unavailableForWrites)
}

function incrReply(store: KeyValues, key: string, result: IncrResult): Response {
  switch (result.status) {
    case 'not-integer':
      throw new HttpError(409, 'NOT_AN_INTEGER', 'the stored value is not a JSON integer')
    case 'out-of-range':
      throw new HttpError(409, 'OUT_OF_RANGE', 'the result would leave the safe-integer range (±2^53-1)')
    case 'too-large':
      throw entryTooLarge(store.maxBytes)
  }
  return jsonResponse(
    result.status === 'created' ? 201 : 200,
    { key, value: result.value, version: result.version },
    { etag: etagOf(result.version) },
  )
}

export function touch(store: KeyValues, key: string, ttlMs: number | null): MaybePromise<Response> {
  const respond = (entry: Entry | undefined) => {
    if (entry === undefined) throw keyNotFound()
    return jsonResponse(200, { key, version: entry.version, expiresAt: isoOrNull(entry.expiresAt) }, { etag: etagOf(entry.version) })
  }
  return then(store.touch(key, ttlMs), respond, unavailableForWrites)
}
