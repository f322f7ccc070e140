import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createApp } from '../../src/app'
import type { Config } from '../../src/config/schema'
import { baseConfig } from '../support/app'
import { redisAvailable, startRedis, type RedisServer } from '../support/redis'

/** An instance of fastcache on the shared tier, driven through app.handle. */
function instance(redisUrl: string, overrides: Partial<Config> = {}) {
  const app = createApp({ ...baseConfig, tier: { redis: { url: redisUrl }, nearCacheTtlMs: 5000, redisTimeoutMs: 500 }, ...overrides }, { sweepIntervalMs: 0 })
  const call = async (method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}) => {
    const response = await app.handle(new Request(`http://localhost${path}`, { method, body: init.body, headers: init.headers }))
    const text = await response.text()
    return { status: response.status, headers: response.headers, text }
  }
  return { app, call, close: () => app.decorator.shared!.close() }
}

async function until(condition: () => Promise<boolean>, timeoutMs = 3000): Promise<number> {
  const started = performance.now()
  while (!(await condition())) {
    if (performance.now() - started > timeoutMs) throw new Error('condition not met in time')
    await Bun.sleep(2)
  }
  return performance.now() - started
}

describe.skipIf(!redisAvailable)('shared tier on one standalone Redis, two instances', () => {
  let redis: RedisServer
  let a: ReturnType<typeof instance>
  let b: ReturnType<typeof instance>

  beforeAll(async () => {
    redis = await startRedis()
    a = instance(redis.url)
    b = instance(redis.url)
    await until(async () => a.app.decorator.shared!.available && b.app.decorator.shared!.available)
  })
  afterAll(async () => {
    await a?.close()
    await b?.close()
    await redis?.dispose()
  })

  test('a write on A is read on B, with the same version and TTL', async () => {
    const put = await a.call('PUT', '/v1/kv/greeting?ttl=60s', { body: 'hello', headers: { 'content-type': 'text/plain' } })
    expect(put.status).toBe(201)
    const read = await b.call('GET', '/v1/kv/greeting')
    expect(read.status).toBe(200)
    expect(read.text).toBe('hello')
    expect(read.headers.get('content-type')).toBe('text/plain')
    expect(read.headers.get('etag')).toBe(put.headers.get('etag'))
    expect(read.headers.get('cache-control')).toMatch(/^max-age=(59|60)$/)
  })

  test('a delete or overwrite on A stops B serving its near copy within the invalidation delay', async () => {
    await a.call('PUT', '/v1/kv/doc', { body: 'v1' })
    expect((await b.call('GET', '/v1/kv/doc')).text).toBe('v1') // now in B's near cache
    await a.call('PUT', '/v1/kv/doc', { body: 'v2' })
    const overwriteMs = await until(async () => (await b.call('GET', '/v1/kv/doc')).text === 'v2')
    await a.call('DELETE', '/v1/kv/doc')
    const deleteMs = await until(async () => (await b.call('GET', '/v1/kv/doc')).status === 404)
    // Far below the 5 s near-cache TTL: the invalidation did it, not the expiry.
    expect(overwriteMs).toBeLessThan(1000)
    expect(deleteMs).toBeLessThan(1000)
    const stats = JSON.parse((await b.call('GET', '/v1/stats')).text)
    expect(stats.tier.invalidationsReceived).toBeGreaterThanOrEqual(2)
    expect(stats.tier.nearHits).toBeGreaterThanOrEqual(0)
  })

  test('concurrent incr from both instances loses no increment', async () => {
    const bumps = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? a : b).call('POST', '/v1/incr/counter', { body: '{"by":1}', headers: { 'content-type': 'application/json' } }))
    const replies = await Promise.all(bumps)
    expect(replies.every((r) => r.status === 200 || r.status === 201)).toBe(true)
    expect(await until(async () => (await a.call('GET', '/v1/kv/counter')).text === '200')).toBeLessThan(3000)
  })

  test('compare-and-set races have exactly one winner', async () => {
    const put = await a.call('PUT', '/v1/kv/cas', { body: '0' })
    const etag = put.headers.get('etag')!
    for (let round = 0; round < 10; round++) {
      // Both near caches agree once the last round's invalidation arrived (a stale ETag only fails the CAS, never loses a write).
      let current = ''
      await until(async () => {
        const [fromA, fromB] = await Promise.all([a.call('GET', '/v1/kv/cas?meta'), b.call('GET', '/v1/kv/cas?meta')])
        current = fromA.headers.get('etag')!
        return current === fromB.headers.get('etag')
      })
      const results = await Promise.all([a, b, a, b].map((node, i) => node.call('PUT', '/v1/kv/cas', { body: `${round}-${i}`, headers: { 'if-match': current } })))
      expect(results.filter((r) => r.status === 200).length).toBe(1)
      expect(results.filter((r) => r.status === 412).length).toBe(3)
    }
    expect(etag).toMatch(/^"\d+"$/)
    const nx = await Promise.all([a, b].map((node) => node.call('PUT', '/v1/kv/only-once?nx', { body: 'x' })))
    expect(nx.map((r) => r.status).sort()).toEqual([201, 412])
  })

  test('batches and key listing say plainly that they are not available on the shared tier yet', async () => {
    const batch = await a.call('POST', '/v1/batch', { body: '{"ops":[]}', headers: { 'content-type': 'application/json' } })
    expect(batch.status).toBe(501)
    expect((await a.call('GET', '/v1/keys')).status).toBe(501)
  })
})

describe.skipIf(!redisAvailable)('shared tier when Redis goes away and comes back', () => {
  test('reads fall back to the near cache or a 404 that says why, writes get 503, /health is degraded, nothing hangs; recovery is automatic and the near cache is emptied', async () => {
    const redis = await startRedis()
    const node = instance(redis.url, {})
    try {
      await until(async () => node.app.decorator.shared!.available)
      await node.call('PUT', '/v1/kv/kept', { body: 'near' })
      expect((await node.call('GET', '/v1/kv/kept')).text).toBe('near') // near copy made by the read
      await redis.stop()
      await until(async () => JSON.parse((await node.call('GET', '/health')).text).status === 'degraded')
      expect(JSON.parse((await node.call('GET', '/health')).text)).toEqual({ status: 'degraded', redis: 'unavailable' })

      const started = performance.now()
      const miss = await node.call('GET', '/v1/kv/never-seen')
      expect(miss.status).toBe(404)
      expect(miss.headers.get('cache-status')).toBe('fastcache; fwd=miss; detail=redis-unavailable')
      const write = await node.call('PUT', '/v1/kv/x', { body: '1' })
      expect(write.status).toBe(503)
      expect(JSON.parse(write.text).error.code).toBe('REDIS_UNAVAILABLE')
      expect(performance.now() - started).toBeLessThan(2000)

      await redis.restart()
      await until(async () => JSON.parse((await node.call('GET', '/health')).text).status === 'ok', 10_000)
      // The restarted Redis is empty: the near copy of "kept" must not be served (it was dropped on reconnect).
      expect((await node.call('GET', '/v1/kv/kept')).status).toBe(404)
      expect((await node.call('PUT', '/v1/kv/x', { body: '1' })).status).toBe(201)
    } finally {
      await node.close()
      await redis.dispose()
    }
  }, 30_000)
})
