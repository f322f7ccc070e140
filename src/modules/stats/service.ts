import type { CacheEngine } from '../../cache'
import type { RequestMetrics } from './request-metrics'

export interface ServerInfo {
  version: string
  startedAt: number
}

export function stats(engine: CacheEngine, info: ServerInfo) {
  const s = engine.stats()
  const lookups = s.hits + s.misses
  return {
    ...s,
    hitRatio: lookups === 0 ? 0 : s.hits / lookups,
    uptimeSeconds: Math.floor((Date.now() - info.startedAt) / 1000),
    version: info.version,
  }
}

type Kind = 'gauge' | 'counter'
const METRICS: [name: string, kind: Kind, help: string, read: (s: ReturnType<typeof stats>) => number][] = [
  ['items', 'gauge', 'Live entries in the cache.', (s) => s.items],
  ['bytes', 'gauge', 'Bytes charged against the memory bound, overhead included.', (s) => s.bytes],
  ['max_bytes', 'gauge', 'The memory bound.', (s) => s.maxBytes],
  ['hits_total', 'counter', 'Key lookups that found a live entry.', (s) => s.hits],
  ['misses_total', 'counter', 'Key lookups that found nothing.', (s) => s.misses],
  ['sets_total', 'counter', 'Successful writes of a value (PUT, batch set, incr).', (s) => s.sets],
  ['deletes_total', 'counter', 'Entries removed by delete, prefix delete or flush.', (s) => s.deletes],
  ['evictions_total', 'counter', 'Live entries evicted to stay within the memory bound.', (s) => s.evictions],
  ['expirations_total', 'counter', 'Entries removed because their TTL ran out.', (s) => s.expirations],
  ['uptime_seconds', 'gauge', 'Seconds since the server started.', (s) => s.uptimeSeconds],
]

/** The Prometheus text exposition of the cache counters and the request histogram. */
export function prometheus(engine: CacheEngine, info: ServerInfo, requests: RequestMetrics): string {
  const s = stats(engine, info)
  const lines: string[] = []
  for (const [name, kind, help, read] of METRICS) {
    lines.push(`# HELP fastcache_${name} ${help}`, `# TYPE fastcache_${name} ${kind}`, `fastcache_${name} ${read(s)}`)
  }
  lines.push('# HELP fastcache_build_info The running version.', '# TYPE fastcache_build_info gauge', `fastcache_build_info{version="${info.version}"} 1`)
  return lines.join('\n') + '\n' + requests.render()
}
