/** What the proxy has done for one upstream since start, as `/v1/stats` and `/metrics` show it (in this order). */
export interface UpstreamCounters {
  hits: number
  staleHits: number
  misses: number
  revalidations: number
  notModified: number
  stored: number
  collapsed: number
  bypassed: number
  passedThrough: number
  upstreamErrors: number
  staleIfError: number
}

const zero = (): UpstreamCounters => ({
  hits: 0,
  staleHits: 0,
  misses: 0,
  revalidations: 0,
  notModified: 0,
  stored: 0,
  collapsed: 0,
  bypassed: 0,
  passedThrough: 0,
  upstreamErrors: 0,
  staleIfError: 0,
})

/** The proxy's counters: one set per upstream, and the purges (which may span upstreams). */
export class ProxyCounters {
  private readonly byUpstream = new Map<string, UpstreamCounters>()
  purged = 0

  /** One upstream's counters, to count into. */
  of(upstream: string): UpstreamCounters {
    let counters = this.byUpstream.get(upstream)
    if (counters === undefined) {
      counters = zero()
      this.byUpstream.set(upstream, counters)
    }
    return counters
  }

  /** Every upstream that has counted something, with its counters. */
  upstreams(): [name: string, counters: UpstreamCounters][] {
    return [...this.byUpstream]
  }

  /** The sums over every upstream, and the purges. */
  totals(): UpstreamCounters & { purged: number } {
    const sum = zero()
    for (const counters of this.byUpstream.values())
      for (const name of Object.keys(sum) as (keyof UpstreamCounters)[]) sum[name] += counters[name]
    return { ...sum, purged: this.purged }
  }
}
