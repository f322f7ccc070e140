import { afterEach, describe, expect, test } from 'bun:test'
import { proxied, stopOrigins } from '../support/proxied'

afterEach(stopOrigins)

/** GET answers `stored GET`; POST answers with these fields. */
const answering =
  (postHeaders: Record<string, string>) =>
  ({ method, body }: { method: string; body: string }) =>
    method === 'POST'
      ? new Response(`posted ${body}`, { headers: postHeaders })
      : new Response('from GET', { headers: { 'cache-control': 'max-age=600' } })

describe('a POST answer that is the URL’s representation (RFC 9110 section 9.3.3)', () => {
  test('with explicit freshness and Content-Location naming the URL, it is stored and answers later GETs', async () => {
    const { call, origin } = proxied(answering({ 'cache-control': 'max-age=60', 'content-location': '/base/doc' }))
    await call('GET', '/proxy/api/doc')
    const post = await call('POST', '/proxy/api/doc', { body: 'v2' })
    expect([post.text, post.headers.get('cache-status')]).toEqual(['posted v2', 'fastcache; fwd=method; stored'])
    const get = await call('GET', '/proxy/api/doc')
    expect([get.text, get.headers.get('cache-status')]).toEqual(['posted v2', 'fastcache; hit; ttl=60'])
    expect(origin.count('/base/doc', 'GET')).toBe(1)
  })

  test('Content-Location as the upstream URL itself counts too', async () => {
    const { call, origin } = proxied(({ method }) =>
      method === 'POST'
        ? new Response('posted', { headers: { 'cache-control': 'max-age=60', 'content-location': `${originUrl}/base/doc` } })
        : new Response('from GET'),
    )
    const originUrl = origin.url
    await call('POST', '/proxy/api/doc', { body: 'x' })
    expect((await call('GET', '/proxy/api/doc')).text).toBe('posted')
    expect(origin.count('/base/doc', 'GET')).toBe(0)
  })

  test.each([
    ['no Content-Location', { 'cache-control': 'max-age=60' }],
    ['a Content-Location naming another URL', { 'cache-control': 'max-age=60', 'content-location': '/base/other' }],
    ['no explicit freshness', { 'content-location': '/base/doc', 'last-modified': 'Tue, 01 Jan 2030 00:00:00 GMT' }],
    ['no-store', { 'cache-control': 'max-age=60, no-store', 'content-location': '/base/doc' }],
  ])('with %s it is not stored, and the stored GET is invalidated as for any write', async (_case, headers) => {
    const { call, origin } = proxied(answering(headers))
    await call('GET', '/proxy/api/doc')
    expect((await call('POST', '/proxy/api/doc', { body: 'x' })).headers.get('cache-status')).toBe('fastcache; fwd=method')
    const get = await call('GET', '/proxy/api/doc')
    expect(get.text).toBe('from GET')
    expect(origin.count('/base/doc', 'GET')).toBe(2)
  })

  test('a PUT answer is never stored, whatever it says', async () => {
    const { call, origin } = proxied(({ method }) =>
      method === 'PUT'
        ? new Response('put', { headers: { 'cache-control': 'max-age=60', 'content-location': '/base/doc' } })
        : new Response('from GET', { headers: { 'cache-control': 'max-age=600' } }),
    )
    await call('PUT', '/proxy/api/doc', { body: 'x' })
    expect((await call('GET', '/proxy/api/doc')).text).toBe('from GET')
    expect(origin.count('/base/doc', 'GET')).toBe(1)
  })

  test('a POST carrying a cookie the upstream sees stays out of the cache, as its GET would (the answer may be personal)', async () => {
    const { call, origin } = proxied(answering({ 'cache-control': 'max-age=60', 'content-location': '/base/doc' }))
    await call('POST', '/proxy/api/doc', { body: 'mine', headers: { cookie: 'session=alice' } })
    expect((await call('GET', '/proxy/api/doc')).text).toBe('from GET')
    expect(origin.count('/base/doc', 'GET')).toBe(1)
  })
})
