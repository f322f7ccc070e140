import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Value } from '@sinclair/typebox/value'
import { DataReply } from '../../src/modules/dashboard/model'
import type { DashboardData } from '../../src/modules/dashboard/service'
import { testApp } from '../support/app'
import { cached, proxied, stopOrigins } from '../support/proxied'
import { redisAvailable, startRedis, type RedisServer } from '../support/redis'

afterEach(stopOrigins)

type App = ReturnType<typeof testApp>

/** GET /dashboard/data, checked against the schema the route declares (Elysia does not check a returned Response). */
async function data(call: App['call'], since?: number): Promise<DashboardData> {
  const reply = await call('GET', `/dashboard/data${since === undefined ? '' : `?since=${since}`}`)
  expect(reply.status).toBe(200)
  expect(reply.headers.get('cache-control')).toBe('no-store')
  const errors = [...Value.Errors(DataReply, reply.json)].map((error) => `${error.path}: ${error.message}`)
  expect(errors).toEqual([])
  return reply.json
}

/** Moves the clock on and takes a point, as the timer does every second in the server. */
function tick(app: App, ms = 1000) {
  app.clock.advance(ms)
  app.app.decorator.dashboard.sample()
}

describe('GET /dashboard/data: the figures the dashboard draws', () => {
  test('rates per second between readings: requests by route and status, key reads found and not, sets, latency', async () => {
    const app = testApp()
    const { call } = app
    await call('PUT', '/v1/kv/warm', { body: 'x' })
    expect((await data(call)).points).toEqual([])
    for (let i = 0; i < 6; i++) await call('PUT', `/v1/kv/k${i}`, { body: 'value' })
    for (let i = 0; i < 6; i++) await call('GET', `/v1/kv/k${i}`)
    for (let i = 0; i < 2; i++) await call('GET', `/v1/kv/missing${i}`)
    await call('HEAD', '/v1/kv/k0')
    tick(app, 2000)
    const [point] = (await data(call)).points
    expect(point!.requests).toEqual({
      'PUT /v1/kv/* 201': 3,
      'GET /v1/kv/* 200': 3,
      'GET /v1/kv/* 404': 1,
      'HEAD /v1/kv/* 200': 0.5,
      // The first look at the dashboard, after the first reading.
      'GET /dashboard/data 200': 0.5,
    })
    expect(point!.keys).toEqual({ hits: 3.5, misses: 1 })
    expect(point!.sets).toBe(3)
    expect(point!.items).toBe(7)
    expect(point!.p50Ms).toBeGreaterThan(0)
    expect(point!.p99Ms).toBeGreaterThanOrEqual(point!.p50Ms!)
    expect(point!.t).toBe(app.clock.now())
    // A quiet second: no requests but the dashboard's own, nothing found or missed, no latency to speak of.
    tick(app)
    const quiet = (await data(call, point!.t)).points
    expect(quiet.length).toBe(1)
    expect(quiet[0]!.requests).toEqual({ 'GET /dashboard/data 200': 1 })
    expect(quiet[0]!.keys).toEqual({ hits: 0, misses: 0 })
  })

  test('`since` returns only newer points; the window keeps the last 300', async () => {
    const app = testApp()
    await data(app.call)
    for (let i = 0; i < 305; i++) {
      // The page looks every second; without a look for a minute the sampling would stop.
      if (i % 30 === 0) await data(app.call)
      tick(app)
    }
    const all = (await data(app.call)).points
    expect(all.length).toBe(300)
    expect(all[0]!.t).toBe(all[299]!.t - 299_000)
    const newer = (await data(app.call, all[297]!.t)).points
    expect(newer.map((p) => p.t)).toEqual([all[298]!.t, all[299]!.t])
    expect((await app.call('GET', '/dashboard/data?since=soon')).status).toBe(400)
    expect((await app.call('GET', '/dashboard/data?until=1')).status).toBe(400)
  })

  test('evictions and expirations per second, and memory charged against --max-memory', async () => {
    const app = testApp({ maxMemoryBytes: 64 * 1024 })
    await data(app.call)
    for (let i = 0; i < 20; i++) await app.call('PUT', `/v1/kv/short${i}?ttl=1`, { body: 'x' })
    app.clock.advance(1500)
    app.engine.sweepExpired()
    for (let i = 0; i < 40; i++) await app.call('PUT', `/v1/kv/big${i}`, { body: 'y'.repeat(4000) })
    tick(app, 500)
    const reply = await data(app.call)
    const [point] = reply.points
    expect(point!.expirations).toBe(20 / 2)
    expect(point!.evictions).toBeGreaterThan(0)
    expect(point!.bytes).toBeLessThanOrEqual(64 * 1024)
    expect(reply.current.maxBytes).toBe(64 * 1024)
    expect(reply.current.bytes).toBe(app.engine.stats().bytes)
    expect(reply.current.rss).toBeGreaterThan(reply.current.bytes)
  })

  test("proxy hit ratio by upstream, from the proxy's own counters: fresh and stale answers hit, misses and revalidations do not", async () => {
    let maxAge = 60
    const app = proxied(() => new Response('body', { headers: { 'cache-control': `max-age=${maxAge}, stale-while-revalidate=30` } }))
    const read = async (path: string, headers: Record<string, string> = {}) =>
      (await app.call('GET', `/proxy/api/${path}`, { headers })).headers.get('cache-status')
    // Before the first look: in the totals, not in any rate.
    await read('before')
    await data(app.call)
    expect(await read('a')).toContain('fwd=uri-miss')
    expect(await read('a')).toContain('hit')
    expect(await read('b')).toContain('fwd=uri-miss')
    // Stale: revalidated on request (a miss) ...
    maxAge = 0
    expect(await read('c')).toContain('fwd=uri-miss')
    app.clock.advance(1000)
    expect(await read('c', { 'cache-control': 'max-age=0' })).toContain('fwd=request')
    // ... or served stale while it is refreshed in the background (a hit; the refresh a miss).
    app.clock.advance(1000)
    expect(await read('c')).toContain('detail=stale-while-revalidate')
    // A Range is answered from the stored response (a hit); a POST passed through is neither a hit nor a miss.
    expect((await app.call('GET', '/proxy/api/a', { headers: { range: 'bytes=0-1' } })).status).toBe(206)
    await app.call('POST', '/proxy/api/a', { body: 'x' })
    await Bun.sleep(20)
    tick(app)
    const reply = await data(app.call)
    expect(reply.upstreams).toEqual(['api'])
    // 3 hits (a, stale c, a's range) and 5 misses (a, b, c, c revalidated, c refreshed) in 3 seconds.
    expect(reply.points[0]!.upstreams).toEqual({ api: { hits: 1, misses: 1.67 } })
    // Proxy reads are not key reads.
    expect(reply.points[0]!.keys).toEqual({ hits: 0, misses: 0 })
  })

  test('an upstream nothing was asked of reads as zero, and is not added to the proxy counters', async () => {
    const app = proxied(cached('body', 'max-age=60'))
    await data(app.call)
    tick(app)
    expect((await data(app.call)).points[0]!.upstreams).toEqual({ api: { hits: 0, misses: 0 } })
    expect((await app.call('GET', '/v1/stats')).json.proxyUpstreams).toEqual({})
  })

  test('nobody looking for a minute: sampling stops, and the next look starts afresh', async () => {
    const app = testApp()
    const dashboard = app.app.decorator.dashboard
    expect(dashboard.watched).toBe(false)
    await data(app.call)
    expect(dashboard.watched).toBe(true)
    tick(app)
    expect((await data(app.call)).points.length).toBe(1)
    app.clock.advance(61_000)
    dashboard.sample()
    expect(dashboard.watched).toBe(false)
    await app.call('PUT', '/v1/kv/unseen', { body: 'x' })
    const fresh = await data(app.call)
    expect(fresh.points).toEqual([])
    tick(app)
    // The write while nobody looked is before the new first reading: no rate shows it.
    expect((await data(app.call)).points[0]!.sets).toBe(0)
  })

  test('top key prefixes by count and by bytes; proxy responses as internal entries; keys without a separator', async () => {
    const app = proxied(cached('a response body', 'max-age=60'))
    for (let i = 0; i < 5; i++) await app.call('PUT', `/v1/kv/users/${i}`, { body: 'u' })
    for (let i = 0; i < 3; i++) await app.call('PUT', `/v1/kv/session:${i}`, { body: 's'.repeat(3000) })
    await app.call('PUT', '/v1/kv/plain', { body: 'p' })
    await app.call('GET', '/proxy/api/page')
    const { prefixes } = (await data(app.call)).current
    const stats = app.engine.stats()
    expect(prefixes.sampledEntries).toBe(stats.items)
    expect(prefixes.items).toBe(stats.items)
    expect(prefixes.byCount.map((row) => [row.kind, row.name, row.count])).toEqual([
      ['prefix', 'users/', 5],
      ['prefix', 'session:', 3],
      // Ties by name.
      ['none', '', 1],
      ['internal', 'proxy api', 1],
    ])
    expect(prefixes.byBytes[0]).toMatchObject({ kind: 'prefix', name: 'session:', count: 3 })
    // Read whole, the figures are exact: each group's bytes are its entries' charges.
    expect(prefixes.byBytes[0]!.bytes).toBe(3 * app.engine.chargeOf('session:0', 3000))
    expect(prefixes.byCount.reduce((sum, row) => sum + row.bytes, 0)).toBe(stats.bytes)
  })

  test('persistence: the snapshot on disk (when, how large) and the journals', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fastcache-dashboard-'))
    try {
      const persistence = { dir, snapshotIntervalMs: 0, fsync: 'no' as const, recover: false }
      const app = testApp({ persistence })
      expect((await data(app.call)).current.persistence).toEqual({ snapshot: null, journalBytes: 0, journals: 0 })
      writeFileSync(join(dir, 'snapshot.fcs'), new Uint8Array(1000))
      utimesSync(join(dir, 'snapshot.fcs'), new Date(1_700_000_000_000), new Date(1_700_000_000_000))
      writeFileSync(join(dir, 'journal-4.fcj'), new Uint8Array(300))
      writeFileSync(join(dir, 'journal-5.fcj'), new Uint8Array(20))
      writeFileSync(join(dir, 'journal-5.fcj.damaged-1'), new Uint8Array(7))
      expect((await data(app.call)).current.persistence).toEqual({
        snapshot: { at: 1_700_000_000_000, bytes: 1000 },
        journalBytes: 320,
        journals: 2,
      })
      expect((await data(testApp().call)).current.persistence).toBeNull()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('the figures are admin only, like /metrics (open with --public-metrics); the page and its files are open', async () => {
    const tokens = [
      { scope: 'admin' as const, secret: 'aaaaaaaaaaaaaaaaaaaa' },
      { scope: 'read' as const, secret: 'rrrrrrrrrrrrrrrrrrrr' },
    ]
    const locked = testApp({ tokens })
    const open = testApp({ tokens, publicMetrics: true })
    for (const path of [
      '/dashboard',
      '/dashboard/dashboard.js',
      '/dashboard/token.js',
      '/dashboard/uPlot.iife.min.js',
      '/dashboard/uPlot.min.css',
    ]) {
      expect([path, (await locked.call('GET', path)).status]).toEqual([path, 200])
    }
    for (const path of ['/dashboard/data']) {
      expect([path, (await locked.call('GET', path)).status]).toEqual([path, 401])
      expect([path, (await locked.call('GET', path, { headers: { authorization: 'Bearer rrrrrrrrrrrrrrrrrrrr' } })).status]).toEqual([
        path,
        403,
      ])
      expect([path, (await locked.call('GET', path, { headers: { authorization: 'Bearer aaaaaaaaaaaaaaaaaaaa' } })).status]).toEqual([
        path,
        200,
      ])
      expect([path, (await open.call('GET', path)).status]).toEqual([path, 200])
    }
    // The page tells its script whether to ask for a token before the first poll.
    const meta = async (app: ReturnType<typeof testApp>) =>
      /<meta name="fastcache-token" content="([\w-]+)">/.exec((await app.call('GET', '/dashboard')).text)?.[1]
    expect(await meta(locked)).toBe('needed')
    expect(await meta(open)).toBe('not-needed')
    expect(await meta(testApp())).toBe('not-needed')
  })

  test('the page loads only its own files (uPlot from the pinned package), under a policy that allows no other origin', async () => {
    const { call } = testApp()
    const page = await call('GET', '/dashboard')
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'")
    const loaded = [...page.text.matchAll(/(?:src|href)="([^"]*)"/g)].map((match) => match[1]!)
    expect(loaded.toSorted()).toEqual([
      'dashboard/dashboard.css',
      'dashboard/dashboard.js',
      'dashboard/token.js',
      'dashboard/uPlot.iife.min.js',
      'dashboard/uPlot.min.css',
      'data:,',
    ])
    expect(page.text).not.toMatch(/https?:\/\//)
    const uplot = await call('GET', '/dashboard/uPlot.iife.min.js')
    expect(uplot.text).toBe(await Bun.file('node_modules/uplot/dist/uPlot.iife.min.js').text())
    expect((await call('GET', '/dashboard/dashboard.css')).headers.get('content-type')).toBe('text/css; charset=utf-8')
  })

  test('at /dashboard/ its relative links would miss: redirected to the page, relatively (a proxy may add a path prefix)', async () => {
    const { call } = testApp()
    const slash = await call('GET', '/dashboard/?x=1')
    expect(slash.status).toBe(308)
    expect(new URL(slash.headers.get('location')!, 'http://h/prefix/dashboard/').pathname).toBe('/prefix/dashboard')
  })
})

describe.skipIf(!redisAvailable)('the dashboard on the shared tier', () => {
  let redis: RedisServer
  beforeAll(async () => {
    redis = await startRedis()
  })
  afterAll(() => redis?.dispose())

  test("tier status and the tier's counters, invalidations received included", async () => {
    const tier = { redis: { url: redis.url }, nearCacheTtlMs: 5000, redisTimeoutMs: 1000 }
    const a = testApp({ tier })
    const b = testApp({ tier })
    try {
      await a.app.decorator.shared!.ready(2000)
      await b.app.decorator.shared!.ready(2000)
      await data(b.call)
      // Each write on a tells the other instances to drop their near copy.
      for (let attempt = 0; attempt < 100; attempt++) {
        await a.call('PUT', `/v1/kv/shared${attempt}`, { body: 'x' })
        if (b.app.decorator.shared!.counters.values.invalidationsReceived! > 0) break
        await Bun.sleep(20)
      }
      tick(b)
      const reply = await data(b.call)
      expect(reply.current.tier!.available).toBe(true)
      expect(reply.current.tier!.counters.invalidationsReceived).toBeGreaterThan(0)
      expect(reply.points[0]!.tier!.invalidationsReceived).toBeGreaterThan(0)
      expect(Object.keys(reply.current.tier!.counters).toSorted()).toEqual(Object.keys(b.app.decorator.shared!.counters.values).toSorted())
    } finally {
      await a.app.decorator.shared!.close()
      await b.app.decorator.shared!.close()
    }
  })
})
