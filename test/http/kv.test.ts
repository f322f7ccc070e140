import { describe, expect, test } from 'bun:test'
import { testApp } from '../support/app'

describe('PUT /v1/kv/{key}', () => {
  test('stores JSON byte-for-byte and reads it back as application/json', async () => {
    const { call } = testApp()
    const body = '{ "b": 2,\n  "a": [1, 2.50] }'
    const put = await call('PUT', '/v1/kv/users/42/profile', { body, headers: { 'content-type': 'application/json; charset=utf-8' } })
    expect(put.status).toBe(201)
    expect(put.json).toEqual({ key: 'users/42/profile', version: 1, expiresAt: null })
    expect(put.headers.get('etag')).toBe('"1"')
    const get = await call('GET', '/v1/kv/users/42/profile')
    expect(get.status).toBe(200)
    expect(get.text).toBe(body)
    expect(get.headers.get('content-type')).toBe('application/json')
    expect(get.headers.get('etag')).toBe('"1"')
  })

  test('+json types count as JSON; invalid JSON is refused with 400', async () => {
    const { call } = testApp()
    expect((await call('PUT', '/v1/kv/a', { body: '{"x":1}', headers: { 'content-type': 'application/problem+json' } })).status).toBe(201)
    expect((await call('GET', '/v1/kv/a')).headers.get('content-type')).toBe('application/json')
    const bad = await call('PUT', '/v1/kv/b', { body: '{"x":', headers: { 'content-type': 'application/json' } })
    expect(bad.status).toBe(400)
    expect(bad.json.error.code).toBe('INVALID_JSON')
    expect((await call('GET', '/v1/kv/b')).status).toBe(404)
  })

  test('opaque bytes come back verbatim with their content type; none means octet-stream', async () => {
    const { call, app } = testApp()
    const binary = new Uint8Array([0, 255, 1, 254, 10, 13])
    await call('PUT', '/v1/kv/img', { body: binary, headers: { 'content-type': 'image/png' } })
    const response = await app.handle(new Request('http://localhost/v1/kv/img'))
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(binary)
    expect(response.headers.get('content-type')).toBe('image/png')
    await call('PUT', '/v1/kv/raw', { body: 'abc' })
    const raw = await call('GET', '/v1/kv/raw')
    expect(raw.headers.get('content-type')).toBe('application/octet-stream')
    expect(raw.text).toBe('abc')
  })

  test('201 when created, 200 when replaced, each with a new version', async () => {
    const { call } = testApp()
    const first = await call('PUT', '/v1/kv/a', { body: '1' })
    const second = await call('PUT', '/v1/kv/a', { body: '2' })
    expect([first.status, second.status]).toEqual([201, 200])
    expect(second.json.version).toBeGreaterThan(first.json.version)
  })

  test('a body over --max-value-size gets 413 and stores nothing', async () => {
    const { call } = testApp({ maxValueBytes: 10 })
    expect((await call('PUT', '/v1/kv/a', { body: '0123456789' })).status).toBe(201)
    const big = await call('PUT', '/v1/kv/b', { body: '0123456789a' })
    expect(big.status).toBe(413)
    expect(big.json.error.code).toBe('PAYLOAD_TOO_LARGE')
    expect((await call('GET', '/v1/kv/b')).status).toBe(404)
  })

  test('a streamed body without Content-Length is bounded too', async () => {
    const { app } = testApp({ maxValueBytes: 1000 })
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 5; i++) controller.enqueue(new Uint8Array(300))
        controller.close()
      },
    })
    const response = await app.handle(new Request('http://localhost/v1/kv/s', { method: 'PUT', body: stream }))
    expect(response.status).toBe(413)
  })

  test('an entry larger than the whole memory bound gets 413 even under --max-value-size', async () => {
    const { call } = testApp({ maxMemoryBytes: 1000, maxValueBytes: 5000 })
    const response = await call('PUT', '/v1/kv/a', { body: 'x'.repeat(2000) })
    expect(response.status).toBe(413)
    expect(response.json.error.code).toBe('ENTRY_TOO_LARGE')
  })

  test('ttl accepts seconds and units, and sets Cache-Control and Expires', async () => {
    const { call, clock } = testApp()
    const put = await call('PUT', '/v1/kv/a?ttl=90', { body: 'x' })
    expect(put.json.expiresAt).toBe(new Date(clock.now() + 90_000).toISOString())
    clock.advance(30_500)
    const get = await call('GET', '/v1/kv/a')
    expect(get.headers.get('cache-control')).toBe('max-age=59')
    expect(get.headers.get('expires')).toBe(new Date(clock.now() - 30_500 + 90_000).toUTCString())
    for (const [ttl, ms] of [
      ['250ms', 250],
      ['30s', 30_000],
      ['5m', 300_000],
      ['2h', 7_200_000],
      ['1d', 86_400_000],
    ] as const) {
      const r = await call('PUT', `/v1/kv/t?ttl=${ttl}`, { body: 'x' })
      expect(r.json.expiresAt).toBe(new Date(clock.now() + ms).toISOString())
    }
  })

  test('bad ttl values get 400', async () => {
    const { call } = testApp()
    for (const ttl of ['0', '-5', '1.5', 'abc', '5x', '', '10 s', '0s']) {
      const r = await call('PUT', `/v1/kv/a?ttl=${encodeURIComponent(ttl)}`, { body: 'x' })
      expect(r.status).toBe(400)
      expect(r.json.error.code).toBe('INVALID_TTL')
    }
  })

  test('expired entries are gone: 404 on GET', async () => {
    const { call, clock } = testApp()
    await call('PUT', '/v1/kv/a?ttl=250ms', { body: 'x' })
    clock.advance(249)
    expect((await call('GET', '/v1/kv/a')).status).toBe(200)
    clock.advance(1)
    expect((await call('GET', '/v1/kv/a')).status).toBe(404)
  })

  test('a plain PUT clears the TTL; ?keepttl keeps it', async () => {
    const { call } = testApp()
    await call('PUT', '/v1/kv/a?ttl=60', { body: 'x' })
    const kept = await call('PUT', '/v1/kv/a?keepttl', { body: 'y' })
    expect(kept.json.expiresAt).not.toBeNull()
    const cleared = await call('PUT', '/v1/kv/a', { body: 'z' })
    expect(cleared.json.expiresAt).toBeNull()
    expect((await call('GET', '/v1/kv/a')).headers.get('cache-control')).toBeNull()
  })

  test('--default-ttl applies to PUT without ttl', async () => {
    const { call, clock } = testApp({ defaultTtlMs: 60_000 })
    const put = await call('PUT', '/v1/kv/a', { body: 'x' })
    expect(put.json.expiresAt).toBe(new Date(clock.now() + 60_000).toISOString())
  })

  test('?nx, If-None-Match: *, ?xx conditions; both nx and xx is 400', async () => {
    const { call } = testApp()
    expect((await call('PUT', '/v1/kv/a?xx', { body: '1' })).status).toBe(412)
    expect((await call('PUT', '/v1/kv/a?nx', { body: '1' })).status).toBe(201)
    const again = await call('PUT', '/v1/kv/a?nx', { body: '2' })
    expect(again.status).toBe(412)
    expect(again.json.error.code).toBe('PRECONDITION_FAILED')
    expect((await call('PUT', '/v1/kv/a', { body: '3', headers: { 'if-none-match': '*' } })).status).toBe(412)
    expect((await call('PUT', '/v1/kv/a?xx=true', { body: '4' })).status).toBe(200)
    expect((await call('GET', '/v1/kv/a')).text).toBe('4')
    expect((await call('PUT', '/v1/kv/a?nx&xx', { body: '5' })).status).toBe(400)
    expect((await call('PUT', '/v1/kv/a?nx=maybe', { body: '5' })).status).toBe(400)
    expect((await call('PUT', '/v1/kv/a?xx', { body: '5', headers: { 'if-none-match': '*' } })).status).toBe(400)
  })

  test('If-Match compares and sets on the version; a stale ETag never matches', async () => {
    const { call } = testApp()
    const first = await call('PUT', '/v1/kv/a', { body: '1' })
    const etag = first.headers.get('etag')!
    expect((await call('PUT', '/v1/kv/a', { body: '2', headers: { 'if-match': etag } })).status).toBe(200)
    const stale = await call('PUT', '/v1/kv/a', { body: '3', headers: { 'if-match': etag } })
    expect(stale.status).toBe(412)
    expect((await call('GET', '/v1/kv/a')).text).toBe('2')
    // Deleted and re-created: the old ETag must not match the new entry.
    await call('DELETE', '/v1/kv/a')
    await call('PUT', '/v1/kv/a', { body: '4' })
    expect((await call('PUT', '/v1/kv/a', { body: '5', headers: { 'if-match': etag } })).status).toBe(412)
    expect((await call('PUT', '/v1/kv/missing', { body: '5', headers: { 'if-match': etag } })).status).toBe(412)
    expect((await call('GET', '/v1/kv/missing')).status).toBe(404)
  })
})

describe('keys in the path', () => {
  test('are percent-decoded and may contain slashes', async () => {
    const { call } = testApp()
    await call('PUT', '/v1/kv/a%20b%2Fc%3Fd', { body: '1' })
    const list = await call('GET', '/v1/keys')
    expect(list.json.keys).toEqual(['a b/c?d'])
    expect((await call('GET', '/v1/kv/a%20b/c%3Fd')).status).toBe(200)
  })

  test('multi-byte keys are limited in bytes, not characters', async () => {
    const { call } = testApp({ maxKeyBytes: 6 })
    expect((await call('PUT', `/v1/kv/${encodeURIComponent('ééé')}`, { body: '1' })).status).toBe(201)
    const tooLong = await call('PUT', `/v1/kv/${encodeURIComponent('éééé')}`, { body: '1' })
    expect(tooLong.status).toBe(400)
    expect(tooLong.json.error.code).toBe('INVALID_KEY')
  })

  test('empty keys, control characters and invalid percent-encoding get 400', async () => {
    const { call } = testApp()
    for (const path of ['/v1/kv/', '/v1/kv/a%00b', '/v1/kv/a%0Ab', '/v1/kv/a%7Fb', '/v1/kv/a%ZZ', '/v1/kv/%E2%82', '/v1/kv/%']) {
      const r = await call('PUT', path, { body: '1' })
      expect(r.status).toBe(400)
      expect(r.json.error.code).toBe('INVALID_KEY')
      expect((await call('GET', path)).status).toBe(400)
    }
  })
})

describe('GET, HEAD and DELETE /v1/kv/{key}', () => {
  test('404 with our error shape for an absent key', async () => {
    const { call } = testApp()
    const r = await call('GET', '/v1/kv/nope')
    expect(r.status).toBe(404)
    expect(r.json).toEqual({ error: { code: 'KEY_NOT_FOUND', message: expect.any(String) } })
  })

  test('If-None-Match with the current ETag gets 304', async () => {
    const { call } = testApp()
    const put = await call('PUT', '/v1/kv/a?ttl=60', { body: 'x' })
    const etag = put.headers.get('etag')!
    const r = await call('GET', '/v1/kv/a', { headers: { 'if-none-match': `"999", ${etag}` } })
    expect(r.status).toBe(304)
    expect(r.text).toBe('')
    expect(r.headers.get('etag')).toBe(etag)
    expect(r.headers.get('cache-control')).toBe('max-age=60')
    expect((await call('GET', '/v1/kv/a', { headers: { 'if-none-match': '"999"' } })).status).toBe(200)
  })

  test('?meta returns metadata instead of the value', async () => {
    const { call, clock } = testApp()
    const created = clock.now()
    await call('PUT', '/v1/kv/a?ttl=10s', { body: 'héllo', headers: { 'content-type': 'text/plain' } })
    clock.advance(2500)
    const r = await call('GET', '/v1/kv/a?meta')
    expect(r.json).toEqual({
      key: 'a',
      version: 1,
      size: 6,
      contentType: 'text/plain',
      createdAt: new Date(created).toISOString(),
      expiresAt: new Date(created + 10_000).toISOString(),
      ttlMs: 7500,
    })
    await call('PUT', '/v1/kv/b', { body: '1' })
    expect((await call('GET', '/v1/kv/b?meta=true')).json).toMatchObject({ expiresAt: null, ttlMs: null })
  })

  test('HEAD answers like GET without a body', async () => {
    const { call } = testApp()
    await call('PUT', '/v1/kv/a', { body: 'hello', headers: { 'content-type': 'text/plain' } })
    const r = await call('HEAD', '/v1/kv/a')
    expect(r.status).toBe(200)
    expect(r.text).toBe('')
    expect(r.headers.get('etag')).toBe('"1"')
    expect(r.headers.get('content-type')).toBe('text/plain')
    expect((await call('HEAD', '/v1/kv/b')).status).toBe(404)
  })

  test('DELETE: 204 when removed, 404 when absent, honours If-Match', async () => {
    const { call } = testApp()
    const put = await call('PUT', '/v1/kv/a', { body: '1' })
    expect((await call('DELETE', '/v1/kv/a', { headers: { 'if-match': '"12345"' } })).status).toBe(412)
    const removed = await call('DELETE', '/v1/kv/a', { headers: { 'if-match': put.headers.get('etag')! } })
    expect(removed.status).toBe(204)
    expect(removed.text).toBe('')
    expect((await call('DELETE', '/v1/kv/a')).status).toBe(404)
  })

  test('GET, HEAD and ?meta count hits and misses', async () => {
    const { call } = testApp()
    await call('PUT', '/v1/kv/a', { body: '1' })
    await call('GET', '/v1/kv/a')
    await call('HEAD', '/v1/kv/a')
    await call('GET', '/v1/kv/a?meta')
    await call('GET', '/v1/kv/b')
    const stats = (await call('GET', '/v1/stats')).json
    expect(stats).toMatchObject({ hits: 3, misses: 1, hitRatio: 0.75 })
  })
})
