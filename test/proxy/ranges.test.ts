import { afterEach, describe, expect, test } from 'bun:test'
import { requestedRange } from '../../src/modules/proxy/ranges'
import { cached, proxied, stopOrigins } from '../support/proxied'

afterEach(stopOrigins)

const BODY = '0123456789abcdefghij'
const LAST_MODIFIED = 'Tue, 01 Jan 2030 00:00:00 GMT'
const whole = cached(BODY, 'max-age=600', { etag: '"v1"', 'last-modified': LAST_MODIFIED })

/** A proxy whose URL /r is stored whole already. */
async function storedWhole() {
  const fixture = proxied(whole)
  await fixture.call('GET', '/proxy/api/r')
  const range = (value: string, extra: Record<string, string> = {}) =>
    fixture.call('GET', '/proxy/api/r', { headers: { range: value, ...extra } })
  return { ...fixture, range }
}

describe('which range a request asks for (RFC 9110 section 14)', () => {
  const ask = (range: string, extra: Record<string, string> = {}) =>
    requestedRange(new Headers({ range, ...extra }), new Headers({ etag: '"v1"', 'last-modified': LAST_MODIFIED }), 20)

  test('single, open-ended and suffix ranges; a last position past the end is the end', () => {
    expect(ask('bytes=0-4')).toEqual({ first: 0, last: 4 })
    expect(ask('bytes=15-')).toEqual({ first: 15, last: 19 })
    expect(ask('bytes=-5')).toEqual({ first: 15, last: 19 })
    expect(ask('bytes=-50')).toEqual({ first: 0, last: 19 })
    expect(ask('BYTES=10-100')).toEqual({ first: 10, last: 19 })
  })

  test('unsatisfiable: every range starts past the end, or a suffix of 0', () => {
    expect(ask('bytes=20-')).toBe('unsatisfiable')
    expect(ask('bytes=30-40, 25-')).toBe('unsatisfiable')
    expect(ask('bytes=-0')).toBe('unsatisfiable')
  })

  test('the whole response: another unit, malformed, several ranges, or an If-Range that does not match strongly', () => {
    for (const range of ['items=0-4', 'bytes=4-2', 'bytes=a-b', 'bytes=', 'bytes=0-1, 5-6'])
      expect([range, ask(range)]).toEqual([range, undefined])
    expect(ask('bytes=0-4', { 'if-range': '"v1"' })).toEqual({ first: 0, last: 4 })
    expect(ask('bytes=0-4', { 'if-range': LAST_MODIFIED })).toEqual({ first: 0, last: 4 })
    expect(ask('bytes=0-4', { 'if-range': '"v0"' })).toBeUndefined()
    expect(ask('bytes=0-4', { 'if-range': 'W/"v1"' })).toBeUndefined()
    expect(ask('bytes=0-4', { 'if-range': 'Wed, 02 Jan 2030 00:00:00 GMT' })).toBeUndefined()
  })
})

describe('ranges answered from a stored whole response', () => {
  test('206 with Content-Range for a single, an open-ended and a suffix range, all from the cache', async () => {
    const { range, origin } = await storedWhole()
    const expected = [
      ['bytes=0-4', 'bytes 0-4/20', '01234'],
      ['bytes=15-', 'bytes 15-19/20', 'fghij'],
      ['bytes=-3', 'bytes 17-19/20', 'hij'],
      ['bytes=18-99', 'bytes 18-19/20', 'ij'],
    ]
    for (const [asked, contentRange, body] of expected) {
      const r = await range(asked!)
      expect([asked, r.status, r.headers.get('content-range'), r.text, r.headers.get('cache-status')]).toEqual([
        asked,
        206,
        contentRange,
        body,
        'fastcache; hit; ttl=600',
      ])
    }
    expect(origin.count('/base/r')).toBe(1)
  })

  test('416 with Content-Range: bytes */length for a range past the end', async () => {
    const { range } = await storedWhole()
    const r = await range('bytes=20-')
    expect(r.status).toBe(416)
    expect(r.headers.get('content-range')).toBe('bytes */20')
    expect(r.json.error.code).toBe('RANGE_NOT_SATISFIABLE')
  })

  test('several ranges, or an If-Range that does not match, get the whole 200', async () => {
    const { range } = await storedWhole()
    expect((await range('bytes=0-1, 5-6')).status).toBe(200)
    const changed = await range('bytes=0-4', { 'if-range': '"v0"' })
    expect([changed.status, changed.text]).toEqual([200, BODY])
    expect((await range('bytes=0-4', { 'if-range': '"v1"' })).status).toBe(206)
  })

  test('a range on a miss: the upstream is asked for the whole response, which is stored; the client gets its range', async () => {
    const { call, origin } = proxied(whole)
    const r = await call('GET', '/proxy/api/r', { headers: { range: 'bytes=2-5' } })
    expect([r.status, r.text, r.headers.get('cache-status')]).toEqual([206, '2345', 'fastcache; fwd=uri-miss; stored'])
    expect(origin.requests[0]!.headers.get('range')).toBeNull()
    expect((await call('GET', '/proxy/api/r')).headers.get('cache-status')).toBe('fastcache; hit; ttl=600')
    expect(origin.count('/base/r')).toBe(1)
  })

  test('HEAD ignores Range', async () => {
    const { call } = await storedWhole()
    const r = await call('HEAD', '/proxy/api/r', { headers: { range: 'bytes=0-4' } })
    expect([r.status, r.headers.get('content-length')]).toEqual([200, '20'])
  })
})

describe('a 206 from the upstream', () => {
  test('is passed through and never stored', async () => {
    const { call, origin } = proxied(
      () => new Response('0123', { status: 206, headers: { 'content-range': 'bytes 0-3/20', 'cache-control': 'max-age=600' } }),
    )
    const first = await call('GET', '/proxy/api/p')
    expect([first.status, first.headers.get('content-range'), first.text]).toEqual([206, 'bytes 0-3/20', '0123'])
    await call('GET', '/proxy/api/p')
    expect(origin.count('/base/p')).toBe(2)
  })

  test('a bypassed range request (it carries a cookie) goes upstream with its Range, and the 206 comes back', async () => {
    const { call, origin } = proxied(({ headers }) =>
      headers.get('range') === 'bytes=0-1'
        ? new Response('01', { status: 206, headers: { 'content-range': 'bytes 0-1/20' } })
        : new Response(BODY),
    )
    const r = await call('GET', '/proxy/api/c', { headers: { range: 'bytes=0-1', cookie: 'a=1' } })
    expect([r.status, r.text, r.headers.get('cache-status')]).toEqual([206, '01', 'fastcache; fwd=bypass'])
    expect(origin.requests[0]!.headers.get('range')).toBe('bytes=0-1')
  })
})
