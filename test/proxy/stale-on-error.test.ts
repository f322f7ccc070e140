import { afterEach, describe, expect, test } from 'bun:test'
import type { UpstreamConfig } from '../../src/config/schema'
import { proxied, stopOrigins } from '../support/proxied'

afterEach(stopOrigins)

/** A response stored with these fields, asked for again `afterMs` later, when the upstream is gone (or answers 503). */
async function whenDown(cacheControl: string, afterMs: number, options: Partial<UpstreamConfig> = {}, fails: 'gone' | '503' = 'gone') {
  let down = false
  const { call, clock, origin } = proxied(
    () => (down ? new Response('down', { status: 503 }) : new Response('good', { headers: { 'cache-control': cacheControl } })),
    options,
  )
  await call('GET', '/proxy/api/s')
  clock.advance(afterMs)
  if (fails === 'gone') origin.stop()
  down = true
  return call('GET', '/proxy/api/s')
}

describe('a stale response while the upstream cannot be reached (RFC 9111 section 4.2.4)', () => {
  test('stands in for up to staleOnError past its freshness (1 minute by default), and says so', async () => {
    const reply = await whenDown('max-age=10', 40_000)
    expect([reply.status, reply.text]).toEqual([200, 'good'])
    expect(reply.headers.get('cache-status')).toBe('fastcache; fwd=stale; ttl=-30; detail=stale-on-error')
    expect((await whenDown('max-age=10', 80_000)).status).toBe(502)
    expect((await whenDown('max-age=10', 80_000, { staleOnErrorMs: 120_000 })).status).toBe(200)
  })

  test.each(['must-revalidate', 'proxy-revalidate', 'no-cache', 's-maxage=10'])('never when the response says %s', async (directive) => {
    expect((await whenDown(`max-age=10, ${directive}`, 20_000)).status).toBe(502)
  })

  test('not with staleOnError at 0, nor for an upstream that answers (a 503 goes to the client)', async () => {
    expect((await whenDown('max-age=10', 20_000, { staleOnErrorMs: 0 })).status).toBe(502)
    const answered = await whenDown('max-age=10', 20_000, {}, '503')
    expect([answered.status, answered.text]).toEqual([503, 'down'])
  })

  test("the response's own stale-if-error still opens a longer window, on a 503 too", async () => {
    const reply = await whenDown('max-age=10, stale-if-error=600', 300_000, {}, '503')
    expect(reply.headers.get('cache-status')).toBe('fastcache; fwd=stale; fwd-status=503; ttl=-290; detail=stale-if-error')
  })
})
