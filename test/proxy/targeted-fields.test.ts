import { afterEach, describe, expect, test } from 'bun:test'
import type { UpstreamConfig } from '../../src/config/schema'
import { parseDictionary } from '../../src/modules/proxy/structured-fields'
import { proxied, stopOrigins } from '../support/proxied'

afterEach(stopOrigins)

const NOW = Date.UTC(2030, 0, 1)
const httpDate = (ms: number) => new Date(ms).toUTCString()

/** Two GETs `afterMs` apart of a response with these fields: was the second answered from the cache? */
async function reused(headers: Record<string, string>, afterMs = 0, options: Partial<UpstreamConfig> = {}): Promise<boolean> {
  const { call, clock, origin } = proxied(() => new Response('x', { headers }), options)
  await call('GET', '/proxy/api/t')
  clock.advance(afterMs)
  const second = await call('GET', '/proxy/api/t')
  return second.headers.get('cache-status')!.includes('hit') && origin.count('/base/t') === 1
}

describe('Structured Field Dictionaries (RFC 8941)', () => {
  test('members, bare names, parameters and the value types', () => {
    const parsed = parseDictionary('max-age=60, private, foo;a=1, s-maxage=-3, x="a\\"b", y=?0, z=(1 2), t=tok/en, d=1.5, b=:AAE=:')
    expect(parsed).toBeDefined()
    expect(parsed!.get('max-age')).toBe(60)
    expect(parsed!.get('private')).toBe(true)
    expect(parsed!.get('foo')).toBe(true)
    expect(parsed!.get('s-maxage')).toBe(-3)
    expect(parsed!.get('x')).toEqual({ kind: 'string', text: '"a\\"b"' })
    expect(parsed!.get('y')).toBe(false)
    expect(parsed!.get('z')).toEqual({ kind: 'inner-list', text: '(1 2)' })
    expect(parsed!.get('d')).toEqual({ kind: 'decimal', text: '1.5' })
  })

  test.each(['max-age=10000, &&&&&', 'MaX-aGe=3600', 'max-age =100', 'max-age= 100', 'a,', 'a=1234567890123456', 'a="x', 'a=?2'])(
    '%p does not parse',
    (field) => {
      expect(parseDictionary(field)).toBeUndefined()
    },
  )
})

describe('CDN-Cache-Control (RFC 9213) rules instead of Cache-Control and Expires', () => {
  test('its max-age alone makes a response fresh, even one Cache-Control says no-store', async () => {
    expect(await reused({ 'cdn-cache-control': 'max-age=3600' })).toBe(true)
    expect(await reused({ 'cdn-cache-control': 'max-age=3600', 'cache-control': 'no-store' })).toBe(true)
    expect(await reused({ 'cdn-cache-control': 'max-age=99999999999' })).toBe(true)
  })

  test('a short max-age there wins over a long one in Cache-Control, and a long one over a short one', async () => {
    expect(await reused({ 'cdn-cache-control': 'max-age=1', 'cache-control': 'max-age=3600' }, 2000)).toBe(false)
    expect(await reused({ 'cdn-cache-control': 'max-age=3600', 'cache-control': 'max-age=1' }, 2000)).toBe(true)
    expect(await reused({ 'cdn-cache-control': 's-maxage=1, max-age=3600' }, 2000)).toBe(false)
  })

  test('Expires plays no part: a past one does not make it stale, a future one does not make max-age=0 fresh', async () => {
    expect(await reused({ 'cdn-cache-control': 'max-age=3600', expires: httpDate(NOW - 10_000_000) })).toBe(true)
    expect(await reused({ 'cdn-cache-control': 'max-age=3600', expires: '0' })).toBe(true)
    expect(await reused({ 'cdn-cache-control': 'max-age=0', expires: httpDate(NOW + 10_000_000) })).toBe(false)
  })

  test.each(['private', 'no-cache', 'no-store'])('%s there is obeyed over a fresh Cache-Control and Expires', async (directive) => {
    const headers = { 'cdn-cache-control': directive, 'cache-control': 'max-age=10000', expires: httpDate(NOW + 10_000_000) }
    expect(await reused(headers)).toBe(false)
  })

  test('an upstream Age past its max-age makes the response stale; an unknown extension is ignored', async () => {
    expect(await reused({ 'cdn-cache-control': 'max-age=3600', age: '7200' })).toBe(false)
    expect(await reused({ 'cdn-cache-control': 'foobar, max-age=3600' })).toBe(true)
  })

  test('a field that is not a valid Dictionary is ignored, and Cache-Control rules', async () => {
    expect(await reused({ 'cdn-cache-control': 'max-age=10000, &&&&&', 'cache-control': 'no-store' })).toBe(false)
    expect(await reused({ 'cdn-cache-control': 'max-age=10000, &&&&&', 'cache-control': 'max-age=60' })).toBe(true)
  })

  test('a max-age that is not an Integer is malformed: the response is stale', async () => {
    expect(await reused({ 'cdn-cache-control': 'max-age="10000"', 'cache-control': 'max-age=60' })).toBe(false)
    expect(await reused({ 'cdn-cache-control': 'max-age=10000.0', 'cache-control': 'max-age=60' })).toBe(false)
  })

  test('stale-while-revalidate there is obeyed too, and the field is passed on to the client', async () => {
    const { call, clock } = proxied(() => new Response('x', { headers: { 'cdn-cache-control': 'max-age=1, stale-while-revalidate=60' } }))
    await call('GET', '/proxy/api/s')
    clock.advance(5000)
    const stale = await call('GET', '/proxy/api/s')
    expect(stale.headers.get('cache-status')).toBe('fastcache; hit; ttl=-4; detail=stale-while-revalidate')
    expect(stale.headers.get('cdn-cache-control')).toBe('max-age=1, stale-while-revalidate=60')
  })
})

describe("the upstream's own target list", () => {
  const both = { 'fastcache-cache-control': 'max-age=3600', 'cdn-cache-control': 'no-store' }

  test('a field of its own comes first, then CDN-Cache-Control', async () => {
    const targetedFields = ['fastcache-cache-control', 'cdn-cache-control']
    expect(await reused(both, 0, { targetedFields })).toBe(true)
    expect(await reused({ 'cdn-cache-control': 'no-store', 'cache-control': 'max-age=60' }, 0, { targetedFields })).toBe(false)
    // An invalid first field falls through to the next one on the list.
    expect(await reused({ ...both, 'fastcache-cache-control': 'max-age=1, ]' }, 0, { targetedFields })).toBe(false)
  })

  test('by default only CDN-Cache-Control is obeyed; an empty list obeys none', async () => {
    expect(await reused(both)).toBe(false)
    expect(await reused({ 'cdn-cache-control': 'no-store', 'cache-control': 'max-age=60' }, 0, { targetedFields: [] })).toBe(true)
  })
})
