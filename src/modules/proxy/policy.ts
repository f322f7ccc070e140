// What RFC 9111 (with RFC 5861's stale-* extensions) lets a shared cache do with a response.
import { deltaSecondsMs, parseCacheControl, type Directives } from './cache-control'
import { varyNames } from './headers'

/** Stale responses with a validator are kept this long past their stale windows, to be revalidated with a 304. */
const KEEP_FOR_REVALIDATION_MS = 24 * 3600 * 1000
/** Statuses a cache may store without explicit freshness (RFC 9110 section 15.1); 206 is left out (no ranges). */
const CACHEABLE_BY_DEFAULT = new Set([200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501])
/** Other final statuses stored only with explicit freshness. */
const CACHEABLE_WITH_FRESHNESS = new Set([302, 303, 307])

export type Refusal = 'no-store' | 'private' | 'set-cookie' | 'vary-star' | 'authorization' | 'status' | 'no-freshness'

export interface ResponseFacts {
  status: number
  headers: Headers
  directives: Directives
}

const hasExplicitFreshness = (facts: ResponseFacts) =>
  facts.directives.has('s-maxage') || facts.directives.has('max-age') || facts.headers.has('expires')

const hasValidator = (headers: Headers) => headers.has('etag') || headers.has('last-modified')

/** Why a GET response must not be stored in a shared cache, or null when it may be (RFC 9111 section 3). */
export function refusalToStore(
  facts: ResponseFacts,
  requestDirectives: Directives,
  authorized: boolean,
  defaultTtlMs: number | null,
): Refusal | null {
  const d = facts.directives
  if (d.has('no-store') || requestDirectives.has('no-store')) return 'no-store'
  if (d.has('private')) return 'private'
  if (facts.headers.has('set-cookie')) return 'set-cookie'
  if (varyNames(facts.headers.get('vary'))[0] === '*') return 'vary-star'
  if (authorized && !sharedWithAuthorized(d)) return 'authorization'
  const explicit = hasExplicitFreshness(facts)
  if (!CACHEABLE_BY_DEFAULT.has(facts.status) && !(explicit && CACHEABLE_WITH_FRESHNESS.has(facts.status))) return 'status'
  // Nothing to gain from a copy that is stale at once and cannot be revalidated.
  if (!explicit && defaultTtlMs === null && !hasValidator(facts.headers) && !d.has('public')) return 'no-freshness'
  return null
}

/** Section 3.5: the response directives that let a shared cache use a response for authorized requests. */
export const sharedWithAuthorized = (directives: Directives) =>
  directives.has('public') || directives.has('s-maxage') || directives.has('must-revalidate')

/**
 * The freshness lifetime (section 4.2.1): s-maxage, then max-age, then Expires minus Date, then the
 * upstream's default TTL (no heuristic unless configured). `no-cache` makes every use a revalidation.
 */
export function freshnessLifetimeMs(facts: ResponseFacts, responseTime: number, defaultTtlMs: number | null): number {
  const d = facts.directives
  if (d.has('no-cache')) return 0
  const explicit = deltaSecondsMs(d, 's-maxage') ?? deltaSecondsMs(d, 'max-age')
  if (explicit !== undefined) return explicit
  const expires = facts.headers.get('expires')
  if (expires !== null) {
    const expiresAt = Date.parse(expires)
    if (Number.isNaN(expiresAt)) return 0
    const date = Date.parse(facts.headers.get('date') ?? '')
    return Math.max(0, expiresAt - (Number.isNaN(date) ? responseTime : date))
  }
  return defaultTtlMs ?? 0
}

/** The response's current age in milliseconds (section 4.2.3), from its Age and Date and when we asked and heard. */
export function currentAgeMs(headers: Headers, requestTime: number, responseTime: number, now: number): number {
  const ageField = headers.get('age')
  const ageValue = ageField !== null && /^[0-9]+$/.test(ageField.trim()) ? Number(ageField.trim()) * 1000 : 0
  const date = Date.parse(headers.get('date') ?? '')
  const apparentAge = Number.isNaN(date) ? 0 : Math.max(0, responseTime - date)
  const correctedAgeValue = ageValue + (responseTime - requestTime)
  return Math.max(apparentAge, correctedAgeValue) + (now - responseTime)
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

/** Section 4: may the stored response be reused for this request, and how. */
export function reuseFor(stored: Freshness, requestDirectives: Directives, pragma: string | null): Reuse {
  const { lifetimeMs, ageMs, directives } = stored
  const request = requestDirectives
  // Section 5.4: Pragma: no-cache counts only when the request has no Cache-Control.
  if (request.has('no-cache') || (request.size === 0 && pragma !== null && /no-cache/i.test(pragma)))
    return { kind: 'revalidate', byClient: true }
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

/** How long to keep a response in the engine: its fresh time, then its stale windows, then a while for revalidation if it has validators. */
function retentionMs(stored: Freshness, headers: Headers): number {
  const d = stored.directives
  const staleWindow = Math.max(deltaSecondsMs(d, 'stale-while-revalidate') ?? 0, deltaSecondsMs(d, 'stale-if-error') ?? 0)
  const revalidation = hasValidator(headers) ? KEEP_FOR_REVALIDATION_MS : 0
  return remainingMs(stored) + Math.max(staleWindow, revalidation)
}

/** When a response was asked for and when its answer came (epoch ms, the engine's clock). */
export interface RoundTrip {
  requestTime: number
  responseTime: number
}

/** What a response is stored with: its freshness lifetime, its age when received, and how long the engine keeps it. */
export function storageTerms(facts: ResponseFacts, times: RoundTrip, defaultTtlMs: number | null) {
  const lifetimeMs = freshnessLifetimeMs(facts, times.responseTime, defaultTtlMs)
  const initialAgeMs = currentAgeMs(facts.headers, times.requestTime, times.responseTime, times.responseTime)
  return { lifetimeMs, initialAgeMs, keepMs: retentionMs({ lifetimeMs, ageMs: initialAgeMs, directives: facts.directives }, facts.headers) }
}

export { parseCacheControl }
