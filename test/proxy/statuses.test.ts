import { afterEach, describe, expect, test } from 'bun:test'
import type { UpstreamConfig } from '../../src/config/schema'
import { proxied, stopOrigins } from '../support/proxied'

afterEach(stopOrigins)

const NOW = Date.UTC(2030, 0, 1)
const DAY = 24 * 3600 * 1000
const httpDate = (ms: number) => new Date(ms).toUTCString()

/** A response of this status and fields, fetched, then asked for again `afterMs` later. */
async function twice(status: number, headers: Record<string, string>, afterMs = 0, options: Partial<UpstreamConfig> = {}) {
  const { call, clock, origin } = proxied(() => new Response(status === 204 ? null : 'x', { status, headers }), options)
  const first = await call('GET', '/proxy/api/s')
  clock.advance(afterMs)
  const second = await call('GET', '/proxy/api/s')
  return { first, second, reused: origin.count('/base/s') === 1 }
}

describe('heuristic freshness (RFC 9111 section 4.2.2)', () => {
  const modifiedDayAgo = { 'last-modified': httpDate(NOW - DAY) }

  test.each([200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501])(
    'a %i with Last-Modified and no explicit freshness is fresh for a tenth of its age, and says so',
    async (status) => {
      const { first, second, reused } = await twice(status, modifiedDayAgo, 60_000)
      expect(first.headers.get('cache-status')).toBe('fastcache; fwd=uri-miss; stored; detail=heuristic-freshness')
      expect(reused).toBe(true)
      // A tenth of a day is 8640 s; a minute has gone by.
      expect(second.headers.get('cache-status')).toBe('fastcache; hit; ttl=8580; detail=heuristic-freshness')
    },
  )

  test('past that tenth it is stale (and revalidated with its Last-Modified)', async () => {
    const { reused } = await twice(200, modifiedDayAgo, DAY / 10 + 1000)
    expect(reused).toBe(false)
  })

  test('the lifetime is capped by maxHeuristicTtl; 0 turns the heuristic off', async () => {
    const yearAgo = { 'last-modified': httpDate(NOW - 365 * DAY) }
    expect((await twice(200, yearAgo, 0)).second.headers.get('cache-status')).toBe('fastcache; hit; ttl=86400; detail=heuristic-freshness')
    expect((await twice(200, yearAgo, 0, { maxHeuristicTtlMs: 3_600_000 })).second.headers.get('cache-status')).toBe(
      'fastcache; hit; ttl=3600; detail=heuristic-freshness',
    )
    expect((await twice(200, yearAgo, 0, { maxHeuristicTtlMs: 0 })).reused).toBe(false)
  })

  test('a defaultTtl takes its place; explicit freshness always wins', async () => {
    expect((await twice(200, modifiedDayAgo, 0, { defaultTtlMs: 30_000 })).second.headers.get('cache-status')).toBe(
      'fastcache; hit; ttl=30',
    )
    expect((await twice(200, { ...modifiedDayAgo, 'cache-control': 'max-age=5' })).second.headers.get('cache-status')).toBe(
      'fastcache; hit; ttl=5',
    )
  })

  test.each([201, 202, 403, 502, 503, 504, 599])('a %i is not heuristically cacheable', async (status) => {
    expect((await twice(status, modifiedDayAgo)).reused).toBe(false)
  })

  test('Cache-Control: public makes any final status heuristically cacheable', async () => {
    expect((await twice(599, { ...modifiedDayAgo, 'cache-control': 'public' })).reused).toBe(true)
  })
})

describe('statuses with explicit freshness (RFC 9111 section 3)', () => {
  test.each([400, 500, 502, 503, 504, 299, 499, 599, 302, 307])('a fresh %i is reused; once stale it is not', async (status) => {
    expect((await twice(status, { 'cache-control': 'max-age=60' }, 10_000)).reused).toBe(true)
    expect((await twice(status, { 'cache-control': 'max-age=60' }, 61_000)).reused).toBe(false)
  })

  test('a 206 is never stored, whatever its freshness', async () => {
    const partial = { 'cache-control': 'max-age=60', 'content-range': 'bytes 0-0/10' }
    expect((await twice(206, partial)).reused).toBe(false)
  })
})

describe('must-understand (RFC 9111 section 5.2.2.3)', () => {
  test('with no-store, a status whose semantics fastcache knows is stored anyway', async () => {
    expect((await twice(200, { 'cache-control': 'max-age=60, no-store, must-understand' })).reused).toBe(true)
    expect((await twice(404, { 'cache-control': 'max-age=60, no-store, must-understand' })).reused).toBe(true)
  })

  test('a status it does not know is never stored', async () => {
    expect((await twice(599, { 'cache-control': 'max-age=60, no-store, must-understand' })).reused).toBe(false)
    expect((await twice(299, { 'cache-control': 'max-age=60, must-understand' })).reused).toBe(false)
  })

  test("the request's no-store still keeps the response out", async () => {
    const { call, origin } = proxied(() => new Response('x', { headers: { 'cache-control': 'max-age=60, no-store, must-understand' } }))
    await call('GET', '/proxy/api/m', { headers: { 'cache-control': 'no-store' } })
    await call('GET', '/proxy/api/m')
    expect(origin.count('/base/m')).toBe(2)
  })
})
