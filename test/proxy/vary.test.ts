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

describe('Vary as an upstream sends it', () => {
  test('a Vary listing something that is not a field name is treated as Vary: * (never reused), not an error', async () => {
    const { call, origin } = proxied(() => new Response('x', { headers: { 'cache-control': 'max-age=60', vary: 'Accept, foo bar' } }))
    for (let i = 0; i < 2; i++) {
      const reply = await call('GET', '/proxy/api/odd-vary')
      expect([reply.status, reply.text, reply.headers.get('cache-status')]).toEqual([200, 'x', 'fastcache; fwd=uri-miss'])
    }
    expect(origin.count('/base/odd-vary')).toBe(2)
  })

  test('a selecting field absent from the request matches only its absence, not an empty value (RFC 9111 section 4.1)', async () => {
    const { call, origin } = proxied(
      ({ headers }) =>
        new Response(`tenant [${headers.get('x-tenant')}]`, { headers: { 'cache-control': 'max-age=60', vary: 'X-Tenant' } }),
    )
    expect((await call('GET', '/proxy/api/t')).text).toBe('tenant [null]')
    const empty = await call('GET', '/proxy/api/t', { headers: { 'x-tenant': '' } })
    expect([empty.text, empty.headers.get('cache-status')]).toEqual(['tenant []', 'fastcache; fwd=vary-miss; stored'])
    const listOfNothing = await call('GET', '/proxy/api/t', { headers: { 'x-tenant': ' , ' } })
    expect(listOfNothing.headers.get('cache-status')).toBe('fastcache; hit; ttl=60')
    expect((await call('GET', '/proxy/api/t')).text).toBe('tenant [null]')
    expect(origin.count('/base/t')).toBe(2)
  })
})

describe('a selecting field the client names in Connection', () => {
  test('counts as absent, as it is not forwarded: a client cannot store what the upstream answers without it under its value', async () => {
    const { call, origin } = proxied(
      ({ headers }) =>
        new Response(`in ${headers.get('accept-language') ?? 'the default language'}`, {
          headers: { 'cache-control': 'max-age=60', vary: 'Accept-Language' },
        }),
    )
    const attack = await call('GET', '/proxy/api/page', { headers: { 'accept-language': 'en', connection: 'accept-language' } })
    expect(attack.text).toBe('in the default language')
    const victim = await call('GET', '/proxy/api/page', { headers: { 'accept-language': 'en' } })
    expect([victim.text, victim.headers.get('cache-status')]).toEqual(['in en', 'fastcache; fwd=vary-miss; stored'])
    // What the attacker's request stored is what any request without the field gets.
    const without = await call('GET', '/proxy/api/page')
    expect([without.text, without.headers.get('cache-status')]).toEqual(['in the default language', 'fastcache; hit; ttl=60'])
    expect(origin.count('/base/page')).toBe(2)
  })
})
