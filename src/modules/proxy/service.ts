import type { CacheEngine, Clock } from '../../cache'
import type { UpstreamConfig } from '../../config/schema'
import { readStreamUpTo } from '../../http/body'
import type { Logger } from '../../log/logger'
import { NO_DIRECTIVES, parseCacheControl } from './cache-control'
import { grantedScope } from '../../access/guard'
import { appendCacheStatus, withCacheKey, type CacheStatus } from '../../http/cache-status'
import { Coalescer } from './coalescer'
import { newProxyCounters, type ProxyCounters } from './counters'
import { bypassesCache, sameVariant, type Exchange } from './exchange'
import { Forwarding } from './forwarding'
import { endToEndResponseHeaders, NULL_BODY_STATUSES, varyKey, varyNames } from './headers'
import { freshnessOf, refusalToStore, remainingMs, reuseFor, sharedWithAuthorized, storageTerms, type RoundTrip } from './policy'
import { ProxyStore } from './proxy-store'
import { addValidators, Revalidation } from './revalidation'
import { answerFromStore, notCached } from './stored-answer'
import { tagsOf, type LoadedResponse, type StoredResponse } from './stored-response'
import { PROXY_PATH, resolveTarget, splitProxyPath, type Target } from './target'

/** How long past the shared request's own timeout its waiters wait before answering 504 themselves. */
const WAITER_MARGIN_MS = 100

/** What a request to the upstream leaves for the requests that waited on it. */
type Shared =
  /** Stored: waiters with the same Vary values are answered with it. */
  | { kind: 'stored'; response: LoadedResponse }
  /** Answered, but with nothing others may reuse (private, too large, other Vary values): waiters go upstream themselves. */
  | { kind: 'unshared' }
  /** The upstream failed or timed out: waiters are answered as it was, without asking again. */
  | { kind: 'failed'; error: unknown }
const UNSHARED: Shared = { kind: 'unshared' }
const storedOrUnshared = (response: LoadedResponse | undefined): Shared =>
  response === undefined ? UNSHARED : { kind: 'stored', response }

export type { ProxyCounters } from './counters'

export type PurgeRequest = { url: string } | { prefix: string } | { tag: string }

/** The read-through proxy: serves `/proxy/{name}/...` from the engine, the upstream, or both, as RFC 9111 allows. */
export class ProxyService {
  readonly counters: ProxyCounters = newProxyCounters()
  private readonly upstreams: ReadonlyMap<string, UpstreamConfig>
  private readonly store: ProxyStore
  private readonly inflight = new Coalescer<Shared>()
  private readonly forwarding: Forwarding
  private readonly revalidation: Revalidation

  constructor(
    engine: CacheEngine,
    upstreams: UpstreamConfig[],
    private readonly clock: Clock,
    private readonly logger: Logger,
    /** With fastcache's own tokens on, Authorization carries them: never forwarded, and not the upstream's. */
    ownsAuthorization = false,
  ) {
    this.upstreams = new Map(upstreams.map((upstream) => [upstream.name, upstream]))
    this.store = new ProxyStore(engine)
    this.forwarding = new Forwarding(this.counters, logger, ownsAuthorization)
    this.revalidation = new Revalidation(this.store, this.counters, clock)
  }

  /** GET (and HEAD, which Elysia routes here): from the cache when RFC 9111 allows, otherwise from the upstream (stored when allowed). */
  read(request: Request): Response | Promise<Response> {
    const target = resolveTarget(this.upstreams, request.url)
    const directives = parseCacheControl(request.headers.get('cache-control'))
    const authorized = this.forwarding.carriesUpstreamAuthorization(request)
    if (bypassesCache(request, target.upstream, authorized)) return this.bypass(request, target)
    const baseKey = ProxyStore.baseKey(target.upstream.name, target.pathAndQuery)
    const { key, response: stored, varyMiss } = this.store.lookup(baseKey, request.headers)
    if (stored === undefined) {
      this.counters.misses++
      if (directives.has('only-if-cached')) return notCached()
      const fwd = varyMiss ? 'vary-miss' : 'uri-miss'
      return this.fetchCoalesced({ request, target, baseKey, key, directives, authorized, fwd, stale: undefined })
    }
    if (authorized && !sharedWithAuthorized(stored.directives)) return this.bypass(request, target)
    const freshness = this.freshnessOf(stored)
    const reuse = reuseFor(freshness, directives, request.headers.get('pragma'))
    const ttlMs = remainingMs(freshness)
    if (reuse.kind === 'fresh') {
      this.counters.hits++
      return answerFromStore(request, stored, freshness.ageMs, { hit: true, ttlMs })
    }
    if (reuse.kind === 'stale-while-revalidate') {
      this.counters.staleHits++
      // The refresh is for the cache, not for this client: its request directives play no part.
      this.refreshInBackground({ request, target, baseKey, key, directives: NO_DIRECTIVES, authorized, fwd: 'stale', stale: stored })
      return answerFromStore(request, stored, freshness.ageMs, { hit: true, ttlMs, detail: 'stale-while-revalidate' })
    }
    if (directives.has('only-if-cached')) return notCached()
    this.counters.revalidations++
    const fwd = reuse.byClient ? 'request' : 'stale'
    return this.fetchCoalesced({ request, target, baseKey, key, directives, authorized, fwd, stale: stored })
  }

  /** Any other method: passed through uncached; a success invalidates what is stored for the URL (RFC 9111 section 4.4). */
  write(request: Request): Promise<Response> {
    const target = resolveTarget(this.upstreams, request.url)
    void target.url
    this.counters.passedThrough++
    return this.forwarding.write(request, target, (headers) => this.invalidateAfterWrite(target, headers))
  }

  /**
   * Shows an admin the cache key behind a proxied answer (RFC 9211's `key`): the upstream, the path
   * and query, and the Vary values when the response varies. Others never see it.
   */
  revealKey(request: Request, response: Response): Response {
    if (grantedScope(request) !== 'admin') return response
    const field = response.headers.get('cache-status')
    if (field === null) return response
    let key: string
    try {
      const target = resolveTarget(this.upstreams, request.url)
      const vary = varyNames(response.headers.get('vary'))
      key = `${target.upstream.name} ${target.pathAndQuery}${vary.length === 0 ? '' : ' ' + varyKey(vary, request.headers).replaceAll('\n', ' ')}`
    } catch {
      return response
    }
    response.headers.set('cache-status', withCacheKey(field, key))
    return response
  }

  async purge(what: PurgeRequest): Promise<number> {
    let purged: number
    if ('tag' in what) purged = await this.store.invalidateTag(what.tag)
    else if ('url' in what) {
      const place = this.locate(what.url)
      purged = place === undefined ? 0 : this.store.invalidate(ProxyStore.baseKey(place.upstream, place.path))
    } else {
      const place = this.locate(what.prefix)
      purged = place === undefined ? 0 : await this.store.invalidatePrefix(place.upstream, place.path)
    }
    this.counters.purged += purged
    return purged
  }

  /** A URL as a client gives it to purge: the proxy path (`/proxy/name/...`) or the upstream's own URL. */
  private locate(url: string): { upstream: string; path: string } | undefined {
    if (url.startsWith(PROXY_PATH)) {
      const { name, subPath } = splitProxyPath(url)
      return this.upstreams.has(name) ? { upstream: name, path: subPath } : undefined
    }
    for (const upstream of this.upstreams.values()) {
      if (url === upstream.baseUrl) return { upstream: upstream.name, path: '/' }
      if (url.startsWith(upstream.baseUrl + '/') || url.startsWith(upstream.baseUrl + '?')) {
        const path = url.slice(upstream.baseUrl.length)
        return { upstream: upstream.name, path: path.startsWith('/') ? path : '/' + path }
      }
    }
    return undefined
  }

  private freshnessOf(stored: LoadedResponse) {
    return freshnessOf(stored, this.clock.now())
  }

  private bypass(request: Request, target: Target): Promise<Response> {
    this.counters.bypassed++
    return this.forwarding.bypass(request, target)
  }

  /**
   * One upstream fetch per key at a time: a request finding one under way waits for it (until it
   * completes or times out, plus a small margin) and gets its stored response, or its failure; if
   * the response turns out unstorable or for other Vary values, the waiter goes upstream itself.
   */
  private async fetchCoalesced(exchange: Exchange): Promise<Response> {
    const pending = this.inflight.pending(exchange.key)
    if (pending === undefined) return this.fetchForStore(exchange, true)
    const waitMs = pending.deadline + WAITER_MARGIN_MS - performance.now()
    const shared = (await withTimeout(pending.work, waitMs)) ?? { kind: 'failed', error: timedOut() }
    if (shared.kind === 'failed') {
      this.counters.collapsed++
      return this.upstreamFailed(exchange, shared.error, true)
    }
    if (shared.kind === 'stored' && sameVariant(exchange, shared.response)) {
      this.counters.collapsed++
      const { ageMs } = this.freshnessOf(shared.response)
      return answerFromStore(exchange.request, shared.response, ageMs, { fwd: exchange.fwd, collapsed: true })
    }
    return this.fetchForStore(exchange, false)
  }

  /** stale-while-revalidate: one background refresh per key; its outcome only updates the store. */
  private refreshInBackground(exchange: Exchange): void {
    if (this.inflight.pending(exchange.key) !== undefined) return
    this.counters.revalidations++
    this.fetchForStore(exchange, true)
      .then((response) => response.body?.cancel())
      .catch((error: unknown) => this.logger.warn('background revalidation failed', { url: exchange.target.url, error: String(error) }))
  }

  /**
   * Fetches the URL for the cache (conditionally when a stale copy has validators), answers the
   * client, and stores the response when allowed, streaming it to the client meanwhile. When it
   * `leads`, requests for the same key wait on this fetch.
   */
  private async fetchForStore(exchange: Exchange, leads: boolean): Promise<Response> {
    let settle: (shared: Shared) => void = () => {}
    if (leads) this.inflight.lead(exchange.key, new Promise((resolve) => (settle = resolve)), exchange.target.upstream.timeoutMs)
    try {
      return await this.fetchAndStore(exchange, settle)
    } catch (error) {
      settle(UNSHARED)
      throw error
    }
  }

  private async fetchAndStore(exchange: Exchange, settle: (shared: Shared) => void): Promise<Response> {
    const { request, target, stale, fwd } = exchange
    const headers = this.forwarding.cacheFillHeaders(request, target.upstream)
    if (stale !== undefined) addValidators(headers, stale)
    const url = target.url
    const requestTime = this.clock.now()
    let response: Response
    try {
      response = await this.forwarding.send(url, target.upstream, 'GET', headers, null)
    } catch (error) {
      settle({ kind: 'failed', error })
      return this.upstreamFailed(exchange, error, false)
    }
    const times = { requestTime, responseTime: this.clock.now() }

    if (stale !== undefined && response.status === 304) {
      const refreshed = this.revalidation.refresh(exchange, stale, response.headers, times)
      settle(refreshed.stored ? { kind: 'stored', response: refreshed.response } : UNSHARED)
      return answerFromStore(request, refreshed.response, this.freshnessOf(refreshed.response).ageMs, { fwd, fwdStatus: 304 })
    }
    if (stale !== undefined && response.status >= 500) {
      const standIn = this.revalidation.staleIfError(exchange, { fwd, fwdStatus: response.status })
      if (standIn !== undefined) {
        await response.body?.cancel()
        settle(UNSHARED)
        return standIn
      }
    }
    return this.storeAndAnswer(exchange, response, times, settle)
  }

  /** The upstream's answer for the client, stored when RFC 9111 allows and it fits, streamed to the client meanwhile. */
  private storeAndAnswer(exchange: Exchange, response: Response, times: RoundTrip, settle: (shared: Shared) => void): Response {
    const { request, target, baseKey } = exchange
    const { upstream } = target
    const status: CacheStatus = exchange.stale === undefined ? { fwd: exchange.fwd } : { fwd: exchange.fwd, fwdStatus: response.status }
    const facts = { status: response.status, headers: response.headers, directives: parseCacheControl(response.headers.get('cache-control')) }
    const refusal = refusalToStore(facts, exchange.directives, exchange.authorized, upstream.defaultTtlMs)
    const declaredLength = Number(response.headers.get('content-length') ?? NaN)
    const endToEnd = endToEndResponseHeaders(response.headers)
    if (refusal !== null || declaredLength > upstream.maxBodyBytes) {
      settle(UNSHARED)
      return this.forwarding.relay(response, target, status, endToEnd)
    }

    const vary = varyNames(response.headers.get('vary'))
    const terms = storageTerms(facts, times, upstream.defaultTtlMs)
    const meta: Omit<StoredResponse, 'body'> = {
      status: response.status,
      headers: endToEnd,
      ...times,
      lifetimeMs: terms.lifetimeMs,
      initialAgeMs: terms.initialAgeMs,
      varyKey: varyKey(vary, request.headers),
      tags: tagsOf(response.headers),
    }
    const save = (body: Uint8Array | undefined) => {
      const saved = body === undefined ? undefined : this.store.store(baseKey, vary, request.headers, { ...meta, body }, terms.keepMs)
      if (saved !== undefined) this.counters.stored++
      settle(storedOrUnshared(saved))
    }
    const out = new Headers(endToEnd)
    out.set('age', String(Math.floor(terms.initialAgeMs / 1000)))
    // "stored" is promised only when the length is known to fit; a chunked body is stored if it turns out to.
    appendCacheStatus(out, { ...status, stored: Number.isFinite(declaredLength) })

    if (response.body === null || NULL_BODY_STATUSES.has(response.status)) {
      save(new Uint8Array(0))
      return this.forwarding.toClient(response.status, null, out, target)
    }
    const [toClient, toStore] = response.body.tee()
    readStreamUpTo(toStore, upstream.maxBodyBytes).then(
      (body) => {
        if (body === undefined) toStore.cancel().catch(() => {})
        save(body)
      },
      (error: unknown) => settle({ kind: 'failed', error }),
    )
    return this.forwarding.toClient(response.status, toClient, out, target)
  }

  /** The upstream failed this request, or (`collapsed`) the one it waited on, which counted and logged the failure. */
  private upstreamFailed(exchange: Exchange, error: unknown, collapsed: boolean): Response {
    if (!collapsed) this.counters.upstreamErrors++
    const status = { fwd: exchange.fwd, collapsed }
    return this.revalidation.staleIfError(exchange, status) ?? this.forwarding.failure(error, exchange.target, status)
  }

  /** RFC 9111 section 4.4: the target URL, and Location / Content-Location when they are on the same upstream. */
  private invalidateAfterWrite(target: Target, responseHeaders: Headers): void {
    const { upstream } = target
    this.store.invalidate(ProxyStore.baseKey(upstream.name, target.pathAndQuery))
    for (const field of ['location', 'content-location']) {
      const value = responseHeaders.get(field)
      if (value === null) continue
      let url: URL
      try {
        url = new URL(value, target.url)
      } catch {
        continue
      }
      const place = this.locate(url.href)
      if (place?.upstream === upstream.name) this.store.invalidate(ProxyStore.baseKey(place.upstream, place.path))
    }
  }
}

/** What a waiter answers with when the request it waited on neither completed nor timed out in time. */
const timedOut = () => new DOMException('the shared upstream request did not finish in time', 'TimeoutError')

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: Timer | undefined
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}
