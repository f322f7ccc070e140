import { describe, expect, test } from 'bun:test'
import { testApp } from '../support/app'
import { checkedHandle } from '../support/reply-check'

const expectErrorShape = (json: unknown) =>
  expect(json).toEqual({ error: { code: expect.stringMatching(/^[A-Z][A-Z0-9_]*$/), message: expect.any(String) } })

describe('errors', () => {
  test('an unknown route is 404 in our shape', async () => {
    const { call } = testApp()
    for (const path of ['/nope', '/v1', '/v1/kv', '/v2/kv/a']) {
      const r = await call('GET', path)
      expect(r.status).toBe(404)
      expectErrorShape(r.json)
    }
  })

  test('a wrong method on a known path is 405 with Allow', async () => {
    const { call } = testApp()
    const cases: [string, string, string][] = [
      ['POST', '/v1/kv/a', 'GET, HEAD, PUT, DELETE'],
      ['PATCH', '/v1/kv/a', 'GET, HEAD, PUT, DELETE'],
      ['GET', '/v1/incr/a', 'POST'],
      ['PUT', '/v1/touch/a', 'POST'],
      ['GET', '/v1/batch', 'POST'],
      ['POST', '/v1/keys', 'GET, HEAD, DELETE'],
      ['DELETE', '/v1/stats', 'GET, HEAD'],
      ['POST', '/metrics', 'GET, HEAD'],
      ['POST', '/health', 'GET, HEAD'],
    ]
    for (const [method, path, allow] of cases) {
      const r = await call(method, path)
      expect(r.status).toBe(405)
      expect(r.headers.get('allow')).toBe(allow)
      expectErrorShape(r.json)
    }
  })

  test('unknown query parameters are refused, not ignored', async () => {
    const { call } = testApp()
    const r = await call('PUT', '/v1/kv/a?tll=5', { body: '1' })
    expect(r.status).toBe(400)
    expect(r.json.error.message).toContain('tll')
  })

  test('no malformed input yields a 5xx', async () => {
    const { app } = testApp()
    const handle = checkedHandle(app)
    const paths = [
      '/v1/kv/a',
      '/v1/kv/%',
      '/v1/incr/a',
      '/v1/touch/a',
      '/v1/batch',
      '/v1/keys',
      '/v1/keys?limit=%',
      '/v1/kv/a?ttl=%FF',
      '/v1/kv/a?meta=%',
    ]
    const bodies = [
      '',
      '{',
      '[]',
      'null',
      '"x"',
      '{"ops":[null]}',
      '{"ops":[{"op":"set","key":"k","value":1e999}]}',
      '\u0000',
      '{"by":{}}',
      '{"ttl":[]}',
    ]
    const types = ['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '']
    let requests = 0
    for (const path of paths) {
      for (const method of ['GET', 'PUT', 'POST', 'DELETE']) {
        for (const body of bodies) {
          for (const type of types) {
            const init: RequestInit = { method, headers: type ? { 'content-type': type } : {} }
            if (method !== 'GET') init.body = body
            const response = await handle(new Request(`http://localhost${path}`, init))
            requests++
            if (response.status >= 500)
              throw new Error(`${method} ${path} ${type} ${JSON.stringify(body)} -> ${response.status} ${await response.text()}`)
            if (response.status >= 400) expectErrorShape(await response.json())
          }
        }
      }
    }
    expect(requests).toBe(paths.length * 4 * bodies.length * types.length)
  })
})
