import { describe, expect, test } from 'bun:test'
import { testApp } from '../support/app'
import { VERSION } from '../../src/version'

describe('stats, metrics, health and OpenAPI', () => {
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
    expect(r.text).toMatch(/fastcache_http_request_duration_seconds_count\{route="\/v1\/kv\/\*",status="200"\} 1\n/)
    expect(r.text).toMatch(/fastcache_http_request_duration_seconds_count\{route="\/v1\/kv\/\*",status="404"\} 1\n/)
    expect(r.text).toMatch(/fastcache_http_request_duration_seconds_bucket\{route="\/v1\/kv\/\*",status="201",le="\+Inf"\} 1\n/)
    expect(r.text).toMatch(/fastcache_http_request_duration_seconds_count\{route="unmatched",status="404"\} 1\n/)
  })

  test('/health answers ok', async () => {
    const { call } = testApp()
    const r = await call('GET', '/health')
    expect(r.status).toBe(200)
    expect(r.json).toEqual({ status: 'ok' })
  })

  test('/openapi/json documents the routes without the 405 fallbacks', async () => {
    const { call } = testApp()
    const doc = (await call('GET', '/openapi/json')).json
    expect(doc.openapi).toStartWith('3.')
    for (const path of ['/v1/kv/*', '/v1/incr/*', '/v1/touch/*', '/v1/batch', '/v1/keys', '/v1/stats', '/metrics', '/health']) {
      expect(doc.paths[path]).toBeDefined()
    }
    expect(Object.keys(doc.paths['/v1/kv/*']).sort()).toEqual(['delete', 'get', 'put'])
    expect(doc.paths['/v1/kv/*'].put.parameters.map((p: { name: string }) => p.name)).toContain('ttl')
  })
})
