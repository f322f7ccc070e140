import { describe, expect, test } from 'bun:test'
import { testApp } from '../support/app'

describe('POST /v1/batch', () => {
  test('runs ops in order and answers one result per op', async () => {
    const { call } = testApp()
    await call('PUT', '/v1/kv/blob', { body: new Uint8Array([1, 2, 3]), headers: { 'content-type': 'image/png' } })
    const r = await call('POST', '/v1/batch', {
      json: {
        ops: [
          { op: 'set', key: 'a', value: { n: [1, 2] } },
          { op: 'get', key: 'a' },
          { op: 'set', key: 'a', value: 'again', nx: true },
          { op: 'incr', key: 'c', by: 5 },
          { op: 'incr', key: 'a' },
          { op: 'get', key: 'blob' },
          { op: 'del', key: 'a' },
          { op: 'del', key: 'a' },
          { op: 'get', key: 'a' },
        ],
      },
    })
    expect(r.status).toBe(200)
    const statuses = r.json.results.map((x: { status: number }) => x.status)
    expect(statuses).toEqual([201, 200, 412, 201, 409, 200, 204, 404, 404])
    expect(r.json.results[1]).toMatchObject({ key: 'a', value: { n: [1, 2] } })
    expect(r.json.results[3]).toMatchObject({ key: 'c', value: 5 })
    expect(r.json.results[5]).toMatchObject({ value: 'AQID', encoding: 'base64', contentType: 'image/png' })
    expect(r.json.results[0].version).toBeInteger()
  })

  test('a batch set behaves like PUT: stored as JSON, clears the TTL, takes ttl', async () => {
    const { call, clock } = testApp()
    await call('PUT', '/v1/kv/a?ttl=60', { body: '1' })
    const r = await call('POST', '/v1/batch', {
      json: {
        ops: [
          { op: 'set', key: 'a', value: [1] },
          { op: 'set', key: 'b', value: 2, ttl: '5s' },
        ],
      },
    })
    expect(r.json.results[0]).toMatchObject({ status: 200, expiresAt: null })
    expect(r.json.results[1]).toMatchObject({ status: 201, expiresAt: new Date(clock.now() + 5000).toISOString() })
    const get = await call('GET', '/v1/kv/a')
    expect(get.text).toBe('[1]')
    expect(get.headers.get('content-type')).toBe('application/json')
  })

  test('batch get counts hits and misses', async () => {
    const { call } = testApp()
    await call('POST', '/v1/batch', {
      json: {
        ops: [
          { op: 'set', key: 'a', value: 1 },
          { op: 'get', key: 'a' },
          { op: 'get', key: 'b' },
        ],
      },
    })
    expect((await call('GET', '/v1/stats')).json).toMatchObject({ hits: 1, misses: 1 })
  })

  test('a malformed op, a bad key or a bad ttl rejects the whole batch with 400 and runs nothing', async () => {
    const { call } = testApp({ maxKeyBytes: 8 })
    const bad = [
      { op: 'nope', key: 'x' },
      { op: 'set', key: 'x' },
      { op: 'get' },
      { op: 'get', key: '' },
      { op: 'get', key: 'waytoolongkey' },
      { op: 'get', key: 'a\u0001' },
      { op: 'set', key: 'x', value: 1, ttl: '0' },
      { op: 'set', key: 'x', value: 1, nx: true, xx: true },
      { op: 'incr', key: 'x', by: 0.5 },
      { op: 'get', key: 'x', extra: true },
    ]
    for (const op of bad) {
      const r = await call('POST', '/v1/batch', { json: { ops: [{ op: 'set', key: 'first', value: 1 }, op] } })
      expect(r.status).toBe(400)
      expect(r.json.error.code).toBeString()
      expect((await call('GET', '/v1/kv/first')).status).toBe(404)
    }
    expect((await call('POST', '/v1/batch', { json: { ops: 'x' } })).status).toBe(400)
    expect((await call('POST', '/v1/batch', { json: {} })).status).toBe(400)
    expect((await call('POST', '/v1/batch', { body: 'ops', headers: { 'content-type': 'text/plain' } })).status).toBe(415)
  })

  test('a value over --max-value-size rejects the whole batch with 413', async () => {
    const { call } = testApp({ maxValueBytes: 10 })
    const r = await call('POST', '/v1/batch', {
      json: {
        ops: [
          { op: 'set', key: 'a', value: 1 },
          { op: 'set', key: 'b', value: 'x'.repeat(20) },
        ],
      },
    })
    expect(r.status).toBe(413)
    expect((await call('GET', '/v1/kv/a')).status).toBe(404)
  })

  test('accepts 1000 ops and refuses 1001', async () => {
    const { call } = testApp()
    const ops = (n: number) => Array.from({ length: n }, (_, i) => ({ op: 'incr', key: `k${i % 10}` }))
    const ok = await call('POST', '/v1/batch', { json: { ops: ops(1000) } })
    expect(ok.status).toBe(200)
    expect(ok.json.results.at(-1)).toMatchObject({ value: 100 })
    expect((await call('POST', '/v1/batch', { json: { ops: ops(1001) } })).status).toBe(400)
  })

  test('runs atomically: no request interleaves with a batch', async () => {
    const { call } = testApp()
    const ops = Array.from({ length: 1000 }, () => ({ op: 'incr', key: 'n' }))
    const requests = [
      call('POST', '/v1/batch', { json: { ops } }),
      call('PUT', '/v1/kv/n', { json: 0 }),
      call('POST', '/v1/batch', { json: { ops } }),
    ]
    const [first, , second] = await Promise.all(requests)
    // Each batch's counter values are consecutive: nothing reset the key midway through a batch.
    for (const batch of [first!, second!]) {
      const values = batch.json.results.map((r: { value: number }) => r.value)
      for (let i = 1; i < values.length; i++) expect(values[i]).toBe(values[i - 1] + 1)
    }
  })
})
