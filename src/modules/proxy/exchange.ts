import type { UpstreamConfig } from '../../config/schema'
import type { Forward } from '../../http/cache-status'
import type { Directives } from './cache-control'
import { forwards, varyKey, varyNames } from './headers'
import type { LoadedResponse } from './stored-response'
import type { Target } from './target'

/**
 * A proxied GET that goes to the upstream for the cache (a miss or a revalidation): what every step
 * from the coalescing to the answer needs, made once when the request is classified. A fresh hit
 * never makes one.
 */
export interface Exchange {
  readonly request: Request
  readonly target: Target
  /** The URL's key in the store, and the key this request's response is (or would be) stored under. */
  readonly baseKey: string
  readonly key: string
  /** The request's Cache-Control. */
  readonly directives: Directives
  /** It carries an Authorization meant for the upstream. */
  readonly authorized: boolean
  /** Why it goes upstream: how its Cache-Status begins. */
  readonly fwd: Forward
  /** The stored response it revalidates, if any. */
  readonly stale: LoadedResponse | undefined
}

/**
 * Reads the cache stays out of: the upstream's Authorization when the upstream does not allow caching
 * it, and, like Varnish by default, a cookie the upstream would see (the answer may be personal
 * without saying so) unless `ignoreCookies` is set. Ranges use the cache: they are answered from
 * whole stored responses.
 */
export function bypassesCache(request: Request, upstream: UpstreamConfig, authorized: boolean): boolean {
  const { headers } = request
  if (authorized && !upstream.cacheAuthorized) return true
  return !upstream.ignoreCookies && headers.has('cookie') && forwards(upstream.forwardHeaders, 'cookie')
}

/** Whether a response stored by another request answers this one: the same values of the fields its Vary names. */
export const sameVariant = (exchange: Exchange, stored: LoadedResponse) =>
  stored.varyKey === varyKey(varyNames(stored.headerView.get('vary')), exchange.request.headers)
