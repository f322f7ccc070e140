import { afterEach, describe, expect, test } from 'bun:test'
import { proxied, stopOrigins } from '../support/proxied'

afterEach(stopOrigins)

/** Fresh for a minute, with an ETag, and two cookies (or the one a 304 brings). */
function withCookies({ headers }: { headers: Headers }) {
  if (headers.get('if-none-match') === '"v1"')
    return new Response(null, { status: 304, headers: { etag: '"v1"', 'cache-control': 'max-age=60', 'set-cookie': 'c=3' } })
  const response = new Response('body', { headers: { etag: '"v1"', 'cache-control': 'max-age=60' } })
  response.headers.append('set-cookie', 'a=1; Path=/')
  response.headers.append('set-cookie', 'b=2')
  return response
}

describe('responses with Set-Cookie', () => {
  test('by default they are passed on, cookies and all, and not stored', async () => {
    const { call, origin } = proxied(withCookies)
    const first = await call('GET', '/proxy/api/sc')
    expect(first.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2'])
    expect(first.headers.get('cache-status')).toBe('fastcache; fwd=uri-miss')
    await call('GET', '/proxy/api/sc')
    expect(origin.count('/base/sc')).toBe(2)
  })

  test('with storeSetCookie they are stored as RFC 9111 allows, every Set-Cookie line kept, and sent to the next client', async () => {
    const { call, origin } = proxied(withCookies, { storeSetCookie: true })
    expect((await call('GET', '/proxy/api/sc')).headers.get('cache-status')).toBe('fastcache; fwd=uri-miss; stored')
    const hit = await call('GET', '/proxy/api/sc')
    expect(hit.headers.get('cache-status')).toBe('fastcache; hit; ttl=60')
    expect(hit.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2'])
    expect(origin.count('/base/sc')).toBe(1)
  })

  test("with storeSetCookie a 304's Set-Cookie replaces the stored ones", async () => {
    const { call, clock } = proxied(withCookies, { storeSetCookie: true })
    await call('GET', '/proxy/api/sc')
    clock.advance(61_000)
    const revalidated = await call('GET', '/proxy/api/sc')
    expect(revalidated.headers.get('cache-status')).toBe('fastcache; fwd=stale; fwd-status=304')
    expect(revalidated.headers.getSetCookie()).toEqual(['c=3'])
    const hit = await call('GET', '/proxy/api/sc')
    expect(hit.headers.get('cache-status')).toBe('fastcache; hit; ttl=60')
    expect(hit.headers.getSetCookie()).toEqual(['c=3'])
  })
})
