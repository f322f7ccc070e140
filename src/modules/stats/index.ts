import { Type } from '@sinclair/typebox'
import { Elysia } from 'elysia'
import type { CacheEngine } from '../../cache'
import { otherMethods } from '../../http/method-not-allowed'
import { jsonResponse } from '../../http/respond'
import { RequestMetrics } from './request-metrics'
import { prometheus, stats, type ServerInfo } from './service'
import type { ProxyCounters } from '../proxy/counters'
import type { StoreCounters } from '../../store'
import { access } from '../../access/rules'
import { named, reply, textBody } from '../../http/openapi/declare'

const Count = Type.Integer({ minimum: 0 })
const Counters = (description: string) => Type.Record(Type.String(), Count, { description })

const StatsReply = named(
  'Stats',
  Type.Object({
    items: Count,
    bytes: Type.Integer({ minimum: 0, description: 'charged against maxBytes, overhead included' }),
    maxBytes: Count,
    hits: Count,
    misses: Count,
    hitRatio: Type.Number({ minimum: 0, maximum: 1, description: 'hits / (hits + misses)' }),
    sets: Count,
    deletes: Count,
    evictions: Count,
    expirations: Count,
    uptimeSeconds: Count,
    version: Type.String(),
    proxy: Counters('read-through proxy counters, summed over the upstreams'),
    proxyUpstreams: Type.Record(Type.String(), Counters('its counters'), { description: 'the proxy counters of each upstream' }),
    tier: Type.Optional(Counters('shared tier counters (with --redis or --redis-cluster)')),
  }),
)

/** `GET /v1/stats` (JSON) and `GET /metrics` (Prometheus). */
export function statsModule(engine: CacheEngine, info: ServerInfo, requests: RequestMetrics, proxy: ProxyCounters, tier?: StoreCounters) {
  return new Elysia({ name: 'stats' })
    .get('/v1/stats', () => jsonResponse(200, stats(engine, info, proxy, tier)), {
      response: { 200: reply(StatsReply, 'the counters') },
      detail: { summary: 'Cache counters', operationId: 'getStats', tags: ['observability'], ...access('metrics') },
    })
    .use(otherMethods('/v1/stats', ['GET', 'HEAD']))
    .get(
      '/metrics',
      () =>
        new Response(prometheus(engine, info, requests, proxy, tier), {
          headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' },
        }),
      {
        response: { 200: textBody('text/plain', 'Prometheus text exposition format 0.0.4') },
        detail: { summary: 'Prometheus metrics', operationId: 'getMetrics', tags: ['observability'], ...access('metrics') },
      },
    )
    .use(otherMethods('/metrics', ['GET', 'HEAD']))
}

export { RequestMetrics }
export { timeRequests, type RequestObserver } from './request-timing'
