import { describe, expect, test } from 'bun:test'
import { answerFromStore, notCached, notModifiedFor } from '../../src/modules/proxy/stored-answer'
import { loadedFrom, type StoredResponse } from '../../src/modules/proxy/stored-response'

const stored = (status: number, headers: [string, string][], body = 'stored body'): StoredResponse => ({
  status,
  headers,
  requestTime: 0,
  responseTime: 0,
  lifetimeMs: 60_000,
  initialAgeMs: 0,
  varyKey: '',
  tags: [],
  body: new TextEncoder().encode(body),
})

const request = (headers: Record<string, string> = {}) => new Request('http://localhost/proxy/api/x', { headers })

describe('a client conditional against a stored response (RFC 9110 section 13.1)', () => {
  const etagged = new Headers({ etag: '"v1"', 'last-modified': 'Tue, 01 Jan 2030 00:00:00 GMT' })

  test('If-None-Match compares weakly, takes a list, and * matches any stored ETag', () => {
    expect(notModifiedFor(new Headers({ 'if-none-match': 'W/"v1"' }), etagged, 0)).toBe(true)
    expect(notModifiedFor(new Headers({ 'if-none-match': '"v0", "v1"' }), etagged, 0)).toBe(true)
    expect(notModifiedFor(new Headers({ 'if-none-match': '"v2"' }), etagged, 0)).toBe(false)
    expect(notModifiedFor(new Headers({ 'if-none-match': '*' }), etagged, 0)).toBe(true)
    expect(notModifiedFor(new Headers({ 'if-none-match': '*' }), new Headers(), 0)).toBe(false)
  })

  test('If-None-Match wins over If-Modified-Since, which counts only without it', () => {
    const both = new Headers({ 'if-none-match': '"v2"', 'if-modified-since': 'Wed, 02 Jan 2030 00:00:00 GMT' })
    expect(notModifiedFor(both, etagged, 0)).toBe(false)
    expect(notModifiedFor(new Headers({ 'if-modified-since': 'Wed, 02 Jan 2030 00:00:00 GMT' }), etagged, 0)).toBe(true)
    expect(notModifiedFor(new Headers({ 'if-modified-since': 'Tue, 01 Jan 2030 00:00:00 GMT' }), etagged, 0)).toBe(true)
    expect(notModifiedFor(new Headers({ 'if-modified-since': 'Mon, 31 Dec 2029 23:59:59 GMT' }), etagged, 0)).toBe(false)
    expect(notModifiedFor(new Headers({ 'if-modified-since': 'yesterday' }), etagged, 0)).toBe(false)
    expect(notModifiedFor(new Headers(), etagged, 0)).toBe(false)
  })

  test('without Last-Modified, If-Modified-Since is compared with the stored Date, or without one the time it was received', () => {
    const dated = new Headers({ date: 'Tue, 01 Jan 2030 00:00:00 GMT' })
    expect(notModifiedFor(new Headers({ 'if-modified-since': 'Tue, 01 Jan 2030 00:00:00 GMT' }), dated, 0)).toBe(true)
    expect(notModifiedFor(new Headers({ 'if-modified-since': 'Mon, 31 Dec 2029 23:59:59 GMT' }), dated, 0)).toBe(false)
    const received = Date.UTC(2030, 0, 1)
    expect(notModifiedFor(new Headers({ 'if-modified-since': 'Tue, 01 Jan 2030 00:00:00 GMT' }), new Headers(), received)).toBe(true)
    expect(notModifiedFor(new Headers({ 'if-modified-since': 'Mon, 31 Dec 2029 23:59:59 GMT' }), new Headers(), received)).toBe(false)
  })
})

describe('an answer from a stored response', () => {
  test("carries the stored fields, Age in whole seconds, and our Cache-Status after the upstream's", async () => {
    const response = loadedFrom(
      stored(200, [
        ['content-type', 'text/plain'],
        ['age', '99'],
        ['cache-status', 'origin; hit'],
      ]),
    )
    const answer = answerFromStore(request(), response, 12_999, { hit: true, ttlMs: 47_001 })
    expect(answer.status).toBe(200)
    expect(answer.headers.get('content-type')).toBe('text/plain')
    expect(answer.headers.get('age')).toBe('12')
    expect(answer.headers.get('cache-status')).toBe('origin; hit, fastcache; hit; ttl=47')
    expect(await answer.text()).toBe('stored body')
  })

  test('is a 304 without a body when the client already has it, for a stored 200 only', async () => {
    const ok = loadedFrom(stored(200, [['etag', '"v1"']]))
    const notModified = answerFromStore(request({ 'if-none-match': '"v1"' }), ok, 0, { hit: true })
    expect(notModified.status).toBe(304)
    expect(notModified.headers.get('etag')).toBe('"v1"')
    expect(await notModified.text()).toBe('')
    const notFound = loadedFrom(stored(404, [['etag', '"v1"']], 'gone'))
    const answered = answerFromStore(request({ 'if-none-match': '"v1"' }), notFound, 0, { hit: true })
    expect(answered.status).toBe(404)
    expect(await answered.text()).toBe('gone')
  })

  test('a stored status without a body is answered without one', async () => {
    const answer = answerFromStore(request(), loadedFrom(stored(204, [], '')), 0, { hit: true })
    expect(answer.status).toBe(204)
    expect(answer.body).toBeNull()
  })

  test('only-if-cached with nothing usable is a 504 that says so in Cache-Status', async () => {
    const answer = notCached()
    expect(answer.status).toBe(504)
    expect(answer.headers.get('cache-status')).toBe('fastcache; detail=only-if-cached')
    expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('NOT_CACHED')
  })
})
