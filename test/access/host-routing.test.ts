import { afterAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import type { Config } from '../../src/config/schema'
import { createApp } from '../../src/app'
import { listen } from '../../src/server'
import { testApp, baseConfig } from '../support/app'
import { rawRequest, type RawReply } from '../support/raw-http'
import { checkedHandle } from '../support/reply-check'
import { Rng } from '../../bench/hitratio/prng'

// The router and the access guard must decide on the same path whatever the Host field says.
// Each check runs a request with an odd Host on one app and the same request with an ordinary Host on
// a twin app fed the same sequence: their answers (and at the end their contents) must agree.

const SECRETS = { read: 'rrrrrrrrrrrrrrrrrrrr', write: 'wwwwwwwwwwwwwwwwwwww', admin: 'aaaaaaaaaaaaaaaaaaaa' } as const
const tokens = Object.entries(SECRETS).map(([scope, secret]) => ({ scope: scope as keyof typeof SECRETS, secret }))
const SCOPES = [undefined, 'read', 'write', 'admin'] as const
const TLS = { certFile: join(import.meta.dir, '../fixtures/tls/cert.pem'), keyFile: join(import.meta.dir, '../fixtures/tls/key.pem') }

/** Host fields of 1 to 5 characters, with and without a port (the short ones broke routing). */
const SHORT_HOSTS = ['x', 'kv', 'api', 'host', 'hosts', 'x:1', 'kv:8', 'a:12', 'ab:1', 'a:123']
/** Path prefixes that a misread offset would skip: a short host made `/ab/v1/keys` route as `/v1/keys`. */
const JUNK = ['', '/a', '/ab', '/abc', '/openapi', '/health']

interface Call {
  method: string
  path: string
  body?: string
}

/** One request for each registered route (and the query spellings that change a route's scope). */
function everyRoute(config: Config): Call[] {
  const bodies: Record<string, string> = {
    '/v1/incr/*': '{}',
    '/v1/touch/*': '{"ttl":60}',
    '/v1/batch': '{"ops":[{"op":"get","key":"k"}]}',
    '/v1/proxy/cache': '{"prefix":"/proxy/none/"}',
  }
  const calls: Call[] = []
  for (const route of createApp(config).routes) {
    const method = route.method === 'ALL' ? 'PATCH' : route.method
    const path = route.path.replace('*', 'k')
    const body = method === 'GET' || method === 'HEAD' ? undefined : method === 'PUT' ? 'v' : (bodies[route.path] ?? '{}')
    calls.push({ method, path, body })
  }
  calls.push(
    { method: 'DELETE', path: '/v1/keys?all=true' },
    { method: 'DELETE', path: '/v1/keys?prefix=k' },
    { method: 'GET', path: '/v1/kv/k?meta' },
  )
  return calls
}

const headersFor = (scope: (typeof SCOPES)[number], body: string | undefined): Record<string, string> => ({
  ...(scope === undefined ? {} : { authorization: `Bearer ${SECRETS[scope]}` }),
  ...(body === undefined ? {} : { 'content-type': 'application/json' }),
})

/** What must agree between two answers: the status and, for errors, the error code. */
async function outcome(response: Response): Promise<string> {
  const text = await response.text()
  return `${response.status} ${errorCode(text)}`
}
const rawOutcome = (reply: RawReply) => `${reply.status} ${errorCode(reply.body)}`
function errorCode(text: string): string {
  try {
    return (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? ''
  } catch {
    return ''
  }
}

async function keysOf(app: { handle(request: Request): Promise<Response> }): Promise<string[]> {
  const reply = await app.handle(
    new Request('http://localhost/v1/keys?limit=1000', { headers: { authorization: `Bearer ${SECRETS.admin}` } }),
  )
  return ((await reply.json()) as { keys: string[] }).keys.sort()
}

describe('a short Host cannot move the path the router reads away from the one access control checked', () => {
  test('a read token cannot flush, write or read stats through a short Host and a junk path prefix', async () => {
    const { call, app } = testApp({ tokens })
    const handle = checkedHandle(app)
    const read = { authorization: `Bearer ${SECRETS.read}` }
    await call('PUT', '/v1/kv/keep', { body: '1', headers: { authorization: `Bearer ${SECRETS.write}` } })
    for (const host of ['x', 'ab', 'a:1']) {
      for (const scheme of ['http', 'https']) {
        const send = (method: string, path: string) =>
          handle(new Request(`${scheme}://${host}${path}`, { method, headers: read, body: method === 'PUT' ? 'x' : undefined }))
        // Paths no route serves: refused (a write there needs admin) or not found, never served.
        expect((await send('DELETE', '/ab/v1/keys?all=true')).status).toBe(403)
        expect((await send('PUT', '/ab/v1/kv/evil')).status).toBe(403)
        expect((await send('GET', '/ab/v1/stats')).status).toBe(404)
        expect((await send('DELETE', '/v1/keys?all=true')).status).toBe(403)
        expect((await send('PUT', '/v1/kv/evil')).status).toBe(403)
      }
    }
    expect(await keysOf(app)).toEqual(['keep'])
  })

  test('with --public-metrics, the open /openapi prefix does not open the key routes', async () => {
    const { app } = testApp({ tokens, publicMetrics: true })
    for (const host of ['x', 'ab', 'abc']) {
      const put = await app.handle(new Request(`http://${host}/openapi/v1/kv/evil`, { method: 'PUT', body: 'x' }))
      expect(put.status).toBe(401)
      const flush = await app.handle(new Request(`http://${host}/openapi/v1/keys?all=true`, { method: 'DELETE' }))
      expect(flush.status).toBe(401)
    }
    expect(await keysOf(app)).toEqual([])
  })

  test('ordinary short Hosts (nginx `proxy_pass http://kv;`) route as any other Host', async () => {
    const { app } = testApp()
    for (const host of ['kv', 'api', 'x:1']) {
      const put = await app.handle(new Request(`http://${host}/v1/kv/k-${host}`, { method: 'PUT', body: 'v' }))
      expect(put.status).toBe(201)
      expect(await (await app.handle(new Request(`http://${host}/v1/kv/k-${host}`))).text()).toBe('v')
    }
  })

  test('every route x every scope x short Hosts x junk prefixes, over http and https URLs: the same answers as with an ordinary Host', async () => {
    const config = { ...baseConfig, tokens }
    const odd = testApp(config).app
    const ordinary = testApp(config).app
    let compared = 0
    for (const scheme of ['http', 'https']) {
      for (const host of SHORT_HOSTS) {
        for (const junk of JUNK) {
          for (const { method, path, body } of everyRoute(config)) {
            for (const scope of SCOPES) {
              const init = { method, body, headers: headersFor(scope, body) }
              const got = await outcome(await odd.handle(new Request(`${scheme}://${host}${junk}${path}`, init)))
              const want = await outcome(await ordinary.handle(new Request(`http://localhost${junk}${path}`, init)))
              expect([scheme, host, method, junk + path, scope, got]).toEqual([scheme, host, method, junk + path, scope, want])
              compared++
            }
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(10_000)
    expect(await keysOf(odd)).toEqual(await keysOf(ordinary))
  })

  test('the query is read from after the "?" only: "&" and "=" in the Host or the path add no query field', async () => {
    const { app } = testApp()
    const put = await app.handle(new Request('http://localhost/v1/kv/a&b=c?ttl=60', { method: 'PUT', body: 'v' }))
    expect(put.status).toBe(201)
    const meta = await app.handle(new Request('http://localhost/v1/kv/a&b=c?meta'))
    expect(((await meta.json()) as { key: string }).key).toBe('a&b=c')
    // A Host like "&prefix=" would otherwise turn the path into a prefix and the flush into a prefix delete.
    await app.handle(new Request('http://localhost/v1/kv/keep', { method: 'PUT', body: '1' }))
    const flush = await app.handle(new Request('http://&prefix=/v1/keys?all=true', { method: 'DELETE' }))
    expect(flush.status).toBe(200)
    expect(await keysOf(app)).toEqual([])
  })

  test('a write token never flushes, whatever the spelling of the query', async () => {
    const { call } = testApp({ tokens })
    const write = { authorization: `Bearer ${SECRETS.write}` }
    await call('PUT', '/v1/kv/keep', { body: '1', headers: write })
    const spellings = [
      'all=true',
      'al%6C=true',
      '%61ll=true',
      'ALL=true',
      'all',
      'all=',
      '+all=true',
      'all+=true',
      'all%20=true',
      ';all=true',
      'x=1;all=true',
      'all[]=true',
      'all=true&all=true',
      'prefix=k&all=true',
      'all=true&prefix=k',
      'all%3Dtrue',
      'all%00=true',
      '&&all=true',
      'a%6cl=tru%65',
      'all=TRUE',
      'all=true;',
    ]
    for (const query of spellings) {
      const reply = await call('DELETE', `/v1/keys?${query}`, { headers: write })
      expect([query, reply.status === 200 && reply.json.deleted > 0]).toEqual([query, false])
      expect((await call('GET', '/v1/kv/keep', { headers: write })).status).toBe(200)
    }
  })
})

describe('over real sockets, HTTP and HTTPS', () => {
  const servers: { stop(force: boolean): unknown }[] = []
  afterAll(() => {
    for (const server of servers) server.stop(true)
  })

  function serve(config: Config) {
    const app = createApp(config, { sweepIntervalMs: 0 })
    const server = listen(app, config)
    servers.push(server)
    return { app, port: server.port! }
  }

  const requestBytes = (call: Call, hostLine: string, version: string, headers: Record<string, string>) =>
    `${call.method} ${call.path} ${version}\r\n${hostLine}${Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('')}Content-Length: ${call.body?.length ?? 0}\r\nConnection: close\r\n\r\n${call.body ?? ''}`

  for (const tls of [false, true]) {
    test(`${tls ? 'https' : 'http'}: every route x every scope x Hosts of 0 to 5 characters, with and without a port (and none, in HTTP/1.0)`, async () => {
      const config = { ...baseConfig, port: 0, tokens, tls: tls ? TLS : null }
      const { app: odd, port } = serve(config)
      const ordinary = testApp({ tokens }).app
      // [Host field line, HTTP version]: an empty Host is allowed for targets without an authority; HTTP/1.0 needs none.
      const hosts: [string, string][] = [
        ['Host: \r\n', 'HTTP/1.1'],
        ['', 'HTTP/1.0'],
        ...SHORT_HOSTS.map((host): [string, string] => [`Host: ${host}\r\n`, 'HTTP/1.1']),
      ]
      let compared = 0
      for (const [hostLine, version] of hosts) {
        for (const junk of ['', '/ab']) {
          for (const call of everyRoute(config)) {
            for (const scope of SCOPES) {
              const headers = headersFor(scope, call.body)
              const reply = await rawRequest(port, requestBytes({ ...call, path: junk + call.path }, hostLine, version, headers), { tls })
              const want = await outcome(
                await ordinary.handle(
                  new Request(`http://localhost${junk}${call.path}`, { method: call.method, body: call.body, headers }),
                ),
              )
              expect([hostLine, version, call.method, junk + call.path, scope, rawOutcome(reply)]).toEqual([
                hostLine,
                version,
                call.method,
                junk + call.path,
                scope,
                want,
              ])
              compared++
            }
          }
        }
      }
      expect(compared).toBeGreaterThan(2000)
      expect(await keysOf(odd)).toEqual(await keysOf(ordinary))
    }, 60_000)
  }

  test('property: for random Hosts and paths, the answer is the one an ordinary Host gets, or 400 for a Host that is not valid', async () => {
    const config = { ...baseConfig, port: 0, tokens }
    const { app: odd, port } = serve(config)
    // The twin is reached over a socket too: the runtime, not URL parsing in the test, normalises the path for both.
    const { app: ordinary, port: ordinaryPort } = serve(config)
    const rng = new Rng(Number(process.env.HOST_PROPERTY_SEED ?? 20261129))
    const random = () => rng.float()
    const pick = <T>(items: readonly T[]): T => rng.pick(items)
    const hostChars = 'abcxyz019-._~:[]!$&()*+;=%@/?#\\ '
    const segments = [
      'v1',
      'kv',
      'keys',
      'batch',
      'incr',
      'touch',
      'proxy',
      'cache',
      'admin',
      'snapshot',
      'stats',
      'metrics',
      'health',
      'openapi',
      'json',
      'k',
      'ab',
      '..',
      '.',
      '%6b',
      '',
    ]
    const calls = everyRoute(config)
    let accepted = 0
    for (let i = 0; i < 600; i++) {
      const host = Array.from({ length: Math.floor(random() * 9) }, () => pick([...hostChars])).join('')
      const base = pick(calls)
      const path =
        random() < 0.5
          ? base.path
          : `/${Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(segments)).join('/')}${random() < 0.3 ? '?all=true' : ''}`
      const call = { ...base, path }
      const headers = headersFor(pick(SCOPES), call.body)
      const reply = await rawRequest(port, requestBytes(call, `Host: ${host}\r\n`, 'HTTP/1.1', headers))
      const got = rawOutcome(reply)
      if (got === '400 INVALID_HOST' || got === '400 ') continue // the Host (or the request line) was refused as invalid
      accepted++
      const want = rawOutcome(await rawRequest(ordinaryPort, requestBytes(call, 'Host: localhost\r\n', 'HTTP/1.1', headers)))
      expect([host, call.method, path, got]).toEqual([host, call.method, path, want])
    }
    expect(accepted).toBeGreaterThan(200)
    expect(await keysOf(odd)).toEqual(await keysOf(ordinary))
  }, 60_000)

  test('a key path in raw UTF-8 (not percent-encoded) is the same key for every method, whatever the Host', async () => {
    const { port } = serve({ ...baseConfig, port: 0 })
    for (const host of ['localhost', 'x', 'kv:1', '127.0.0.1']) {
      for (const key of ['café', '日本', '😀', 'ü/ö', 'é%20']) {
        const send = (method: string, suffix = '', body = '') =>
          rawRequest(
            port,
            `${method} /v1/kv/${key}${suffix} HTTP/1.1\r\nHost: ${host}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
          )
        const put = await send('PUT', '', key)
        const meta = await send('GET', '?meta')
        const got = await send('GET')
        const head = await send('HEAD')
        const removed = await send('DELETE')
        const gone = await send('GET')
        expect([host, key, put.status, meta.status, got.status, head.status, removed.status, gone.status]).toEqual([
          host,
          key,
          201,
          200,
          200,
          200,
          204,
          404,
        ])
        expect(JSON.parse(meta.body).key).toBe(decodeURIComponent(key))
        expect(got.body).toBe(key)
      }
    }
  })

  test('more than one Host field line is refused (RFC 9112 section 3.2)', async () => {
    const { port } = serve({ ...baseConfig, port: 0 })
    const reply = await rawRequest(port, 'GET /health HTTP/1.1\r\nHost: x\r\nHost: y\r\nConnection: close\r\n\r\n')
    expect(reply.status).toBe(400)
    expect((await rawRequest(port, 'GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).status).toBe(200)
  })
})
