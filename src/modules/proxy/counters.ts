/** What the proxy has done since start, as `/v1/stats` and `/metrics` show it (in this order). */
export interface ProxyCounters {
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
  purged: number
}

export const newProxyCounters = (): ProxyCounters => ({
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
  purged: 0,
})
