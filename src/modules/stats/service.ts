import type { CacheEngine } from '../../cache'
import type { ProxyCounters, UpstreamCounters } from '../proxy/counters'
import type { StoreCounters } from '../../store'
import { processMetricLines } from './process-metrics'
import { type RequestMetrics, escapeLabel } from './request-metrics'

export interface ServerInfo {
  version: string
  startedAt: number
  /** Requests being handled right now (the in-flight bound's count). */
  inFlight(): number
}

export function stats(engine: CacheEngine, info: ServerInfo, proxy: ProxyCounters, tier?: StoreCounters) {
  const s = engine.stats()
  const lookups = s.hits + s.misses
  return {
    ...s,
    hitRatio: lookups === 0 ? 0 : s.hits / lookups,
    uptimeSeconds: Math.floor((Date.now() - info.startedAt) / 1000),
    version: info.version,
    proxy: proxy.totals(),
    proxyUpstreams: Object.fromEntries(proxy.upstreams().map(([name, counters]) => [name, { ...counters }])),
    ...(tier === undefined ? {} : { tier: { ...tier.values } }),
  }
}

type Kind = 'gauge' | 'counter'
const METRICS: [name: string, kind: Kind, help: string, read: (s: ReturnType<typeof stats>) => number][] = [
  ['items', 'gauge', 'Live entries in the cache.', (s) => s.items],
  ['bytes', 'gauge', 'Bytes charged against the memory bound, overhead included.', (s) => s.bytes],
  ['max_bytes', 'gauge', 'The memory bound.', (s) => s.maxBytes],
  ['hits_total', 'counter', 'Engine lookups that found a live entry (key-value and proxy).', (s) => s.hits],
  ['misses_total', 'counter', 'Engine lookups that found nothing (key-value and proxy).', (s) => s.misses],
  ['sets_total', 'counter', 'Successful writes of a value (PUT, batch set, incr).', (s) => s.sets],
  ['deletes_total', 'counter', 'Entries removed by delete, prefix delete or flush.', (s) => s.deletes],
  ['evictions_total', 'counter', 'Live entries evicted to stay within the memory bound.', (s) => s.evictions],
  ['expirations_total', 'counter', 'Entries removed because their TTL ran out.', (s) => s.expirations],
  ['uptime_seconds', 'gauge', 'Seconds since the server started.', (s) => s.uptimeSeconds],
]

const PROXY_HELP: Record<keyof UpstreamCounters, string> = {
  hits: 'Proxy requests answered from a fresh stored response.',
  staleHits: 'Proxy requests answered stale while one background revalidation ran (stale-while-revalidate).',
  misses: 'Proxy requests with no stored response.',
  revalidations: 'Stored responses revalidated with the upstream.',
  notModified: 'Revalidations answered 304 by the upstream.',
  stored: 'Upstream responses stored.',
  collapsed: 'Proxy requests that waited for another one to the same URL instead of going upstream.',
  bypassed: 'Proxy reads sent upstream without the cache (Range, or Authorization the upstream does not let us cache).',
  passedThrough: 'Proxy requests with other methods, passed through.',
  upstreamErrors: 'Upstream requests that failed or timed out.',
  staleIfError: 'Proxy requests answered stale because the upstream failed (stale-if-error).',
}
const PURGED_HELP = 'Stored proxy responses removed by purges.'

const snakeCase = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

/** A feature's counters as Prometheus counters: `fastcache_<feature>_<name>_total`, each with its help text. */
function counterLines<C extends object>(feature: string, counters: C, help: Record<keyof C, string>): string[] {
  return Object.entries(counters).flatMap(([name, value]) => {
    const metric = `fastcache_${feature}_${snakeCase(name)}_total`
    return [`# HELP ${metric} ${help[name as keyof C]}`, `# TYPE ${metric} counter`, `${metric} ${value}`]
  })
}

/** The proxy's counters by upstream: one series per upstream, labelled, under each counter's help. */
function upstreamLines(proxy: ProxyCounters): string[] {
  const upstreams = proxy.upstreams()
  return (Object.keys(PROXY_HELP) as (keyof UpstreamCounters)[]).flatMap((name) => {
    const metric = `fastcache_proxy_${snakeCase(name)}_total`
    const series = upstreams.map(([upstream, counters]) => `${metric}{upstream="${escapeLabel(upstream)}"} ${counters[name]}`)
    return [`# HELP ${metric} ${PROXY_HELP[name]}`, `# TYPE ${metric} counter`, ...series]
  })
}

/** The Prometheus text exposition of the cache counters and the request histogram. */
export function prometheus(
  engine: CacheEngine,
  info: ServerInfo,
  requests: RequestMetrics,
  proxy: ProxyCounters,
  tier?: StoreCounters,
): string {
  const s = stats(engine, info, proxy, tier)
  const lines: string[] = []
  for (const [name, kind, help, read] of METRICS) {
    lines.push(`# HELP fastcache_${name} ${help}`, `# TYPE fastcache_${name} ${kind}`, `fastcache_${name} ${read(s)}`)
  }
  lines.push(...upstreamLines(proxy), ...counterLines('proxy', { purged: proxy.purged }, { purged: PURGED_HELP }))
  if (tier !== undefined) lines.push(...counterLines('tier', tier.values, tier.help))
  lines.push(
    '# HELP fastcache_build_info The running version.',
    '# TYPE fastcache_build_info gauge',
    `fastcache_build_info{version="${info.version}"} 1`,
  )
  lines.push(
    '# HELP fastcache_http_requests_in_flight Requests being handled.',
    '# TYPE fastcache_http_requests_in_flight gauge',
    `fastcache_http_requests_in_flight ${info.inFlight()}`,
  )
  lines.push(...processMetricLines(info.startedAt))
  return `${lines.join('\n')}\n${requests.render()}`
}
