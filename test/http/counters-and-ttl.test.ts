import { describe, expect, test } from 'bun:test'
import { testApp } from '../support/app'

describe('POST /v1/incr/{key}', () => {
  test('creates from 0 with 201, then adds with 200; the value reads back as JSON', async () => {
    const { call } = testApp()
    const created = await call('POST', '/v1/incr/hits')
    expect(created.status).toBe(201)
    expect(created.json).toEqual({ key: 'hits', value: 1, version: 1 })
    const added = await call('POST', '/v1/incr/hits', { json: { by: -11 } })
    expect(added.status).toBe(200)
    expect(added.json).toMatchObject({ value: -10, version: 2 })
    const get = await call('GET', '/v1/kv/hits')
    expect(get.text).toBe('-10')
    expect(get.headers.get('content-type')).toBe('application/json')
  })

  test('ttl applies to a created counter; an existing TTL is kept', async () => {
    const { call, clock } = testApp()
    const created = await call('POST', '/v1/incr/n', { json: { ttl: '10s' } })
    expect(created.status).toBe(201)
    expect((await call('GET', '/v1/kv/n?meta')).json.expiresAt).toBe(new Date(clock.now() + 10_000).toISOString())
    await call('POST', '/v1/incr/n', { json: { by: 2, ttl: 999 } })
    expect((await call('GET', '/v1/kv/n?meta')).json.expiresAt).toBe(new Date(clock.now() + 10_000).toISOString())
  })

  test('--default-ttl applies to a counter created without ttl', async () => {
    const { call, clock } = testApp({ defaultTtlMs: 5000 })
    await call('POST', '/v1/incr/n')
    expect((await call('GET', '/v1/kv/n?meta')).json.expiresAt).toBe(new Date(clock.now() + 5000).toISOString())
  })

  test('a non-integer value or an overflow gets 409 and changes nothing', async () => {
    const { call } = testApp()
    await call('PUT', '/v1/kv/s', { json: 'text' })
    const notInt = await call('POST', '/v1/incr/s')
    expect(notInt.status).toBe(409)
    expect(notInt.json.error.code).toBe('NOT_AN_INTEGER')
    await call('PUT', '/v1/kv/big', { json: Number.MAX_SAFE_INTEGER })
    const overflow = await call('POST', '/v1/incr/big', { json: { by: 1 } })
    expect(overflow.status).toBe(409)
    expect(overflow.json.error.code).toBe('OUT_OF_RANGE')
    expect((await call('GET', '/v1/kv/big')).text).toBe(String(Number.MAX_SAFE_INTEGER))
  })

  test('bad bodies: 400 for wrong fields, 415 for non-JSON, 400 for malformed JSON', async () => {
    const { call } = testApp()
    for (const json of [{ by: 1.5 }, { by: 'two' }, { by: 2 ** 60 }, { bogus: 1 }, [1], 'x']) {
      const r = await call('POST', '/v1/incr/n', { json })
      expect(r.status).toBe(400)
      expect(r.json.error.code).toBeString()
    }
    expect((await call('POST', '/v1/incr/n', { json: { ttl: '0s' } })).status).toBe(400)
    const wrongType = await call('POST', '/v1/incr/n', { body: 'by=2', headers: { 'content-type': 'text/plain' } })
    expect(wrongType.status).toBe(415)
    expect(wrongType.json.error.code).toBe('UNSUPPORTED_MEDIA_TYPE')
    const malformed = await call('POST', '/v1/incr/n', { body: '{"by":2', headers: { 'content-type': 'application/json' } })
    expect(malformed.status).toBe(400)
    expect(malformed.json.error.code).toBe('INVALID_JSON')
    expect((await call('GET', '/v1/kv/n')).status).toBe(404)
  })
})

describe('POST /v1/touch/{key}', () => {
  test('sets and removes a TTL, keeping the version', async () => {
    const { call, clock } = testApp()
    const put = await call('PUT', '/v1/kv/a', { body: 'x' })
    const touched = await call('POST', '/v1/touch/a', { json: { ttl: '1m' } })
    expect(touched.status).toBe(200)
    expect(touched.json).toEqual({ key: 'a', version: put.json.version, expiresAt: new Date(clock.now() + 60_000).toISOString() })
    const cleared = await call('POST', '/v1/touch/a', { json: { ttl: null } })
    expect(cleared.json.expiresAt).toBeNull()
    clock.advance(120_000)
    expect((await call('GET', '/v1/kv/a')).status).toBe(200)
  })

  test('404 for an absent key, 400 without ttl, 415 for other content types', async () => {
    const { call } = testApp()
    expect((await call('POST', '/v1/touch/missing', { json: { ttl: 5 } })).status).toBe(404)
    await call('PUT', '/v1/kv/a', { body: 'x' })
    expect((await call('POST', '/v1/touch/a', { json: {} })).status).toBe(400)
    expect((await call('POST', '/v1/touch/a')).status).toBe(400)
    expect((await call('POST', '/v1/touch/a', { json: { ttl: -1 } })).status).toBe(400)
    expect((await call('POST', '/v1/touch/a', { body: '{"ttl":5}', headers: { 'content-type': 'text/plain' } })).status).toBe(415)
  })
})
