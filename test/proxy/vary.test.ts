import { afterEach, describe, expect, test } from 'bun:test'
import { selectingValue } from '../../src/modules/proxy/headers'
import { proxied, stopOrigins } from '../support/proxied'

afterEach(stopOrigins)

describe('Vary: selecting values are normalised before they are compared', () => {
  test('optional whitespace goes; for the Accept fields case and order go too', () => {
    expect(selectingValue('foo', ' 1 ,  2 ; q = 0.5 ')).toBe('1,2;q=0.5')
    expect(selectingValue('foo', 'B, a')).toBe('B,a')
    expect(selectingValue('foo', 'a b')).toBe('a b')
    expect(selectingValue('accept-language', 'eN, De;Q=0.5')).toBe('de;q=0.5,en')
    expect(selectingValue('accept', 'text/html, application/json')).toBe('application/json,text/html')
    expect(selectingValue('foo', null)).toBe('')
  })

  const byLanguage = ({ headers }: { headers: Headers }) =>
    new Response(`for ${headers.get('accept-language')}`, { headers: { 'cache-control': 'max-age=60', vary: 'Accept-Language' } })

  test.each([
    ['the order', 'de, en'],
    ['the case', 'eN, De'],
    ['the spaces', ' en ,   de'],
  ])('Accept-Language differing only in %s is the same variant', async (_what, other) => {
    const { call, origin } = proxied(byLanguage)
    await call('GET', '/proxy/api/v', { headers: { 'accept-language': 'en, de' } })
    const r = await call('GET', '/proxy/api/v', { headers: { 'accept-language': other } })
    expect(r.headers.get('cache-status')).toBe('fastcache; hit; ttl=60')
    expect(r.text).toBe('for en, de')
    expect(origin.count('/base/v')).toBe(1)
  })

  test('another language is another variant', async () => {
    const { call, origin } = proxied(byLanguage)
    await call('GET', '/proxy/api/v', { headers: { 'accept-language': 'en' } })
    expect((await call('GET', '/proxy/api/v', { headers: { 'accept-language': 'fr' } })).headers.get('cache-status')).toBe(
      'fastcache; fwd=vary-miss; stored',
    )
    expect(origin.count('/base/v')).toBe(2)
  })

  test('any other field: whitespace around its members does not matter, its case and order do', async () => {
    const { call, origin } = proxied(() => new Response('x', { headers: { 'cache-control': 'max-age=60', vary: 'Foo' } }))
    await call('GET', '/proxy/api/f', { headers: { foo: '1, 2' } })
    expect((await call('GET', '/proxy/api/f', { headers: { foo: '1,2' } })).headers.get('cache-status')).toBe('fastcache; hit; ttl=60')
    expect((await call('GET', '/proxy/api/f', { headers: { foo: '2,1' } })).headers.get('cache-status')).toBe(
      'fastcache; fwd=vary-miss; stored',
    )
    expect(origin.count('/base/f')).toBe(2)
  })
})

describe('a selecting value a client crafts', () => {
  // Bun lets 16 KiB of fields through, on which a backtracking pattern spent half a second of CPU a
  // request; this run is longer, so that such a pattern fails the test by its time-out.
  test('a long run of whitespace is read in one pass, keeping inner whitespace', () => {
    const run = ' '.repeat(96 * 1024)
    expect(selectingValue('accept-language', `en${run};${run}q=0.5`)).toBe('en;q=0.5')
    expect(selectingValue('foo', `a${run}b`)).toBe(`a${run}b`)
  })
})
