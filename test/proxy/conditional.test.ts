import { afterEach, describe, expect, test } from 'bun:test'
import { cached, proxied, stopOrigins } from '../support/proxied'

afterEach(stopOrigins)

const NOW = Date.UTC(2030, 0, 1)
const httpDate = (ms: number) => new Date(ms).toUTCString()

describe('client conditionals answered from a fresh stored response (RFC 9111 section 4.3.2)', () => {
  test('If-Modified-Since without a stored Last-Modified: 304 when the stored Date is not later', async () => {
    const { call, origin } = proxied(cached('body', 'max-age=3600'))
    await call('GET', '/proxy/api/c')
    const later = await call('GET', '/proxy/api/c', { headers: { 'if-modified-since': httpDate(NOW + 3_600_000) } })
    expect(later.status).toBe(304)
    expect(later.text).toBe('')
    const same = await call('GET', '/proxy/api/c', { headers: { 'if-modified-since': httpDate(NOW) } })
    expect(same.status).toBe(304)
    const earlier = await call('GET', '/proxy/api/c', { headers: { 'if-modified-since': httpDate(NOW - 3_600_000) } })
    expect(earlier.status).toBe(200)
    expect(earlier.text).toBe('body')
    expect(origin.count('/base/c')).toBe(1)
  })

  test('an If-Modified-Since that is not an HTTP-date is ignored', async () => {
    const { call } = proxied(cached('body', 'max-age=3600', { 'last-modified': httpDate(NOW - 3_600_000) }))
    await call('GET', '/proxy/api/c')
    const r = await call('GET', '/proxy/api/c', { headers: { 'if-modified-since': '2030-01-01T00:00:00Z' } })
    expect(r.status).toBe(200)
  })
})
