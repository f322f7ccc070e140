import type { Clock } from '../../cache'
import { readStreamUpTo } from '../../http/body'
import { appendCacheStatus, type CacheStatus } from '../../http/cache-status'
import type { Logger } from '../../log/logger'
import { StoreUnavailable } from '../../store'
import { Coalescer, waitFor } from './coalescer'
import type { ProxyCounters } from './counters'
import { sameVariant, type Exchange } from './exchange'
import type { Forwarding } from './forwarding'
import { declaredLength, endToEndResponseHeaders, NULL_BODY_STATUSES, varyKey, varyNames } from './headers'
import { NO_DIRECTIVES, parseCacheControl } from './cache-control'
import { freshnessOf, hasExplicitFreshness, refusalToStore, responseFacts, reuseFor, storageTerms, type RoundTrip } from './policy'
import { ProxyStore } from './proxy-store'
import { addValidators, type Revalidation } from './revalidation'
import type { Target } from './target'
import { answerFromStore, heuristicDetail } from './stored-answer'
import { loadedFrom, tagsOf, type LoadedResponse, type StoredResponse } from './stored-response'

/** How long past the shared request's own timeout its waiters wait before answering 504 themselves. */
const WAITER_MARGIN_MS = 100
/** A fetch's lease outlasts its upstream timeout by this much: the response is stored after it has arrived. */
const LEASE_MARGIN_MS = 1000
/** Who takes the proxy's leases, for the stores' per-client bound. */
const LEASE_CLIENT = 'proxy'

/** What a request to the upstream leaves for the requests that waited on it. */
type Shared =
  /** Stored: waiters with the same Vary values are answered with it. */
  | { kind: 'stored'; response: LoadedResponse }
  /** Answered, but with nothing others may reuse (private, too large, other Vary values): waiters go upstream themselves. */
  | { kind: 'unshared' }
  /** The upstream failed or timed out: waiters are answered as it was, without asking again. */
  | { kind: 'failed'; error: unknown }
const UNSHARED: Shared = { kind: 'unshared' }
const EMPTY = new Uint8Array(0)
/** A store that cannot answer (the shared tier's Redis is down) leaves the response unstored; anything else is a bug. */
function unlessUnavailable<T>(error: unknown, instead: T): T {
  if (error instanceof StoreUnavailable) return instead
  throw error
}
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

  /**
   * A POST's answer that is the URL's representation (Content-Location names it): stored for later
   * GETs when RFC 9111 would store it for a GET and it has explicit freshness, else relayed.
   */
  storeWriteAnswer(request: Request, target: Target, response: Response, times: RoundTrip): Promise<Response> {
    const baseKey = ProxyStore.baseKey(target.upstream.name, target.pathAndQuery)
    const exchange: Exchange = {
      request,
      target,
      baseKey,
      key: baseKey,
      directives: parseCacheControl(request.headers.get('cache-control')),
      authorized: this.forwarding.carriesUpstreamAuthorization(request),
      fwd: 'method',
      stale: undefined,
    }
    if (!hasExplicitFreshness(responseFacts(response.status, response.headers, target.upstream)))
      return this.forwarding.relay(response, target, { fwd: 'method' })
    return this.storeAndAnswer(exchange, response, times, () => {})
  }

  /** When it `leads`, requests for the same key wait on this fetch until it settles. */
  private async fetchForStore(exchange: Exchange, leads: boolean): Promise<Response> {
    let settle: Settle = () => {}
    if (leads) this.inflight.lead(exchange.key, new Promise((resolve) => (settle = resolve)), exchange.target.upstream.timeoutMs)
    try {
      return await (leads ? this.fetchUnderLease(exchange, settle) : this.fetchAndStore(exchange, settle))
    } catch (error) {
      settle(UNSHARED)
      throw error
    }
  }

  /**
   * One fetch per key across everything that shares the store (the instances of a shared tier): the
   * one that takes the key's lease asks the upstream and gives the lease back once the outcome is
   * known (stored, or not); the others wait for that, then answer from the store what it stored, or
   * ask the upstream themselves when it stored nothing. On an instance's own store the lease is
   * always free (requests on one instance already wait on each other), and only a lookup is added.
   */
  private async fetchUnderLease(exchange: Exchange, settle: Settle): Promise<Response> {
    const leases = this.store.leases
    const durationMs = exchange.target.upstream.timeoutMs + LEASE_MARGIN_MS
    const token = await Promise.resolve(leases.acquire(exchange.key, durationMs, LEASE_CLIENT)).catch(() => 'unavailable' as const)
    if (token === undefined) {
      await leases.wait(exchange.key, durationMs).catch(() => 'timeout')
      return (await this.answerStoredMeanwhile(exchange, settle)) ?? this.fetchAndStore(exchange, settle)
    }
    if (typeof token !== 'string' || token === 'full' || token === 'client-full' || token === 'unavailable')
      return this.fetchAndStore(exchange, settle)
    let held = true
    const release = () => {
      if (!held) return
      held = false
      void Promise.resolve(leases.release(exchange.key, token)).catch(() => {})
    }
    const settleAndRelease: Settle = (shared) => {
      settle(shared)
      release()
    }
    // The lease goes back when the outcome is known, which for a body still streaming is once it is stored.
    try {
      // Another instance may have stored it between this one's lookup and the lease.
      return (await this.answerStoredMeanwhile(exchange, settleAndRelease)) ?? (await this.fetchAndStore(exchange, settleAndRelease))
    } catch (error) {
      release()
      throw error
    }
  }

  /** The answer from a response stored since this request looked (fresh, and newer than its stale copy), if there is one. */
  private async answerStoredMeanwhile(exchange: Exchange, settle: Settle): Promise<Response | undefined> {
    const found = await Promise.resolve(this.store.lookup(exchange.baseKey, exchange.request.headers)).catch(() => undefined)
    const stored = found?.response
    if (stored === undefined || (exchange.stale !== undefined && stored.responseTime <= exchange.stale.responseTime)) return undefined
    const freshness = freshnessOf(stored, this.clock.now())
    if (reuseFor(freshness, NO_DIRECTIVES, null).kind !== 'fresh') return undefined
    settle({ kind: 'stored', response: stored })
    this.counters.of(exchange.target.upstream.name).collapsed++
    return answerFromStore(exchange.request, stored, freshness.ageMs, { fwd: exchange.fwd, collapsed: true })
  }

  /** Asks the upstream (conditionally when a stale copy has validators) and answers from what comes back. */
  private async fetchAndStore(exchange: Exchange, settle: Settle): Promise<Response> {
    const { request, target, stale, fwd } = exchange
    const headers = this.forwarding.cacheFillHeaders(request, target.upstream)
    if (stale !== undefined) addValidators(headers, stale)
    const url = target.url
    const requestTime = this.clock.now()
    try {
      const response = await this.forwarding.send(url, target.upstream, 'GET', headers, null)
      const times = { requestTime, responseTime: this.clock.now() }
      if (stale !== undefined && response.status === 304) {
        const refreshed = await this.revalidation.refresh(exchange, stale, response.headers, times)
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
      return await this.storeAndAnswer(exchange, response, times, settle)
    } catch (error) {
      // The request, or the reading of a body the client had not been sent yet, failed.
      settle({ kind: 'failed', error })
      return this.upstreamFailed(exchange, error, false)
    }
  }

  /**
   * The upstream's answer for the client, stored when RFC 9111 allows and it fits. A body of known
   * length is read whole, stored, and answered as a hit would be (with its Content-Length, and a
   * 304 or a range when the client asked); one of unknown length is streamed to the client while it
   * is stored.
   */
  private async storeAndAnswer(exchange: Exchange, response: Response, times: RoundTrip, settle: Settle): Promise<Response> {
    const { request, target, baseKey, fwd } = exchange
    const { upstream } = target
    const status: CacheStatus = exchange.stale === undefined ? { fwd } : { fwd, fwdStatus: response.status }
    const facts = responseFacts(response.status, response.headers, upstream)
    const refusal = refusalToStore(facts, exchange.directives, exchange.authorized, upstream)
    const length = declaredLength(response.headers)
    const endToEnd = endToEndResponseHeaders(response.headers)
    if (refusal !== null || (length ?? 0) > upstream.maxBodyBytes) {
      settle(UNSHARED)
      return this.forwarding.relay(response, target, status, endToEnd)
    }

    const vary = varyNames(response.headers.get('vary'))
    const terms = storageTerms(facts, times, upstream)
    const meta: Omit<StoredResponse, 'body'> = {
      status: response.status,
      headers: endToEnd,
      ...times,
      lifetimeMs: terms.lifetimeMs,
      heuristic: terms.heuristic,
      initialAgeMs: terms.initialAgeMs,
      rules: [...facts.directives],
      varyKey: varyKey(vary, request.headers),
      tags: tagsOf(response.headers),
    }
    const save = async (body: Uint8Array) => {
      const saved = await Promise.resolve(this.store.store(baseKey, vary, request.headers, { ...meta, body }, terms.keepMs)).catch(
        (error: unknown) => unlessUnavailable(error, undefined),
      )
      if (saved !== undefined) this.counters.of(upstream.name).stored++
      settle(storedOrUnshared(saved))
      return saved
    }
    const detail = heuristicDetail(terms)

    if (response.body === null || NULL_BODY_STATUSES.has(response.status) || length !== undefined) {
      const body =
        response.body === null || NULL_BODY_STATUSES.has(response.status)
          ? EMPTY
          : await readStreamUpTo(response.body, upstream.maxBodyBytes)
      // Fetch ends a body at its Content-Length, so it never runs past the bound checked above.
      const whole = body ?? EMPTY
      const saved = await save(whole)
      return answerFromStore(request, saved ?? loadedFrom({ ...meta, body: whole }), terms.initialAgeMs, {
        ...status,
        stored: saved !== undefined,
        detail,
      })
    }

    const out = new Headers(endToEnd)
    out.set('age', String(Math.floor(terms.initialAgeMs / 1000)))
    // The length is unknown when the answer starts: "stored" is not promised; the body is stored if it turns out to fit.
    appendCacheStatus(out, { ...status, detail })
    const [toClient, toStore] = response.body.tee()
    readStreamUpTo(toStore, upstream.maxBodyBytes)
      .then(async (body) => {
        if (body !== undefined) return void (await save(body))
        toStore.cancel().catch(() => {})
        settle(UNSHARED)
      })
      .catch((error: unknown) => settle({ kind: 'failed', error }))
    if (request.method === 'HEAD') {
      void toClient.cancel().catch(() => {})
      return new Response(null, { status: response.status, headers: out })
    }
    return this.forwarding.toClient(response.status, toClient, out, target)
  }

  /** The upstream failed this request, or (`collapsed`) the one it waited on, which counted and logged the failure. */
  private upstreamFailed(exchange: Exchange, error: unknown, collapsed: boolean): Response {
    if (!collapsed) this.counters.of(exchange.target.upstream.name).upstreamErrors++
    const status = { fwd: exchange.fwd, collapsed }
    // The request itself failed (unreachable, reset, timed out): a stale copy may sit that out.
    return this.revalidation.staleIfError(exchange, status, true) ?? this.forwarding.failure(error, exchange.target, status)
  }
}

/** What a waiter answers with when the request it waited on neither completed nor timed out in time. */
const timedOut = () => new DOMException('the shared upstream request did not finish in time', 'TimeoutError')
