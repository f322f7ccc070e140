// What RFC 9111 (with RFC 5861's stale-* extensions and RFC 9213's targeted fields) lets a shared cache do with a response.
import type { UpstreamConfig } from '../../config/schema'
import { deltaSecondsMs, parseCacheControl, responseDirectives, type Directives } from './cache-control'
import { varyNames } from './headers'
import { parseHttpDate } from './http-date'

/** Stale responses with a validator are kept this long past their stale windows, to be revalidated with a 304. */
const KEEP_FOR_REVALIDATION_MS = 24 * 3600 * 1000
/**
 * Statuses heuristically cacheable (RFC 9110 section 15.1): stored without explicit freshness. 206
 * is among them, but partial responses are never stored (ranges are answered from whole ones).
 */
const HEURISTICALLY_CACHEABLE = new Set([200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501])
/** The heuristic's share of the time since Last-Modified (section 4.2.2's typical 10%). */
const HEURISTIC_FRACTION = 0.1
/**
 * Final statuses whose semantics fastcache knows (RFC 9110's), for must-understand (section
 * 5.2.2.3); 206 is not among them, as partial responses are never stored.
 */
const UNDERSTOOD = new Set([
  200, 201, 202, 203, 204, 205, 300, 301, 302, 303, 304, 307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413,
  414, 415, 416, 417, 421, 422, 426, 500, 501, 502, 503, 504, 505,
])

export type Refusal = 'no-store' | 'private' | 'set-cookie' | 'vary-star' | 'authorization' | 'status' | 'no-freshness'

/** What of an upstream's options the rules read. */
export type UpstreamRules = Pick<
  UpstreamConfig,
  'defaultTtlMs' | 'targetedFields' | 'maxHeuristicTtlMs' | 'storeSetCookie' | 'staleOnErrorMs'
>

export interface ResponseFacts {
  status: number
  headers: Headers
  /** The directives that rule it: a targeted field's, or Cache-Control's. */
  directives: Directives
  /** They come from a targeted field (RFC 9213): Expires plays no part. */
  targeted: boolean
}

/** A response's status and fields with the directives that rule it under the upstream's target list. */
export const responseFacts = (status: number, headers: Headers, upstream: UpstreamRules): ResponseFacts => ({
  status,
  headers,
  ...responseDirectives(headers, upstream.targetedFields),
})

export const hasExplicitFreshness = (facts: ResponseFacts) =>
  facts.directives.has('s-maxage') || facts.directives.has('max-age') || (!facts.targeted && facts.headers.has('expires'))

const hasValidator = (headers: Headers) => headers.has('etag') || headers.has('last-modified')

/** Why a GET response must not be stored in a shared cache, or null when it may be (RFC 9111 section 3). */
export function refusalToStore(
  facts: ResponseFacts,
  requestDirectives: Directives,
  authorized: boolean,
  upstream: UpstreamRules,
): Refusal | null {
  const d = facts.directives
  if (requestDirectives.has('no-store')) return 'no-store'
  // must-understand: only statuses fastcache knows are stored, and then no-store (sent for caches without it) is passed over.
  if (d.has('must-understand')) {
    if (!UNDERSTOOD.has(facts.status)) return 'status'
  } else if (d.has('no-store')) return 'no-store'
  if (d.has('private')) return 'private'
  // RFC 9111 allows storing Set-Cookie (whole, never stripped); by default it is not, see storeSetCookie.
  if (!upstream.storeSetCookie && facts.headers.has('set-cookie')) return 'set-cookie'
  if (varyNames(facts.headers.get('vary'))[0] === '*') return 'vary-star'
  if (authorized && !sharedWithAuthorized(d)) return 'authorization'
  const explicit = hasExplicitFreshness(facts)
  // Any final status with explicit freshness or `public`; without them, the heuristically cacheable ones.
  if (facts.status < 200 || facts.status === 206 || facts.status === 304) return 'status'
  if (!explicit && !d.has('public') && !HEURISTICALLY_CACHEABLE.has(facts.status)) return 'status'
  // Nothing to gain from a copy that is stale at once and cannot be revalidated.
  if (!explicit && upstream.defaultTtlMs === null && !hasValidator(facts.headers) && !d.has('public')) return 'no-freshness'
  return null
}

/** Section 3.5: the response directives that let a shared cache use a response for authorized requests. */
export const sharedWithAuthorized = (directives: Directives) =>
  directives.has('public') || directives.has('s-maxage') || directives.has('must-revalidate')

/** A freshness lifetime, and whether it is the heuristic's (RFC 9211 Cache-Status says so). */
export interface Lifetime {
  lifetimeMs: number
  heuristic: boolean
}

/**
 * The freshness lifetime (section 4.2.1): s-maxage, then max-age, then Expires minus Date (not
 * under a targeted field), then the upstream's default TTL, then the heuristic (section 4.2.2).
 * `no-cache` makes every use a revalidation.
 */
export function freshnessLifetime(facts: ResponseFacts, responseTime: number, upstream: UpstreamRules): Lifetime {
  const d = facts.directives
  if (d.has('no-cache')) return { lifetimeMs: 0, heuristic: false }
  const explicit = deltaSecondsMs(d, 's-maxage') ?? deltaSecondsMs(d, 'max-age')
  if (explicit !== undefined) return { lifetimeMs: explicit, heuristic: false }
  const date = parseHttpDate(facts.headers.get('date'), responseTime) ?? responseTime
  const expires = facts.targeted ? null : facts.headers.get('expires')
  if (expires !== null) {
    // Section 5.3: an Expires that is not an HTTP-date (or comes twice) means already expired.
    const expiresAt = parseHttpDate(expires, responseTime)
    return { lifetimeMs: expiresAt === undefined ? 0 : Math.max(0, expiresAt - date), heuristic: false }
  }
  if (upstream.defaultTtlMs !== null) return { lifetimeMs: upstream.defaultTtlMs, heuristic: false }
  return { lifetimeMs: heuristicLifetimeMs(facts, date, upstream.maxHeuristicTtlMs), heuristic: true }
}

/**
 * Section 4.2.2: a tenth of the time since Last-Modified, at most `capMs` (0 turns it off), for the
 * heuristically cacheable statuses and responses marked `public`; 0 for anything else.
 */
function heuristicLifetimeMs(facts: ResponseFacts, date: number, capMs: number): number {
  if (capMs === 0 || !(HEURISTICALLY_CACHEABLE.has(facts.status) || facts.directives.has('public'))) return 0
  const lastModified = parseHttpDate(facts.headers.get('last-modified'), date)
  if (lastModified === undefined || lastModified >= date) return 0
  return Math.min(capMs, Math.floor((date - lastModified) * HEURISTIC_FRACTION))
}

/** The response's current age in milliseconds (section 4.2.3), from its Age and Date and when we asked and heard. */
export function currentAgeMs(headers: Headers, requestTime: number, responseTime: number, now: number): number {
  const ageValue = ageValueMs(headers.get('age'))
  const date = parseHttpDate(headers.get('date'), responseTime)
  const apparentAge = date === undefined ? 0 : Math.max(0, responseTime - date)
  const correctedAgeValue = ageValue + (responseTime - requestTime)
  return Math.max(apparentAge, correctedAgeValue) + (now - responseTime)
}

/**
 * Section 5.1: of an Age sent as a list (or over several lines, which arrive joined), the first
 * member counts; one that is not a non-negative integer is ignored. Past 2^31 seconds it is 2^31.
 */
function ageValueMs(field: string | null): number {
  if (field === null) return 0
  const comma = field.indexOf(',')
  const first = (comma < 0 ? field : field.slice(0, comma)).trim()
  return /^[0-9]+$/.test(first) ? Math.min(Number(first), 2 ** 31) * 1000 : 0
}

/** How a stored response may answer a request right now. */
export type Reuse =
  | { kind: 'fresh' }
  /** Stale, servable at once while one background revalidation runs (RFC 5861 stale-while-revalidate). */
  | { kind: 'stale-while-revalidate' }
  /** Must be revalidated first; `byClient` when the request's own directives demanded it. */
  | { kind: 'revalidate'; byClient: boolean }

export interface Freshness {
  lifetimeMs: number
  ageMs: number
  directives: Directives
}

/** A stored response's freshness now: its age grows from the initial age it was stored with. */
export function freshnessOf(
  stored: { lifetimeMs: number; initialAgeMs: number; responseTime: number; directives: Directives },
  now: number,
): Freshness {
  return { lifetimeMs: stored.lifetimeMs, ageMs: stored.initialAgeMs + (now - stored.responseTime), directives: stored.directives }
}

/** How long it stays fresh (negative once stale): Cache-Status's ttl. */
export const remainingMs = (freshness: Freshness) => freshness.lifetimeMs - freshness.ageMs

/** Section 4: may the stored response be reused for this request (its fields, when there is one), and how. */
export function reuseFor(stored: Freshness, requestDirectives: Directives, requestHeaders: Headers | null): Reuse {
  const { lifetimeMs, ageMs, directives } = stored
  const request = requestDirectives
  // Section 5.4: Pragma: no-cache counts only when the request has no Cache-Control (and is read only then).
  const pragma = request.size === 0 && requestHeaders !== null ? requestHeaders.get('pragma') : null
  if (request.has('no-cache') || (pragma !== null && /no-cache/i.test(pragma))) return { kind: 'revalidate', byClient: true }
  // max-age=0 is how clients ask for revalidation (a browser's reload); it never accepts a stored copy.
  const maxAge = deltaSecondsMs(request, 'max-age')
  if (maxAge !== undefined && (ageMs > maxAge || maxAge === 0)) return { kind: 'revalidate', byClient: true }
  const minFresh = deltaSecondsMs(request, 'min-fresh')
  if (minFresh !== undefined && lifetimeMs - ageMs < minFresh) return { kind: 'revalidate', byClient: true }
  if (ageMs < lifetimeMs) return { kind: 'fresh' }
  if (!mayServeStale(directives)) return { kind: 'revalidate', byClient: false }
  const maxStale = directives.has('s-maxage') ? undefined : request.get('max-stale')
  if (maxStale === true || (maxStale !== undefined && ageMs - lifetimeMs <= (deltaSecondsMs(request, 'max-stale') ?? 0)))
    return { kind: 'fresh' }
  const swr = deltaSecondsMs(directives, 'stale-while-revalidate')
  if (swr !== undefined && ageMs < lifetimeMs + swr) return { kind: 'stale-while-revalidate' }
  return { kind: 'revalidate', byClient: false }
}

/**
 * must-revalidate, proxy-revalidate and no-cache forbid serving stale. s-maxage implies
 * proxy-revalidate (section 5.2.2.10) for a client's max-stale, but not against the origin's own
 * stale-while-revalidate or stale-if-error next to it, which CDNs honour the same way.
 */
const mayServeStale = (directives: Directives) =>
  !directives.has('must-revalidate') && !directives.has('proxy-revalidate') && !directives.has('no-cache')

/** RFC 5861 section 4: may a stale response stand in for an upstream error, from the response's or the request's stale-if-error. */
export function mayServeOnError(stored: Freshness, requestDirectives: Directives): boolean {
  if (!mayServeStale(stored.directives)) return false
  const window = Math.max(
    deltaSecondsMs(stored.directives, 'stale-if-error') ?? 0,
    deltaSecondsMs(requestDirectives, 'stale-if-error') ?? 0,
  )
  return stored.ageMs < stored.lifetimeMs + window
}

/**
 * Section 4.2.4: a cache that cannot reach the upstream ("disconnected") may serve a stale response
 * the response does not forbid that of (must-revalidate, proxy-revalidate, no-cache, and s-maxage,
 * which implies proxy-revalidate): here for up to the upstream's staleOnError past its freshness.
 */
export function mayServeDisconnected(stored: Freshness, staleOnErrorMs: number): boolean {
  return staleOnErrorMs > 0 && maySitOutDisconnection(stored.directives) && stored.ageMs < stored.lifetimeMs + staleOnErrorMs
}

const maySitOutDisconnection = (directives: Directives) => mayServeStale(directives) && !directives.has('s-maxage')

/** How long to keep a response in the engine: its fresh time, then its stale windows, then a while for revalidation if it has validators. */
function retentionMs(stored: Freshness, headers: Headers, staleOnErrorMs: number): number {
  const d = stored.directives
  const disconnected = maySitOutDisconnection(d) ? staleOnErrorMs : 0
  const staleWindow = Math.max(deltaSecondsMs(d, 'stale-while-revalidate') ?? 0, deltaSecondsMs(d, 'stale-if-error') ?? 0, disconnected)
  const revalidation = hasValidator(headers) ? KEEP_FOR_REVALIDATION_MS : 0
  return remainingMs(stored) + Math.max(staleWindow, revalidation)
}

/** When a response was asked for and when its answer came (epoch ms, the engine's clock). */
export interface RoundTrip {
  requestTime: number
  responseTime: number
}

/** What a response is stored with: its freshness lifetime, its age when received, and how long the engine keeps it. */
export function storageTerms(facts: ResponseFacts, times: RoundTrip, upstream: UpstreamRules) {
  const { lifetimeMs, heuristic } = freshnessLifetime(facts, times.responseTime, upstream)
  const initialAgeMs = currentAgeMs(facts.headers, times.requestTime, times.responseTime, times.responseTime)
  const keepMs = retentionMs({ lifetimeMs, ageMs: initialAgeMs, directives: facts.directives }, facts.headers, upstream.staleOnErrorMs)
  // A heuristic that gave nothing is no freshness at all, and Cache-Status does not mention it.
  return { lifetimeMs, heuristic: heuristic && lifetimeMs > 0, initialAgeMs, keepMs }
}

export { parseCacheControl }
