import { grantedScope } from '../../access/guard'
import type { Clock } from '../../cache'
import { StoreUnavailable, type Store } from '../../store'
import type { UpstreamConfig } from '../../config/schema'
import { withCacheKey } from '../../http/cache-status'
import type { Logger } from '../../log/logger'
import { NO_DIRECTIVES, parseCacheControl, type Directives } from './cache-control'
import { ProxyCounters } from './counters'
import { bypassesCache } from './exchange'
import { CacheFill } from './fill'
import { Forwarding } from './forwarding'
import { varyKey, varyNames } from './headers'
import { describesTarget, Invalidation, type PurgeRequest } from './invalidation'
import { freshnessOf, remainingMs, reuseFor, sharedWithAuthorized } from './policy'
import { ProxyStore, type Lookup } from './proxy-store'
import { Revalidation } from './revalidation'
import { answerFromStore, heuristicDetail, notCached } from './stored-answer'
import { resolveTarget, TargetResolver, type Target } from './target'

export type { ProxyCounters } from './counters'
export type { PurgeRequest } from './invalidation'

/**
 * The read-through proxy: serves `/proxy/{name}/...` from the engine, the upstream, or both, as RFC
 * 9111 allows. It classifies each request and hands it on: hits are answered here from the store,
 * misses and revalidations go to the fill, everything else to forwarding.
 */
export class ProxyService {
  readonly counters = new ProxyCounters()
  private readonly upstreams: ReadonlyMap<string, UpstreamConfig>
  private readonly store: ProxyStore
  private readonly forwarding: Forwarding
  private readonly fill: CacheFill
  private readonly invalidation: Invalidation
  private readonly targets: TargetResolver

  constructor(
    /** The store the key-value routes use: the instance's engine, or the shared tier with its near cache. */
    store: Store,
    upstreams: UpstreamConfig[],
    private readonly clock: Clock,
    logger: Logger,
    /** With fastcache's own tokens on, Authorization carries them: never forwarded, and not the upstream's. */
    ownsAuthorization = false,
  ) {
    this.upstreams = new Map(upstreams.map((upstream) => [upstream.name, upstream]))
    this.targets = new TargetResolver(this.upstreams, ProxyStore.baseKey)
    this.store = new ProxyStore(store)
    this.forwarding = new Forwarding(this.counters, logger, ownsAuthorization)
    const revalidation = new Revalidation(this.store, this.counters, clock)
    this.fill = new CacheFill(this.store, this.forwarding, revalidation, this.counters, clock, logger)
    this.invalidation = new Invalidation(this.store, this.upstreams, this.counters, logger)
  }

  /** GET (and HEAD, which Elysia routes here): from the cache when RFC 9111 allows, otherwise from the upstream (stored when allowed). */
  read(request: Request): Response | Promise<Response> {
    const { target, baseKey } = this.targets.resolve(request.url)
    const directives = parseCacheControl(request.headers.get('cache-control'))
    const authorized = this.forwarding.carriesUpstreamAuthorization(request)
    if (bypassesCache(request, target.upstream, authorized)) return this.bypass(request, target)
    const found = this.store.lookup(baseKey, request.headers)
    // A hit on the local engine (or the tier's near cache) is answered at once; only a look in Redis waits.
    if (!(found instanceof Promise)) return this.answer(request, target, directives, authorized, baseKey, found)
    return found.then(
      (lookup) => this.answer(request, target, directives, authorized, baseKey, lookup),
      (error: unknown) => {
        // A store that cannot answer: the upstream does, as on a miss.
        if (!(error instanceof StoreUnavailable)) throw error
        return this.answer(request, target, directives, authorized, baseKey, { key: baseKey, response: undefined, varyMiss: false })
      },
    )
  }

  /** The answer to a read once the store has said what it holds for it. */
  private answer(
    request: Request,
    target: Target,
    directives: Directives,
    authorized: boolean,
    baseKey: string,
    { key, response: stored, varyMiss }: Lookup,
  ): Response | Promise<Response> {
    if (stored === undefined) {
      this.counters.of(target.upstream.name).misses++
      if (directives.has('only-if-cached')) return notCached()
      const fwd = varyMiss ? 'vary-miss' : 'uri-miss'
      return this.fill.fetch({ request, target, baseKey, key, directives, authorized, fwd, stale: undefined })
    }
    if (authorized && !sharedWithAuthorized(stored.directives)) return this.bypass(request, target)
    const freshness = freshnessOf(stored, this.clock.now())
    const reuse = reuseFor(freshness, directives, request.headers)
    const ttlMs = remainingMs(freshness)
    if (reuse.kind === 'fresh') {
      this.counters.of(target.upstream.name).hits++
      return answerFromStore(request, stored, freshness.ageMs, { hit: true, ttlMs, detail: heuristicDetail(stored) })
    }
    if (reuse.kind === 'stale-while-revalidate') {
      this.counters.of(target.upstream.name).staleHits++
      // The refresh is for the cache, not for this client: its request directives play no part.
      this.fill.refreshInBackground({ request, target, baseKey, key, directives: NO_DIRECTIVES, authorized, fwd: 'stale', stale: stored })
      return answerFromStore(request, stored, freshness.ageMs, { hit: true, ttlMs, detail: 'stale-while-revalidate' })
    }
    if (directives.has('only-if-cached')) return notCached()
    this.counters.of(target.upstream.name).revalidations++
    const fwd = reuse.byClient ? 'request' : 'stale'
    return this.fill.fetch({ request, target, baseKey, key, directives, authorized, fwd, stale: stored })
  }

  /**
   * Any other method: passed through; a success invalidates what is stored for the URL (RFC 9111
   * section 4.4), and a POST's answer that names the URL as its Content-Location, with explicit
   * freshness, is stored for later GETs of it (RFC 9110 section 9.3.3).
   */
  write(request: Request): Promise<Response> {
    const target = resolveTarget(this.upstreams, request.url)
    void target.url
    this.counters.of(target.upstream.name).passedThrough++
    const requestTime = this.clock.now()
    return this.forwarding.write(request, target, async (response) => {
      const responseTime = this.clock.now()
      await this.invalidation.afterWrite(target, response.headers)
      if (request.method !== 'POST' || !describesTarget(response, target, this.upstreams)) return undefined
      // A POST whose GET would stay out of the cache (a cookie the upstream sees, say) has its answer stay out too.
      if (bypassesCache(request, target.upstream, this.forwarding.carriesUpstreamAuthorization(request))) return undefined
      return this.fill.storeWriteAnswer(request, target, response, { requestTime, responseTime })
    })
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
      key = `${target.upstream.name} ${target.pathAndQuery}${vary.length === 0 ? '' : ` ${varyKey(vary, request.headers).replaceAll('\n', ' ')}`}`
    } catch {
      return response
    }
    response.headers.set('cache-status', withCacheKey(field, key))
    return response
  }

  purge(what: PurgeRequest): Promise<number> {
    return this.invalidation.purge(what)
  }

  private bypass(request: Request, target: Target): Promise<Response> {
    this.counters.of(target.upstream.name).bypassed++
    return this.forwarding.bypass(request, target)
  }
}
