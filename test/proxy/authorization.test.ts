import { afterEach, describe, expect, test } from 'bun:test'
import { proxied, stopOrigins } from '../support/proxied'

afterEach(stopOrigins)

const asAlice = { headers: { authorization: 'Bearer alice' } }

describe('requests with Authorization, by default (RFC 9111 section 3.5)', () => {
  test.each(['public, max-age=60', 's-maxage=60', 'max-age=60, must-revalidate'])(
    'a response with %s is stored and reused, for authorized requests and others',
    async (cacheControl) => {
      const { call, origin } = proxied(() => new Response('shared', { headers: { 'cache-control': cacheControl } }))
      expect((await call('GET', '/proxy/api/a', asAlice)).headers.get('cache-status')).toBe('fastcache; fwd=uri-miss; stored')
      expect((await call('GET', '/proxy/api/a', asAlice)).headers.get('cache-status')).toStartWith('fastcache; hit')
      expect((await call('GET', '/proxy/api/a')).headers.get('cache-status')).toStartWith('fastcache; hit')
      expect(origin.count('/base/a')).toBe(1)
      // The client's Authorization went to the upstream with the request that filled the cache.
      expect(origin.requests[0]!.headers.get('authorization')).toBe('Bearer alice')
    },
  )

  test('a response without one of them is passed on unstored', async () => {
    const { call, origin } = proxied(() => new Response('mine', { headers: { 'cache-control': 'max-age=60' } }))
    expect((await call('GET', '/proxy/api/a', asAlice)).headers.get('cache-status')).toBe('fastcache; fwd=uri-miss')
    await call('GET', '/proxy/api/a')
    expect(origin.count('/base/a')).toBe(2)
  })

  test('a response stored for anonymous requests answers an authorized one only when it has one of them', async () => {
    const { call, origin } = proxied(
      ({ path }) => new Response('x', { headers: { 'cache-control': path.endsWith('pub') ? 'public, max-age=60' : 'max-age=60' } }),
    )
    await call('GET', '/proxy/api/pub')
    await call('GET', '/proxy/api/plain')
    expect((await call('GET', '/proxy/api/pub', asAlice)).headers.get('cache-status')).toStartWith('fastcache; hit')
    expect((await call('GET', '/proxy/api/plain', asAlice)).headers.get('cache-status')).toBe('fastcache; fwd=bypass')
    expect(origin.count('/base/plain')).toBe(2)
  })

  test('with cacheAuthorized off they bypass the cache altogether', async () => {
    const { call, origin } = proxied(() => new Response('x', { headers: { 'cache-control': 'public, max-age=60' } }), {
      cacheAuthorized: false,
    })
    await call('GET', '/proxy/api/a', asAlice)
    expect((await call('GET', '/proxy/api/a', asAlice)).headers.get('cache-status')).toBe('fastcache; fwd=bypass')
    expect(origin.count('/base/a')).toBe(2)
  })
})
