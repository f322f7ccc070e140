import type { UpstreamConfig } from '../../config/schema'
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
  ) {}

  /** Purges by URL, URL prefix (each in either form `locate` takes) or tag; the count of responses purged. */
  async purge(what: PurgeRequest): Promise<number> {
    let purged: number
    if ('tag' in what) purged = await this.store.invalidateTag(what.tag)
    else if ('url' in what) {
      const place = locate(this.upstreams, what.url)
      purged = place === undefined ? 0 : this.store.invalidate(ProxyStore.baseKey(place.upstream, place.path))
    } else {
      const place = locate(this.upstreams, what.prefix)
      purged = place === undefined ? 0 : await this.store.invalidatePrefix(place.upstream, place.path)
    }
    this.counters.purged += purged
    return purged
  }

  /** RFC 9111 section 4.4: the target URL, and Location / Content-Location when they are on the same upstream. */
  afterWrite(target: Target, responseHeaders: Headers): void {
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
      const place = locate(this.upstreams, url.href)
      if (place?.upstream === upstream.name) this.store.invalidate(ProxyStore.baseKey(place.upstream, place.path))
    }
  }
}
