import type { UpstreamConfig } from '../../config/schema'
import { unavailableForWrites } from '../../http/store-unavailable'
import type { Logger } from '../../log/logger'
import { StoreUnavailable } from '../../store'
import type { ProxyCounters } from './counters'
import { ProxyStore } from './proxy-store'
import { locate, type Target } from './target'

export type PurgeRequest = { url: string } | { prefix: string } | { tag: string }

/** Dropping stored responses: purges an admin asks for, and what a successful write makes stale. */
export class Invalidation {
  constructor(
    private readonly store: ProxyStore,
    private readonly upstreams: ReadonlyMap<string, UpstreamConfig>,
    private readonly counters: ProxyCounters,
    private readonly logger: Logger,
  ) {}

  /**
   * Purges by URL, URL prefix (each in either form `locate` takes) or tag; the count of responses
   * purged. On a shared tier every instance drops its near copies too. A store that cannot answer is a 503.
   */
  async purge(what: PurgeRequest): Promise<number> {
    let purged: number
    try {
      if ('tag' in what) purged = await this.store.invalidateTag(what.tag)
      else if ('url' in what) {
        const place = locate(this.upstreams, what.url)
        purged = place === undefined ? 0 : await this.store.invalidate(ProxyStore.baseKey(place.upstream, place.path))
      } else {
        const place = locate(this.upstreams, what.prefix)
        purged = place === undefined ? 0 : await this.store.invalidatePrefix(place.upstream, place.path)
      }
    } catch (error) {
      unavailableForWrites(error)
    }
    this.counters.purged += purged
    return purged
  }

  /**
   * RFC 9111 section 4.4: the target URL, and Location / Content-Location when they are on the same
   * upstream; done before the write's answer goes to the client, so no later read anywhere gets the old one.
   */
  async afterWrite(target: Target, responseHeaders: Headers): Promise<void> {
    const { upstream } = target
    const keys = [ProxyStore.baseKey(upstream.name, target.pathAndQuery)]
    for (const field of ['location', 'content-location']) {
      const place = sameUpstreamPlace(responseHeaders.get(field), target, this.upstreams)
      if (place !== undefined) keys.push(ProxyStore.baseKey(place.upstream, place.path))
    }
    try {
      await Promise.all(keys.map((key) => this.store.invalidate(key)))
    } catch (error) {
      if (!(error instanceof StoreUnavailable)) throw error
      // The write happened upstream: its answer still goes to the client. Stored copies heal when they expire.
      this.logger.warn('could not invalidate after a write: the shared tier is unavailable', { url: target.url, error: error.message })
    }
  }
}

/** Whether a write's answer is a representation of its own target: Content-Location names the same URL (RFC 9110 section 9.3.3). */
export function describesTarget(response: Response, target: Target, upstreams: ReadonlyMap<string, UpstreamConfig>): boolean {
  const place = sameUpstreamPlace(response.headers.get('content-location'), target, upstreams)
  return place !== undefined && place.path === target.pathAndQuery
}

/** A Location or Content-Location value, resolved against the target's URL, when it is on the target's upstream. */
function sameUpstreamPlace(value: string | null, target: Target, upstreams: ReadonlyMap<string, UpstreamConfig>) {
  if (value === null) return undefined
  let url: URL
  try {
    url = new URL(value, target.url)
  } catch {
    return undefined
  }
  const place = locate(upstreams, url.href)
  return place?.upstream === target.upstream.name ? place : undefined
}
