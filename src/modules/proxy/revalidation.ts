import type { Clock } from '../../cache'
import { StoreUnavailable } from '../../store'
import type { CacheStatus } from '../../http/cache-status'
import type { Directives } from './cache-control'
import type { ProxyCounters } from './counters'
import type { Exchange } from './exchange'
import { endToEndResponseHeaders, varyNames } from './headers'
import { freshnessOf, mayServeDisconnected, mayServeOnError, refusalToStore, remainingMs, responseFacts, storageTerms } from './policy'
import type { Refusal, RoundTrip, UpstreamRules } from './policy'
import type { ProxyStore } from './proxy-store'
import { answerFromStore } from './stored-answer'
import { loadedFrom, tagsOf, type LoadedResponse, type StoredResponse } from './stored-response'

/** Asks for a 304 rather than the whole response: the stale copy's validators as conditional fields (RFC 9110 section 13.1). */
export function addValidators(headers: Headers, stale: LoadedResponse): void {
  const etag = stale.headerView.get('etag')
  const lastModified = stale.headerView.get('last-modified')
  if (etag !== null) headers.set('if-none-match', etag)
  if (lastModified !== null) headers.set('if-modified-since', lastModified)
}

/** A stale response refreshed by a 304, and what storing it comes to. */
export interface Merged {
  response: StoredResponse
  /** Why it may no longer be stored, or null. */
  refusal: Refusal | null
  /** The Vary names it is stored under, and how long the engine keeps it. */
  vary: string[]
  keepMs: number
}

/**
 * A 304 refreshes the stored response: its fields replaced by the 304's (Set-Cookie lines as a
 * whole), its age restarted (RFC 9111 sections 3.2 and 4.3.4). The result is checked again before
 * it is stored: a 304 that turns the response private, or brings a Set-Cookie to an upstream whose
 * cookies are not stored, makes it unstorable (the cookie then goes to this client only).
 */
export function mergeNotModified(
  stale: StoredResponse,
  notModified: Headers,
  times: RoundTrip,
  request: { directives: Directives; authorized: boolean },
  upstream: UpstreamRules,
): Merged {
  const merged = new Headers(stale.headers)
  // The stored Age described the old response; the 304 brings its own (or none).
  merged.delete('age')
  const cookies = notModified.getSetCookie()
  if (cookies.length > 0) merged.delete('set-cookie')
  for (const [name, value] of endToEndResponseHeaders(notModified)) {
    if (name === 'set-cookie') merged.append(name, value)
    else merged.set(name, value)
  }
  const facts = responseFacts(stale.status, merged, upstream)
  const terms = storageTerms(facts, times, upstream)
  const response: StoredResponse = {
    status: stale.status,
    headers: [...merged],
    ...times,
    lifetimeMs: terms.lifetimeMs,
    heuristic: terms.heuristic,
    initialAgeMs: terms.initialAgeMs,
    rules: [...facts.directives],
    varyKey: stale.varyKey,
    tags: tagsOf(merged),
    body: stale.body,
  }
  const refusal = refusalToStore(facts, request.directives, request.authorized, upstream)
  return { response, refusal, vary: varyNames(merged.get('vary')), keepMs: terms.keepMs }
}

/** A response refreshed by a 304, and whether it was stored (and so may answer the requests that waited). */
export interface Refreshed {
  stored: boolean
  response: LoadedResponse
}

/** What the proxy does with a stale copy while it asks the upstream: refresh it from a 304, or stand it in for an error. */
export class Revalidation {
  constructor(
    private readonly store: ProxyStore,
    private readonly counters: ProxyCounters,
    private readonly clock: Clock,
  ) {}

  /**
   * A 304: the refreshed response, stored when it still may be (`stored`); when it may not, the
   * URL's stored copies go. A store that cannot answer leaves it unstored (a rejection otherwise).
   */
  async refresh(exchange: Exchange, stale: LoadedResponse, notModified: Headers, times: RoundTrip): Promise<Refreshed> {
    this.counters.of(exchange.target.upstream.name).notModified++
    const merged = mergeNotModified(stale, notModified, times, exchange, exchange.target.upstream)
    const unstored = { stored: false, response: loadedFrom(merged.response) }
    try {
      if (merged.refusal !== null) {
        // No longer shareable: nobody else may be served the old copy either.
        await this.store.invalidate(exchange.baseKey)
        return unstored
      }
      const stored = await this.store.store(exchange.baseKey, merged.vary, exchange.request.headers, merged.response, merged.keepMs)
      return stored === undefined ? unstored : { stored: true, response: stored }
    } catch (error) {
      if (error instanceof StoreUnavailable) return unstored
      throw error
    }
  }

  /**
   * RFC 5861 stale-if-error: the stale copy as the answer to an upstream error or 5xx, when the
   * response's or the request's window allows it; undefined when it does not.
   */
  staleIfError(exchange: Exchange, status: CacheStatus, disconnected = false): Response | undefined {
    const { stale } = exchange
    if (stale === undefined) return undefined
    const freshness = freshnessOf(stale, this.clock.now())
    let detail = 'stale-if-error'
    if (!mayServeOnError(freshness, exchange.directives)) {
      // Without stale-if-error: only when the upstream could not be reached at all, within its staleOnError.
      if (!disconnected || !mayServeDisconnected(freshness, exchange.target.upstream.staleOnErrorMs)) return undefined
      detail = 'stale-on-error'
    }
    this.counters.of(exchange.target.upstream.name).staleIfError++
    return answerFromStore(exchange.request, stale, freshness.ageMs, { ...status, ttlMs: remainingMs(freshness), detail })
  }
}
