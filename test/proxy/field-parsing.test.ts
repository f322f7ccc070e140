import { afterEach, describe, expect, test } from 'bun:test'
import { parseHttpDate } from '../../src/modules/proxy/http-date'
import { proxied, proxiedTo, stopOrigins } from '../support/proxied'
import { rawResponse, startRawOrigin } from '../support/raw-origin'

afterEach(stopOrigins)

/** Whether a second GET of a response with these fields was answered from the cache. */
async function reused(headers: [string, string][]): Promise<boolean> {
  const { call, origin } = proxied(() => new Response('x', { headers }))
  await call('GET', '/proxy/api/p')
  const second = await call('GET', '/proxy/api/p')
  return second.headers.get('cache-status')!.includes('hit') && origin.count('/base/p') === 1
}

describe('HTTP-date (RFC 9110 section 5.6.7)', () => {
  test('the three forms are read, names in any case; RFC 850 years are the nearest not 50 years ahead', () => {
    const at = Date.UTC(2050, 7, 18, 2, 1, 18)
    const now = Date.UTC(2030, 0, 1)
    expect(parseHttpDate('Thu, 18 Aug 2050 02:01:18 GMT', now)).toBe(at)
    expect(parseHttpDate('THU, 18 AUG 2050 02:01:18 gmt', now)).toBe(at)
    expect(parseHttpDate('Thursday, 18-Aug-50 02:01:18 GMT', now)).toBe(at)
    expect(parseHttpDate('Thursday, 18-Aug-99 02:01:18 GMT', now)).toBe(Date.UTC(1999, 7, 18, 2, 1, 18))
    expect(parseHttpDate('Thu Aug 18 02:01:18 2050', now)).toBe(at)
    expect(parseHttpDate('Mon Aug  8 02:01:18 2050', now)).toBe(Date.UTC(2050, 7, 8, 2, 1, 18))
  })

  test.each([
    'Thu, 18 Aug 2050 02:01:18 UTC',
    'Thu, 18 Aug 2050 02:01:18 AEST',
    'Thu, 18 Aug 50 02:01:18 GMT',
    'Thu 18 Aug 2050 02:01:18 GMT',
    'Thu, 18  Aug  2050 02:01:18 GMT',
    'Thu, 18-Aug-2050 02:01:18 GMT',
    'Thu, 18 Aug 2050 02.01.18 GMT',
    'Thu, 18 Aug 2050 2:01:18 GMT',
    'Thu, 31 Feb 2050 02:01:18 GMT',
    'Thu, 18 Aug 2050 24:01:18 GMT',
    'Thu, 18 Aug 2050 02:01:18 GMT, Thu, 18 Aug 2050 02:01:19 GMT',
    '0',
    '',
  ])('%p is not a date', (text) => {
    expect(parseHttpDate(text)).toBeUndefined()
  })
})

describe('Expires: a value that is not an HTTP-date means already expired (RFC 9111 section 5.3)', () => {
  test.each([
    ['UTC instead of GMT', 'Thu, 18 Aug 2050 02:01:18 UTC'],
    ['a missing comma', 'Thu 18 Aug 2050 02:01:18 GMT'],
    ['extra spaces', 'Thu, 18  Aug  2050 02:01:18 GMT'],
    ['dashes', 'Thu, 18-Aug-2050 02:01:18 GMT'],
    ['a one-digit hour', 'Thu, 18 Aug 2050 2:01:18 GMT'],
  ])('%s: not reused', async (_case, expires) => {
    expect(await reused([['expires', expires]])).toBe(false)
  })

  test.each([
    ['IMF-fixdate', 'Thu, 18 Aug 2050 02:01:18 GMT'],
    ['RFC 850', 'Thursday, 18-Aug-50 02:01:18 GMT'],
    ['asctime', 'Thu Aug 18 02:01:18 2050'],
  ])('a future %s date: reused', async (_form, expires) => {
    expect(await reused([['expires', expires]])).toBe(true)
  })
})

describe('Age: the first member counts; an invalid one is ignored (RFC 9111 section 5.1)', () => {
  const fresh: [string, string] = ['cache-control', 'max-age=3600']

  test('a list whose first member is old makes the response stale; one whose first member is 0 does not', async () => {
    expect(await reused([fresh, ['age', '7200, 0']])).toBe(false)
    expect(await reused([fresh, ['age', '0, 7200']])).toBe(true)
  })

  test.each(['abc', '-7200', '7200.0'])('Age: %s is not a non-negative integer: ignored', async (age) => {
    expect(await reused([fresh, ['age', age]])).toBe(true)
  })

  test('an Age past 2^31 seconds makes it stale, as the largest it can count', async () => {
    expect(await reused([fresh, ['age', '2147483649']])).toBe(false)
  })
})

describe('fields over several lines, as an upstream sends them', () => {
  const raw = (fields: [string, string][]) => rawResponse('200 OK', [['Cache-Control', 'max-age=3600'], ...fields], 'x')

  test.each([
    [
      'Age: 7200 then Age: 0',
      [
        ['Age', '7200'],
        ['Age', '0'],
      ],
      false,
    ],
    [
      'Age: 0 then Age: 7200',
      [
        ['Age', '0'],
        ['Age', '7200'],
      ],
      true,
    ],
  ] as [string, [string, string][], boolean][])('%s: the first line counts', async (_case, fields, expected) => {
    const origin = await startRawOrigin(() => raw(fields))
    try {
      const { call } = proxiedTo(`${origin.url}/base`)
      await call('GET', '/proxy/api/p')
      const second = await call('GET', '/proxy/api/p')
      expect(second.headers.get('cache-status')!.includes('hit')).toBe(expected)
    } finally {
      origin.stop()
    }
  })

  test('Expires over two lines is not a date: not reused', async () => {
    const origin = await startRawOrigin(() =>
      rawResponse(
        '200 OK',
        [
          ['Expires', 'Thu, 18 Aug 2050 02:01:18 GMT'],
          ['Expires', 'Thu, 18 Aug 2050 02:01:19 GMT'],
        ],
        'x',
      ),
    )
    try {
      const { call } = proxiedTo(`${origin.url}/base`)
      await call('GET', '/proxy/api/p')
      await call('GET', '/proxy/api/p')
      expect(origin.requests.length).toBe(2)
    } finally {
      origin.stop()
    }
  })
})
