import type { EngineStats } from '../../cache'
import type { ProxyCounters, UpstreamCounters } from '../proxy/counters'
import { DURATION_BUCKETS, type SeriesTotals } from '../stats/request-metrics'
import { histogramQuantile } from './quantile'

/** The key-value read route, as the route table reports it: its 200/304 are hits, its 404 misses. */
const KV_ROUTE = '/v1/kv/*'

/** Reads answered from the cache, and reads that were not. */
export interface Outcomes {
  hits: number
  misses: number
}

/**
 * A proxy upstream's reads: fresh and stale-while-revalidate answers are hits; no stored response
 * and revalidations (background refreshes included) are misses; bypasses (Range, Authorization
 * that may not be cached) are neither, as nothing could have been cached for them.
 */
const proxyOutcomes = (counters: UpstreamCounters | undefined): Outcomes =>
  counters === undefined
    ? { hits: 0, misses: 0 }
    : { hits: counters.hits + counters.staleHits, misses: counters.misses + counters.revalidations }

/** Every counter the dashboard turns into a rate, at one moment. */
export interface Reading {
  at: number
  /** Requests so far by "METHOD route status". */
  requests: Map<string, number>
  /** Request durations so far, all routes, per bucket of DURATION_BUCKETS (the last: above every bound). */
  durations: Float64Array
  keys: Outcomes
  upstreams: Map<string, Outcomes>
  engine: EngineStats
  tier: Readonly<Record<string, number>> | undefined
}

export function reading(
  at: number,
  requests: SeriesTotals[],
  engine: EngineStats,
  proxy: { counters: ProxyCounters; upstreams: readonly string[] },
  tier: Readonly<Record<string, number>> | undefined,
): Reading {
  const byRoute = new Map<string, number>()
  const durations = new Float64Array(DURATION_BUCKETS.length + 1)
  const keys = { hits: 0, misses: 0 }
  for (const series of requests) {
    byRoute.set(`${series.method} ${series.route} ${series.status}`, series.count)
    for (let i = 0; i < durations.length; i++) durations[i]! += series.counts[i]!
    if (series.route !== KV_ROUTE || (series.method !== 'GET' && series.method !== 'HEAD')) continue
    if (series.status === 200 || series.status === 304) keys.hits += series.count
    else if (series.status === 404) keys.misses += series.count
  }
  // An upstream has counters once it has counted something.
  const counted = new Map(proxy.counters.upstreams())
  const outcomes = new Map(proxy.upstreams.map((name) => [name, proxyOutcomes(counted.get(name))]))
  return { at, requests: byRoute, durations, keys, upstreams: outcomes, engine, tier: tier === undefined ? undefined : { ...tier } }
}

/** What happened between two readings: rates per second, gauges as of the later one. */
export interface Point {
  /** Epoch milliseconds of the later reading. */
  t: number
  /** Requests per second by "METHOD route status" (only those that had any). */
  requests: Record<string, number>
  /** Key-value reads per second: found (200/304) and not found (404). */
  keys: Outcomes
  /** Proxy reads per second by upstream: hits, and misses sent upstream. */
  upstreams: Record<string, Outcomes>
  items: number
  bytes: number
  rss: number
  sets: number
  evictions: number
  expirations: number
  /** Request duration quantiles over the interval, in milliseconds; null when nothing was answered. */
  p50Ms: number | null
  p99Ms: number | null
  /** The shared tier's counters per second (null without a tier). */
  tier: Record<string, number> | null
}

const round = (value: number) => Math.round(value * 100) / 100
const perSecond = (now: number, before: number, seconds: number) => round(Math.max(0, now - before) / seconds)
const outcomeRates = (now: Outcomes, before: Outcomes | undefined, seconds: number): Outcomes => ({
  hits: perSecond(now.hits, before?.hits ?? 0, seconds),
  misses: perSecond(now.misses, before?.misses ?? 0, seconds),
})

export function pointBetween(before: Reading, now: Reading, rss: number): Point {
  const seconds = (now.at - before.at) / 1000
  const requests: Record<string, number> = {}
  for (const [series, count] of now.requests) {
    const rate = perSecond(count, before.requests.get(series) ?? 0, seconds)
    if (rate > 0) requests[series] = rate
  }
  const durations = now.durations.map((count, i) => count - before.durations[i]!)
  const quantileMs = (q: number) => {
    const seconds = histogramQuantile(q, DURATION_BUCKETS, durations)
    return seconds === null ? null : round(seconds * 1000)
  }
  const upstreams: Record<string, Outcomes> = {}
  for (const [name, counts] of now.upstreams) upstreams[name] = outcomeRates(counts, before.upstreams.get(name), seconds)
  let tier: Record<string, number> | null = null
  if (now.tier !== undefined) {
    tier = {}
    for (const [name, value] of Object.entries(now.tier)) tier[name] = perSecond(value, before.tier?.[name] ?? 0, seconds)
  }
  return {
    t: now.at,
    requests,
    keys: outcomeRates(now.keys, before.keys, seconds),
    upstreams,
    items: now.engine.items,
    bytes: now.engine.bytes,
    rss,
    sets: perSecond(now.engine.sets, before.engine.sets, seconds),
    evictions: perSecond(now.engine.evictions, before.engine.evictions, seconds),
    expirations: perSecond(now.engine.expirations, before.engine.expirations, seconds),
    p50Ms: quantileMs(0.5),
    p99Ms: quantileMs(0.99),
    tier,
  }
}
