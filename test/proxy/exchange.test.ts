import { describe, expect, test } from 'bun:test'
import type { UpstreamConfig } from '../../src/config/schema'
import { NO_DIRECTIVES } from '../../src/modules/proxy/cache-control'
import { bypassesCache, sameVariant, type Exchange } from '../../src/modules/proxy/exchange'
import { loadedFrom } from '../../src/modules/proxy/stored-response'
import { resolveTarget } from '../../src/modules/proxy/target'
import { upstreamAt } from '../support/proxied'

const upstream = (options: Partial<UpstreamConfig> = {}) => upstreamAt('http://127.0.0.1:9/base', options)
const get = (headers: Record<string, string> = {}) => new Request('http://localhost/proxy/api/x', { headers })

describe('reads the cache stays out of', () => {
  test('a plain read uses the cache, and so does a Range request (answered from a whole stored response)', () => {
    expect(bypassesCache(get({ accept: 'text/plain' }), upstream(), false)).toBe(false)
    expect(bypassesCache(get({ range: 'bytes=0-9' }), upstream(), false)).toBe(false)
  })

  test("the upstream's Authorization bypasses it unless the upstream lets us cache authorized requests", () => {
    expect(bypassesCache(get(), upstream({ cacheAuthorized: false }), true)).toBe(true)
    expect(bypassesCache(get(), upstream({ cacheAuthorized: true }), true)).toBe(false)
  })

  test('a cookie bypasses it when the upstream would see it, unless ignoreCookies', () => {
    const withCookie = get({ cookie: 'session=alice' })
    expect(bypassesCache(withCookie, upstream(), false)).toBe(true)
    expect(bypassesCache(withCookie, upstream({ forwardHeaders: ['*'] }), false)).toBe(true)
    expect(bypassesCache(withCookie, upstream({ forwardHeaders: ['cookie'] }), false)).toBe(true)
    expect(bypassesCache(withCookie, upstream({ forwardHeaders: ['accept'] }), false)).toBe(false)
    expect(bypassesCache(withCookie, upstream({ ignoreCookies: true }), false)).toBe(false)
  })
})

describe('whether a response stored by another request answers this one', () => {
  const exchangeFor = (request: Request): Exchange => ({
    request,
    target: resolveTarget(new Map([['api', upstream()]]), request.url),
    baseKey: 'base',
    key: 'base',
    directives: NO_DIRECTIVES,
    authorized: false,
    fwd: 'uri-miss',
    stale: undefined,
  })
  const storedFor = (headers: [string, string][], varyKey: string) => {
    const times = { requestTime: 0, responseTime: 0, lifetimeMs: 1, initialAgeMs: 0 }
    return loadedFrom({ status: 200, headers, ...times, varyKey, tags: [], body: new Uint8Array() })
  }

  test('without Vary it answers everyone', () => {
    expect(sameVariant(exchangeFor(get({ 'accept-language': 'fr' })), storedFor([], ''))).toBe(true)
  })

  test('with Vary, only requests with the same values of the named fields (absent matches only absent)', () => {
    const english = storedFor([['vary', 'Accept-Language, Accept']], 'accept\naccept-language:en')
    expect(sameVariant(exchangeFor(get({ 'accept-language': 'en' })), english)).toBe(true)
    expect(sameVariant(exchangeFor(get({ 'accept-language': 'fr' })), english)).toBe(false)
    expect(sameVariant(exchangeFor(get({ 'accept-language': 'en', accept: 'text/html' })), english)).toBe(false)
    expect(sameVariant(exchangeFor(get({ 'accept-language': 'en', accept: '' })), english)).toBe(false)
  })
})
