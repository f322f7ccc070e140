import { afterEach, describe, expect, test } from 'bun:test'
import { proxied, stopOrigins } from '../support/proxied'

afterEach(stopOrigins)

/** An origin that reflects a request header into a cacheable body, as many frameworks do with host and scheme fields. */
const reflecting =
  (name: string) =>
  ({ headers }: { headers: Headers }) =>
    new Response(`<script src="//${headers.get(name) ?? 'origin.example'}/app.js"></script>`, {
      headers: { 'cache-control': 'max-age=600' },
    })

const POISONING = [
  'X-Forwarded-Host',
  'X-Forwarded-Scheme',
  'X-Forwarded-Proto',
  'X-Forwarded-Port',
  'X-Forwarded-Server',
  'X-Forwarded-Prefix',
  'X-Host',
  'X-Original-Host',
  'X-Original-URL',
  'X-Rewrite-URL',
  'X-HTTP-Method-Override',
  'X-HTTP-Method',
  'X-Method-Override',
  'Forwarded',
]

describe('request headers the cache key does not see are not forwarded', () => {
  test.each(POISONING)('%s is stripped, so a reflecting origin cannot be made to store it for the next client', async (name) => {
    const { call, origin } = proxied(reflecting(name))
    const attacker = await call('GET', '/proxy/api/page', { headers: { [name]: 'evil.example' } })
    expect(origin.requests[0]!.headers.get(name)).toBeNull()
    expect(attacker.text).not.toContain('evil.example')
    const victim = await call('GET', '/proxy/api/page')
    expect(victim.headers.get('cache-status')).toStartWith('fastcache; hit')
    expect(victim.text).toBe('<script src="//origin.example/app.js"></script>')
  })

  test('an upstream that lists one in forwardHeaders gets it; "*" there keeps every other end-to-end header too', async () => {
    const listed = proxied(reflecting('x-forwarded-proto'), { forwardHeaders: ['x-forwarded-proto'] })
    await listed.call('GET', '/proxy/api/page', { headers: { 'x-forwarded-proto': 'https', 'x-trace': 't' } })
    expect(listed.origin.requests[0]!.headers.get('x-forwarded-proto')).toBe('https')
    expect(listed.origin.requests[0]!.headers.get('x-trace')).toBeNull()

    const everything = proxied(reflecting('x-forwarded-proto'), { forwardHeaders: ['*', 'x-forwarded-proto'] })
    const sent = { 'x-forwarded-proto': 'https', 'x-trace': 't', 'x-forwarded-host': 'evil.example' }
    await everything.call('GET', '/proxy/api/page', { headers: sent })
    const seen = everything.origin.requests[0]!.headers
    expect([seen.get('x-forwarded-proto'), seen.get('x-trace'), seen.get('x-forwarded-host')]).toEqual(['https', 't', null])
  })

  test('unsafe methods passed through lose them too', async () => {
    const { call, origin } = proxied(() => new Response('ok'))
    await call('POST', '/proxy/api/form', { body: 'x', headers: { 'x-http-method-override': 'DELETE', 'x-original-url': '/admin' } })
    expect(origin.requests[0]!.headers.get('x-http-method-override')).toBeNull()
    expect(origin.requests[0]!.headers.get('x-original-url')).toBeNull()
  })
})

describe('requests with cookies', () => {
  const personal = ({ headers }: { headers: Headers }) =>
    new Response(`hello ${headers.get('cookie') ?? 'stranger'}`, { headers: { 'cache-control': 'max-age=600' } })

  test('bypass the cache by default: nothing personal is stored or served to the next client', async () => {
    const { call, origin } = proxied(personal)
    const withCookie = await call('GET', '/proxy/api/home', { headers: { cookie: 'session=alice' } })
    expect(withCookie.text).toBe('hello session=alice')
    expect(withCookie.headers.get('cache-status')).toBe('fastcache; fwd=bypass')
    const anonymous = await call('GET', '/proxy/api/home')
    expect(anonymous.text).toBe('hello stranger')
    expect(anonymous.headers.get('cache-status')).toBe('fastcache; fwd=uri-miss; stored')
    // A stored response is not served to a request with a cookie either: the upstream may answer it differently.
    expect((await call('GET', '/proxy/api/home', { headers: { cookie: 'session=bob' } })).text).toBe('hello session=bob')
    expect(origin.count('/base/home')).toBe(3)
  })

  test('with ignoreCookies they use the cache, and the cookie is not sent with requests made for the cache', async () => {
    const { call, origin } = proxied(personal, { ignoreCookies: true })
    const first = await call('GET', '/proxy/api/home', { headers: { cookie: 'session=alice' } })
    expect(first.text).toBe('hello stranger')
    const second = await call('GET', '/proxy/api/home', { headers: { cookie: 'session=bob' } })
    expect(second.headers.get('cache-status')).toStartWith('fastcache; hit')
    expect(origin.count('/base/home')).toBe(1)
    // Writes still carry it: the upstream needs to know who is writing.
    await call('POST', '/proxy/api/home', { body: 'x', headers: { cookie: 'session=alice' } })
    expect(origin.requests.at(-1)!.headers.get('cookie')).toBe('session=alice')
  })

  test('an upstream whose forwardHeaders leave Cookie out never sees one, so cookies need not bypass the cache', async () => {
    const { call, origin } = proxied(personal, { forwardHeaders: ['accept'] })
    await call('GET', '/proxy/api/home', { headers: { cookie: 'session=alice' } })
    const bob = await call('GET', '/proxy/api/home', { headers: { cookie: 'session=bob' } })
    expect(bob.headers.get('cache-status')).toStartWith('fastcache; hit')
    expect(origin.requests[0]!.headers.get('cookie')).toBeNull()
  })
})
