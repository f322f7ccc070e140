import { describe, expect, test } from 'bun:test'
import { testApp } from '../support/app'
import { VERSION } from '../../src/version'
import { getMetricsFromIterator, type PromData, type PromHistogramData } from 'prom2javascript'

describe('stats, metrics and health', () => {
  test('/v1/stats reports every counter', async () => {
    const { call, clock } = testApp({ maxMemoryBytes: 1_000_000 })
    await call('PUT', '/v1/kv/a', { body: '1' })
    await call('PUT', '/v1/kv/b?ttl=1', { body: '1' })
    await call('DELETE', '/v1/kv/a')
    await call('GET', '/v1/kv/a')
    clock.advance(1000)
    await call('GET', '/v1/kv/b')
    const stats = (await call('GET', '/v1/stats')).json
    expect(stats).toEqual({
      items: 0,
      bytes: 0,
      maxBytes: 1_000_000,
      hits: 0,
      misses: 2,
      hitRatio: 0,
      sets: 2,
      deletes: 1,
      evictions: 0,
      expirations: 1,
      uptimeSeconds: expect.any(Number),
      version: VERSION,
      proxy: {
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
      },
      proxyUpstreams: {},
    })
  })

  test('/metrics exposes the counters and a request histogram by route template and status', async () => {
    const { call } = testApp()
    await call('PUT', '/v1/kv/a', { body: '1' })
    await call('GET', '/v1/kv/a')
    await call('GET', '/v1/kv/missing')
    await call('GET', '/no/such/route')
    const r = await call('GET', '/metrics')
    expect(r.headers.get('content-type')).toStartWith('text/plain')
    expect(r.text).toContain('# TYPE fastcache_hits_total counter\nfastcache_hits_total 1\n')
    expect(r.text).toContain('fastcache_misses_total 1\n')
    expect(r.text).toContain('fastcache_items 1\n')
    expect(r.text).toContain('fastcache_http_request_duration_seconds_count{method="GET",route="/v1/kv/*",status="200"} 1\n')
    expect(r.text).toContain('fastcache_http_request_duration_seconds_count{method="GET",route="/v1/kv/*",status="404"} 1\n')
    expect(r.text).toContain('fastcache_http_request_duration_seconds_bucket{method="PUT",route="/v1/kv/*",status="201",le="+Inf"} 1\n')
    expect(r.text).toContain('fastcache_http_request_duration_seconds_count{method="GET",route="unmatched",status="404"} 1\n')
  })

  test('/metrics parses as Prometheus text: process_* metrics, requests in flight, histograms by method', async () => {
    const { call } = testApp()
    await call('PUT', '/v1/kv/a', { body: '1' })
    await call('DELETE', '/v1/kv/a')
    await call('PROPFIND', '/v1/kv/a')
    const text = (await call('GET', '/metrics')).text
    const families = await getMetricsFromIterator(text.split('\n')[Symbol.iterator]())
    const one = (name: string) => {
      const family = families[name]
      if (family === undefined) throw new Error(`no ${name} in the exposition`)
      return family
    }
    const value = (name: string) => (one(name).data as PromData[])[0]!.value
    expect(one('process_resident_memory_bytes').type).toBe('gauge')
    expect(value('process_resident_memory_bytes')).toBeGreaterThan(10 * 1024 * 1024)
    expect(one('process_cpu_seconds_total').type).toBe('counter')
    expect(value('process_cpu_seconds_total')).toBeGreaterThan(0)
    expect(value('process_open_fds')).toBeGreaterThan(2)
    expect(Math.abs(value('process_start_time_seconds') - performance.timeOrigin / 1000)).toBeLessThan(2)
    // The metrics request itself is the one in flight.
    expect(value('fastcache_http_requests_in_flight')).toBe(1)
    const histogram = one('fastcache_http_request_duration_seconds')
    expect(histogram.type).toBe('histogram')
    const series = (histogram.data as PromHistogramData[]).map((h) => `${h.labels.method} ${h.labels.route} ${h.labels.status} ${h.count}`)
    expect(series).toEqual(expect.arrayContaining(['PUT /v1/kv/* 201 1', 'DELETE /v1/kv/* 204 1', 'OTHER /v1/kv/* 405 1']))
    for (const h of histogram.data as PromHistogramData[]) {
      // Cumulative: counts never fall as the bound rises, and the last (+Inf) is the count.
      const counts = Object.entries(h.buckets)
        .sort(([a], [b]) => Number(a) - Number(b))
        .map(([, count]) => count)
      expect(counts).toEqual([...counts].sort((a, b) => a - b))
      expect(counts.at(-1)).toBe(h.count)
    }
    for (const [name, family] of Object.entries(families)) expect([name, family.help.length > 0]).toEqual([name, true])
  })

  test('/health answers ok', async () => {
    const { call } = testApp()
    const r = await call('GET', '/health')
    expect(r.status).toBe(200)
    expect(r.json).toEqual({ status: 'ok' })
  })
})
