import { describe, expect, test } from 'bun:test'
import { RouteTable } from '../../src/http/route-table'
import { testApp } from '../support/app'

const READ = 'read:rrrrrrrrrrrrrrrrrrrr'
const WRITE = 'write:wwwwwwwwwwwwwwwwwwww'
const ADMIN = 'admin:aaaaaaaaaaaaaaaaaaaa'
const bearer = (token: string) => ({ authorization: `Bearer ${token.slice(token.indexOf(':') + 1)}` })
const tokens = [READ, WRITE, ADMIN].map((token) => ({ scope: token.split(':')[0] as 'read', secret: token.slice(token.indexOf(':') + 1) }))

describe('access control with bearer tokens', () => {
  test('every registered route refuses a request without a token (401, WWW-Authenticate), except the open ones', async () => {
    const { app, call } = testApp({ tokens })
    const seen: string[] = []
    for (const route of app.routes) {
      const method = route.method === 'ALL' ? 'PATCH' : route.method
      const path = route.path.replace('*', 'some/key')
      const r = await call(method, path, {
        body: method === 'GET' || method === 'HEAD' ? undefined : '{}',
        headers: { 'content-type': 'application/json' },
      })
      seen.push(`${method} ${path}`)
      // Open: the health routes, and the viewer's and dashboard's pages and files (they hold no data).
      const open =
        ['/health', '/health/ready', '/openapi', '/dashboard'].includes(path) || /^\/(openapi|dashboard)\/[\w.-]+\.(js|css|txt)$/.test(path)
      if (open && method === 'GET') {
        expect(r.status).not.toBe(401)
        continue
      }
      expect([`${method} ${path}`, r.status]).toEqual([`${method} ${path}`, 401])
      expect(r.headers.get('www-authenticate')).toBe('Bearer realm="fastcache"')
      expect(r.json.error.code).toBe('UNAUTHORIZED')
    }
    // The enumeration saw the routes that matter, including the 405 fallbacks.
    for (const route of [
      'GET /v1/kv/some/key',
      'PUT /v1/kv/some/key',
      'POST /v1/batch',
      'DELETE /v1/keys',
      'GET /proxy/some/key',
      'DELETE /v1/proxy/cache',
      'GET /metrics',
      'PATCH /v1/stats',
    ]) {
      expect(seen).toContain(route)
    }
  })

  test('unknown paths need a token too, so routes cannot be probed anonymously', async () => {
    const { call } = testApp({ tokens })
    expect((await call('GET', '/v2/anything')).status).toBe(401)
    expect((await call('GET', '/v2/anything', { headers: bearer(READ) })).status).toBe(404)
  })

  test('read reads; write also writes keys; admin also flushes, purges and sees stats and metrics', async () => {
    const { call } = testApp({ tokens })
    const expectations: [string, string, string, number[]][] = [
      // [token, method, path, [status for read, write, admin]]
      ['', 'PUT', '/v1/kv/k', [403, 200, 200]],
      ['', 'GET', '/v1/kv/k', [200, 200, 200]],
      ['', 'GET', '/v1/kv/k?meta', [200, 200, 200]],
      ['', 'GET', '/v1/keys', [200, 200, 200]],
      ['', 'POST', '/v1/incr/n', [403, 201, 200]],
      ['', 'POST', '/v1/touch/k', [403, 200, 200]],
      ['', 'POST', '/v1/batch', [403, 200, 200]],
      ['', 'DELETE', '/v1/keys?prefix=zz', [403, 200, 200]],
      ['', 'DELETE', '/v1/keys?all=true', [403, 403, 200]],
      ['', 'DELETE', '/v1/proxy/cache', [403, 403, 200]],
      ['', 'GET', '/v1/stats', [403, 403, 200]],
      ['', 'GET', '/metrics', [403, 403, 200]],
      ['', 'GET', '/openapi/json', [403, 403, 200]],
    ]
    const bodies: Record<string, string> = {
      '/v1/touch/k': '{"ttl":60}',
      '/v1/batch': '{"ops":[{"op":"get","key":"k"}]}',
      '/v1/proxy/cache': '{"prefix":"/proxy/none/"}',
      '/v1/incr/n': '{}',
    }
    expect((await call('PUT', '/v1/kv/k', { body: '0', headers: bearer(ADMIN) })).status).toBe(201)
    for (const [index, token] of [READ, WRITE, ADMIN].entries()) {
      for (const [, method, path, statuses] of expectations) {
        if (path === '/v1/keys?all=true' && index === 2) continue // leave the keys for the other checks
        const body = method === 'PUT' ? '1' : bodies[path]
        const r = await call(method, path, { body, headers: { ...bearer(token), 'content-type': 'application/json' } })
        expect([token, method, path, r.status]).toEqual([token, method, path, statuses[index]!])
        if (r.status === 403) {
          expect(r.json.error.code).toBe('FORBIDDEN')
          expect(r.headers.get('www-authenticate')).toStartWith('Bearer realm="fastcache", error="insufficient_scope", scope=')
        }
      }
    }
    expect((await call('DELETE', '/v1/keys?all=true', { headers: bearer(ADMIN) })).status).toBe(200)
  })

  test('a wrong token is 401 invalid_token; the scheme is case-insensitive; a token in the query string is never read', async () => {
    const { call } = testApp({ tokens })
    const wrong = await call('GET', '/v1/kv/k', { headers: { authorization: 'Bearer not-a-real-token-at-all' } })
    expect(wrong.status).toBe(401)
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer realm="fastcache", error="invalid_token"')
    expect((await call('GET', '/v1/kv/k', { headers: { authorization: 'Basic cnJycnJycnJycnJycnJycnJycnI=' } })).status).toBe(401)
    expect((await call('GET', '/v1/kv/k', { headers: { authorization: 'bearer rrrrrrrrrrrrrrrrrrrr' } })).status).toBe(404)
    expect((await call('GET', '/v1/kv/k?access_token=rrrrrrrrrrrrrrrrrrrr')).status).toBe(401)
    expect((await call('GET', '/v1/kv/k?token=rrrrrrrrrrrrrrrrrrrr')).status).toBe(401)
  })

  test('spellings the router treats alike get the same scope: a trailing slash, an encoded query name', async () => {
    const { call } = testApp({ tokens })
    await call('PUT', '/v1/kv/keep', { body: '1', headers: bearer(WRITE) })
    expect((await call('DELETE', '/v1/keys/?all=true', { headers: bearer(READ) })).status).toBe(403)
    expect((await call('DELETE', '/v1/keys?al%6C=true', { headers: bearer(WRITE) })).status).toBe(403)
    expect((await call('POST', '/v1/batch/', { json: { ops: [] }, headers: bearer(READ) })).status).toBe(403)
    expect((await call('DELETE', '/v1/proxy/cache/', { json: { tag: 'x' }, headers: bearer(WRITE) })).status).toBe(403)
    expect((await call('GET', '/metrics/', { headers: bearer(READ) })).status).toBe(403)
    expect((await call('GET', '/v1/stats/', { headers: bearer(WRITE) })).status).toBe(403)
    expect((await call('GET', '/v1/kv/keep', { headers: bearer(READ) })).text).toBe('1')
  })

  test('the GET fast path is guarded like the route', async () => {
    const { call } = testApp({ tokens })
    await call('PUT', '/v1/kv/secret', { body: 'x', headers: bearer(WRITE) })
    expect((await call('GET', '/v1/kv/secret')).status).toBe(401)
    expect((await call('GET', '/v1/kv/secret', { headers: bearer(READ) })).text).toBe('x')
  })

  test('the PUT fast path is guarded like the route: no token or a read token writes nothing', async () => {
    const { call } = testApp({ tokens })
    expect((await call('PUT', '/v1/kv/guarded', { body: 'x' })).status).toBe(401)
    expect((await call('PUT', '/v1/kv/guarded', { body: 'x', headers: bearer(READ) })).status).toBe(403)
    expect((await call('GET', '/v1/kv/guarded', { headers: bearer(READ) })).status).toBe(404)
    expect((await call('PUT', '/v1/kv/guarded', { body: 'x', headers: bearer(WRITE) })).status).toBe(201)
  })

  test('--public-metrics opens /metrics, /v1/stats and /openapi; /health is always open', async () => {
    const { call } = testApp({ tokens, publicMetrics: true })
    for (const path of ['/metrics', '/v1/stats', '/openapi/json', '/health']) expect((await call('GET', path)).status).toBe(200)
    expect((await call('GET', '/v1/kv/k')).status).toBe(401)
  })

  test('without tokens nothing is asked', async () => {
    const { call } = testApp()
    expect((await call('PUT', '/v1/kv/k', { body: '1' })).status).toBe(201)
    expect((await call('DELETE', '/v1/keys?all=true')).status).toBe(200)
  })
})

describe('request limits and CORS', () => {
  test('more header fields or bytes than configured get 431', async () => {
    const { call } = testApp({ maxHeaders: 5, maxHeaderBytes: 1024 })
    const many = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`x-h${i}`, 'v']))
    const r = await call('GET', '/v1/kv/k', { headers: many })
    expect(r.status).toBe(431)
    expect(r.json.error.code).toBe('HEADERS_TOO_LARGE')
    expect((await call('GET', '/v1/kv/k', { headers: { 'x-big': 'a'.repeat(2000) } })).status).toBe(431)
    expect((await call('GET', '/v1/kv/k', { headers: { 'x-ok': 'a' } })).status).toBe(404)
  })

  test('requests beyond --max-connections in flight get 503 with Retry-After, and the bound frees up', async () => {
    const { call } = testApp({ maxConnections: 2 })
    await call('GET', '/v1/kv/k?lease=300ms')
    const waiting = [call('GET', '/v1/kv/k?lease=300ms'), call('GET', '/v1/kv/k?lease=300ms')]
    await Bun.sleep(20)
    const refused = await call('GET', '/v1/kv/other')
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('1')
    expect(refused.json.error.code).toBe('OVERLOADED')
    await Promise.all(waiting)
    expect((await call('GET', '/v1/kv/other')).status).toBe(404)
  })

  test('--max-batch bounds a batch', async () => {
    const { call } = testApp({ maxBatch: 2 })
    const ops = (n: number) => ({ ops: Array.from({ length: n }, (_, i) => ({ op: 'get', key: `k${i}` })) })
    expect((await call('POST', '/v1/batch', { json: ops(2) })).status).toBe(200)
    expect((await call('POST', '/v1/batch', { json: ops(3) })).status).toBe(400)
  })

  test('CORS is off by default: no Access-Control fields, preflights are not answered', async () => {
    const { call } = testApp()
    const r = await call('GET', '/v1/kv/k', { headers: { origin: 'https://app.example.com' } })
    expect(r.headers.get('access-control-allow-origin')).toBeNull()
    const preflight = await call('OPTIONS', '/v1/kv/k', {
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'PUT' },
    })
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull()
  })

  test('with origins configured, allowed ones get preflights (before auth) and allow fields; others get nothing', async () => {
    const { call } = testApp({ corsOrigins: ['https://app.example.com'], tokens })
    const preflight = await call('OPTIONS', '/v1/kv/k', {
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'authorization, content-type',
      },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example.com')
    expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization, content-type')
    const r = await call('GET', '/v1/kv/k', { headers: { origin: 'https://app.example.com', ...bearer(READ) } })
    expect(r.headers.get('access-control-allow-origin')).toBe('https://app.example.com')
    expect(r.headers.get('access-control-expose-headers')).toContain('ETag')
    const other = await call('GET', '/v1/kv/k', { headers: { origin: 'https://evil.example', ...bearer(READ) } })
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
  })
})

describe('route rules live with their routes', () => {
  test('every registered route declares who may call it', () => {
    const { app } = testApp()
    const table = new RouteTable(app.routes)
    expect(table.undeclared(app.routes)).toEqual([])
  })

  test('a route that declares nothing, or a path no route serves, needs admin for anything but GET and HEAD', async () => {
    const table = new RouteTable([{ method: 'POST', path: '/v1/forgotten' }])
    expect(table.rule('POST', '/v1/forgotten')).toEqual({ scope: 'admin' })
    expect(table.rule('GET', '/v1/forgotten')).toEqual({ scope: 'read' })
    const { call } = testApp({ tokens })
    expect((await call('PATCH', '/v2/anything', { headers: bearer(WRITE) })).status).toBe(403)
    expect((await call('DELETE', '/v2/anything', { headers: bearer(ADMIN) })).status).toBe(404)
    expect((await call('GET', '/v2/anything', { headers: bearer(READ) })).status).toBe(404)
  })
})
