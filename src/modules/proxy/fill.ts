import type { Clock } from '../../cache'
import { readStreamUpTo } from '../../http/body'
import { appendCacheStatus, type CacheStatus } from '../../http/cache-status'
import type { Logger } from '../../log/logger'
import { parseCacheControl } from './cache-control'
import { Coalescer, waitFor } from './coalescer'
import type { ProxyCounters } from './counters'
import { sameVariant, type Exchange } from './exchange'
import type { Forwarding } from './forwarding'
import { endToEndResponseHeaders, NULL_BODY_STATUSES, varyKey, varyNames } from './headers'
import { freshnessOf, refusalToStore, storageTerms, type RoundTrip } from './policy'
import type { ProxyStore } from './proxy-store'
import { addValidators, type Revalidation } from './revalidation'
import { answerFromStore } from './stored-answer'
import { tagsOf, type LoadedResponse, type StoredResponse } from './stored-response'

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

type Settle = (shared: Shared) => void

/**
 * Fetching for the cache, on a miss or a revalidation: one upstream request per key at a time, the
 * waiters sharing its outcome; the answer streamed to the client while it is stored.
 */
export class CacheFill {
  private readonly inflight = new Coalescer<Shared>()

  constructor(
    private readonly store: ProxyStore,
    private readonly forwarding: Forwarding,
    private readonly revalidation: Revalidation,
    private readonly counters: ProxyCounters,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /**
   * A request finding a fetch for its key under way waits for it (until it completes or times out,
   * plus a small margin) and gets its stored response, or its failure; if the response turns out
   * unstorable or for other Vary values, the waiter goes upstream itself.
   */
  async fetch(exchange: Exchange): Promise<Response> {
    const pending = this.inflight.pending(exchange.key)
    if (pending === undefined) return this.fetchForStore(exchange, true)
    const shared = (await waitFor(pending, WAITER_MARGIN_MS)) ?? { kind: 'failed', error: timedOut() }
    if (shared.kind === 'failed') {
      this.counters.of(exchange.target.upstream.name).collapsed++
      return this.upstreamFailed(exchange, shared.error, true)
    }
    if (shared.kind === 'stored' && sameVariant(exchange, shared.response)) {
      this.counters.of(exchange.target.upstream.name).collapsed++
      const { ageMs } = freshnessOf(shared.response, this.clock.now())
      return answerFromStore(exchange.request, shared.response, ageMs, { fwd: exchange.fwd, collapsed: true })
    }
    return this.fetchForStore(exchange, false)
  }

  /** stale-while-revalidate: one background refresh per key; its outcome only updates the store. */
  refreshInBackground(exchange: Exchange): void {
    if (this.inflight.pending(exchange.key) !== undefined) return
    this.counters.of(exchange.target.upstream.name).revalidations++
    this.fetchForStore(exchange, true)
      .then((response) => response.body?.cancel())
      .catch((error: unknown) => this.logger.warn('background revalidation failed', { url: exchange.target.url, error: String(error) }))
  }

  /** When it `leads`, requests for the same key wait on this fetch until it settles. */
  private async fetchForStore(exchange: Exchange, leads: boolean): Promise<Response> {
    let settle: Settle = () => {}
    if (leads) this.inflight.lead(exchange.key, new Promise((resolve) => (settle = resolve)), exchange.target.upstream.timeoutMs)
    try {
      return await this.fetchAndStore(exchange, settle)
    } catch (error) {
      settle(UNSHARED)
      throw error
    }
  }

  /** Asks the upstream (conditionally when a stale copy has validators) and answers from what comes back. */
  private async fetchAndStore(exchange: Exchange, settle: Settle): Promise<Response> {
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
      const { ageMs } = freshnessOf(refreshed.response, this.clock.now())
      return answerFromStore(request, refreshed.response, ageMs, { fwd, fwdStatus: 304 })
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
  private storeAndAnswer(exchange: Exchange, response: Response, times: RoundTrip, settle: Settle): Response {
    const { request, target, baseKey, fwd } = exchange
    const { upstream } = target
    const status: CacheStatus = exchange.stale === undefined ? { fwd } : { fwd, fwdStatus: response.status }
    const { headers } = response
    const facts = { status: response.status, headers, directives: parseCacheControl(headers.get('cache-control')) }
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
      if (saved !== undefined) this.counters.of(upstream.name).stored++
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
    if (!collapsed) this.counters.of(exchange.target.upstream.name).upstreamErrors++
    const status = { fwd: exchange.fwd, collapsed }
    return this.revalidation.staleIfError(exchange, status) ?? this.forwarding.failure(error, exchange.target, status)
  }
}

/** What a waiter answers with when the request it waited on neither completed nor timed out in time. */
const timedOut = () => new DOMException('the shared upstream request did not finish in time', 'TimeoutError')
