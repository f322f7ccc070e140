import { Elysia, t } from 'elysia'
import type { CacheEngine } from '../../cache'
import { otherMethods } from '../../http/method-not-allowed'
import { jsonResponse } from '../../http/respond'
import { RequestMetrics } from './request-metrics'
import { prometheus, stats, type ServerInfo } from './service'
import type { ProxyCounters } from '../proxy/counters'
import type { StoreCounters } from '../../store'
import { access } from '../../access/rules'

const StatsReply = t.Object({
  items: t.Integer(),
  bytes: t.Integer(),
  maxBytes: t.Integer(),
  hits: t.Integer(),
  misses: t.Integer(),
  hitRatio: t.Number(),
  sets: t.Integer(),
  deletes: t.Integer(),
  evictions: t.Integer(),
  expirations: t.Integer(),
  uptimeSeconds: t.Integer(),
  version: t.String(),
  proxy: t.Record(t.String(), t.Integer(), { description: 'read-through proxy counters, summed over the upstreams' }),
  proxyUpstreams: t.Record(t.String(), t.Record(t.String(), t.Integer()), { description: 'the proxy counters of each upstream' }),
  tier: t.Optional(t.Record(t.String(), t.Integer(), { description: 'shared tier counters (with --redis or --redis-cluster)' })),
})

/** `GET /v1/stats` (JSON) and `GET /metrics` (Prometheus). */
export function statsModule(engine: CacheEngine, info: ServerInfo, requests: RequestMetrics, proxy: ProxyCounters, tier?: StoreCounters) {
  return new Elysia({ name: 'stats' })
    .get('/v1/stats', () => jsonResponse(200, stats(engine, info, proxy, tier)), {
      response: { 200: StatsReply },
      detail: { summary: 'Cache counters', ...access('metrics') },
    })
    .use(otherMethods('/v1/stats', ['GET', 'HEAD']))
    .get(
      '/metrics',
      () =>
        new Response(prometheus(engine, info, requests, proxy, tier), {
          headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' },
        }),
      {
        detail: { summary: 'Prometheus metrics', ...access('metrics') },
      },
    )
    .use(otherMethods('/metrics', ['GET', 'HEAD']))
}

export { RequestMetrics }
export { timeRequests, type RequestObserver } from './request-timing'
