import { afterEach, describe, expect, test } from 'bun:test'
import { gzipSync } from 'node:zlib'
import { ManualClock } from '../../src/cache'
import type { UpstreamConfig } from '../../src/config/schema'
import { badRequest } from '../../src/http/errors'
import { createLogger } from '../../src/log/logger'
import { ProxyCounters } from '../../src/modules/proxy/counters'
import { Forwarding } from '../../src/modules/proxy/forwarding'
import { resolveTarget, type Target } from '../../src/modules/proxy/target'
import { startOrigin, type OriginHandler } from '../support/origin'
import { upstreamAt } from '../support/proxied'

const stops: (() => void)[] = []
afterEach(() => {
  while (stops.length > 0) stops.pop()!()
})

/** Forwarding to a fresh origin on loopback, with its counters and the log lines it wrote. */
function forwardingTo(handler: OriginHandler, options: Partial<UpstreamConfig> = {}, ownsAuthorization = false) {
  const origin = startOrigin(new ManualClock())
  stops.push(origin.stop)
  origin.answer(handler)
  const upstreams = new Map([['api', upstreamAt(`${origin.url}/base`, options)]])
  const counters = new ProxyCounters()
  const logged: { message: string; url?: string }[] = []
  const logger = createLogger('warn', (line) => void logged.push(JSON.parse(line)))
  const forwarding = new Forwarding(counters, logger, ownsAuthorization)
  const target = (path: string) => resolveTarget(upstreams, `http://localhost/proxy/api${path}`)
  const request = (path: string, init: RequestInit = {}) => new Request(`http://localhost/proxy/api${path}`, init)
  return { forwarding, origin, counters, logged, target, request }
}

describe('which request fields reach the upstream', () => {
  test('hop-by-hop fields, those Connection names, Host, Content-Length and unkeyed fields stay behind; the rest go', async () => {
    const { forwarding, origin, target, request } = forwardingTo(() => new Response('x'))
    const headers = {
      'x-trace': 't1',
      accept: 'text/html',
      te: 'trailers',
      'proxy-authorization': 'Basic x',
      connection: 'x-secret',
      'x-secret': 's',
      'x-forwarded-host': 'evil.example',
      'x-http-method-override': 'DELETE',
      'x-forwarded-for': '10.0.0.1',
    }
    await forwarding.bypass(request('/h', { headers }), target('/h'))
    const seen = origin.requests[0]!.headers
    expect([seen.get('x-trace'), seen.get('accept'), seen.get('x-forwarded-for')]).toEqual(['t1', 'text/html', '10.0.0.1'])
    const withheld = ['te', 'proxy-authorization', 'x-secret', 'x-forwarded-host', 'x-http-method-override']
    expect(withheld.map((name) => seen.get(name))).toEqual(withheld.map(() => null))
    expect(seen.get('host')).toBe(new URL(origin.url).host)
  })

  test('an allow-list lets only its fields through; an unkeyed one goes when it is listed', async () => {
    const allowList = { forwardHeaders: ['x-tenant', 'x-forwarded-proto'] }
    const { forwarding, origin, target, request } = forwardingTo(() => new Response('x'), allowList)
    const headers = { 'x-tenant': 't', 'x-other': 'o', 'x-forwarded-proto': 'https' }
    await forwarding.bypass(request('/a', { headers }), target('/a'))
    const seen = origin.requests[0]!.headers
    expect([seen.get('x-tenant'), seen.get('x-other'), seen.get('x-forwarded-proto')]).toEqual(['t', null, 'https'])
  })

  test("Authorization goes to the upstream, unless fastcache's own tokens use it", async () => {
    const theirs = forwardingTo(() => new Response('x'))
    const withAuthorization = theirs.request('/me', { headers: { authorization: 'Bearer upstream-token' } })
    expect(theirs.forwarding.carriesUpstreamAuthorization(withAuthorization)).toBe(true)
    await theirs.forwarding.bypass(withAuthorization, theirs.target('/me'))
    expect(theirs.origin.requests[0]!.headers.get('authorization')).toBe('Bearer upstream-token')

    const ours = forwardingTo(() => new Response('x'), {}, true)
    const withToken = ours.request('/me', { headers: { authorization: 'Bearer fastcache-token' } })
    expect(ours.forwarding.carriesUpstreamAuthorization(withToken)).toBe(false)
    await ours.forwarding.bypass(withToken, ours.target('/me'))
    expect(ours.origin.requests[0]!.headers.get('authorization')).toBeNull()
  })

  test('a fetch for the cache drops the client’s conditionals and cookie, and keeps the rest', () => {
    const { forwarding, request } = forwardingTo(() => new Response('x'), { ignoreCookies: true })
    const conditionals = {
      'if-none-match': '"a"',
      'if-modified-since': 'Tue, 01 Jan 2030 00:00:00 GMT',
      'if-match': '"a"',
      'if-unmodified-since': 'Tue, 01 Jan 2030 00:00:00 GMT',
      'if-range': '"a"',
    }
    const client = request('/c', { headers: { ...conditionals, cookie: 'session=alice', accept: 'text/plain' } })
    const headers = forwarding.cacheFillHeaders(client, upstreamAt('http://x'))
    expect([...headers.keys()]).toEqual(['accept'])
  })
})

describe('requests passed through uncached', () => {
  test('a bypassed read goes as it came, HEAD as HEAD, and comes back with end-to-end fields, its Content-Length and fwd=bypass', async () => {
    const { forwarding, origin, target, request } = forwardingTo(
      () => new Response('body', { headers: { 'keep-alive': 'timeout=5', 'x-upstream': '1' } }),
    )
    const answer = await forwarding.bypass(request('/b', { method: 'HEAD' }), target('/b'))
    expect(origin.requests[0]!.method).toBe('HEAD')
    expect(answer.headers.get('x-upstream')).toBe('1')
    expect(answer.headers.get('keep-alive')).toBeNull()
    expect(answer.headers.get('cache-status')).toBe('fastcache; fwd=bypass')
    expect(answer.headers.get('content-length')).toBe('4')
    expect(await answer.text()).toBe('')
    const got = await forwarding.bypass(request('/b'), target('/b'))
    expect(origin.requests[1]!.method).toBe('GET')
    expect(await got.text()).toBe('body')
  })

  test('a body of known length that stops short is a 504 or 502 for the client, not a cut-off body', async () => {
    const listener = Bun.listen({
      hostname: '127.0.0.1',
      port: 0,
      socket: {
        data(socket) {
          // Half the promised body, then nothing: the upstream's timeout ends it.
          socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n${'x'.repeat(500)}`)
        },
      },
    })
    try {
      const upstreams = new Map([['api', upstreamAt(`http://127.0.0.1:${listener.port}`, { timeoutMs: 200 })]])
      const counters = new ProxyCounters()
      const forwarding = new Forwarding(
        counters,
        createLogger('error', () => {}),
        false,
      )
      const target = resolveTarget(upstreams, 'http://localhost/proxy/api/short')
      const answer = await forwarding.bypass(new Request('http://localhost/proxy/api/short'), target)
      expect(answer.status).toBe(504)
      expect(answer.headers.get('cache-status')).toBe('fastcache; fwd=bypass; detail=upstream-timeout')
      expect(counters.totals().upstreamErrors).toBe(1)
    } finally {
      listener.stop(true)
    }
  })

  test('redirects come back to the client, and encoded bodies stay encoded', async () => {
    const gzipped = gzipSync('compressed')
    const { forwarding, target, request } = forwardingTo(({ path }) =>
      path.endsWith('old')
        ? new Response(null, { status: 302, headers: { location: '/base/new' } })
        : new Response(gzipped, { headers: { 'content-encoding': 'gzip' } }),
    )
    const moved = await forwarding.bypass(request('/old'), target('/old'))
    expect([moved.status, moved.headers.get('location')]).toEqual([302, '/base/new'])
    const encoded = await forwarding.bypass(request('/z'), target('/z'))
    expect(encoded.headers.get('content-encoding')).toBe('gzip')
    expect(new Uint8Array(await encoded.arrayBuffer())).toEqual(new Uint8Array(gzipped))
  })

  test('a write goes with its method and body; only an answer below 400 is reported as a success', async () => {
    const created = () => new Response(null, { status: 201, headers: { location: '/base/items/7' } })
    const refused = () => new Response('no', { status: 409 })
    const { forwarding, origin, target, request } = forwardingTo(({ body }) => (body === 'refused' ? refused() : created()))
    const succeeded: (string | null)[] = []
    const report = async (response: Response) => {
      succeeded.push(response.headers.get('location'))
      return undefined
    }
    const answer = await forwarding.write(request('/items', { method: 'POST', body: 'item' }), target('/items'), report)
    expect([origin.requests[0]!.method, origin.requests[0]!.body]).toEqual(['POST', 'item'])
    expect(answer.status).toBe(201)
    expect(answer.headers.get('cache-status')).toBe('fastcache; fwd=method')
    await forwarding.write(request('/items', { method: 'PUT', body: 'refused' }), target('/items'), report)
    expect(succeeded).toEqual(['/base/items/7'])
  })

  test('a path that leaves the upstream is the client’s error: nothing is sent, no upstream error counted', async () => {
    const { forwarding, origin, counters, target, request } = forwardingTo(() => new Response('x'))
    const leaving: Target = {
      ...target('/x'),
      get url(): string {
        throw badRequest('INVALID_PROXY_PATH', 'the path leaves the upstream')
      },
    }
    await expect(forwarding.bypass(request('/x'), leaving)).rejects.toMatchObject({ status: 400 })
    expect(origin.requests).toHaveLength(0)
    expect(counters.totals().upstreamErrors).toBe(0)
  })
})

describe('upstream failures', () => {
  test('an upstream slower than its timeout is a 504, counted and logged once', async () => {
    const { forwarding, counters, logged, target, request } = forwardingTo(
      async () => {
        await Bun.sleep(300)
        return new Response('late')
      },
      { timeoutMs: 50 },
    )
    const answer = await forwarding.bypass(request('/slow'), target('/slow'))
    expect(answer.status).toBe(504)
    expect(answer.headers.get('cache-status')).toBe('fastcache; fwd=bypass; detail=upstream-timeout')
    expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('UPSTREAM_TIMEOUT')
    expect(counters.totals().upstreamErrors).toBe(1)
    expect(logged.map((line) => line.message)).toEqual(['upstream timed out'])
  })

  test('an upstream that cannot be reached is a 502', async () => {
    const { forwarding, origin, counters, logged, target, request } = forwardingTo(() => new Response('x'))
    origin.stop()
    const answer = await forwarding.write(request('/w', { method: 'DELETE' }), target('/w'), async () => undefined)
    expect(answer.status).toBe(502)
    expect(answer.headers.get('cache-status')).toBe('fastcache; fwd=method; detail=upstream-unavailable')
    expect(counters.totals().upstreamErrors).toBe(1)
    expect(logged.map((line) => line.message)).toEqual(['upstream unreachable'])
  })

  test('the failure of a request others waited on is logged by it alone: theirs say collapsed, log nothing', () => {
    const { forwarding, logged, target } = forwardingTo(() => new Response('x'))
    const timeout = new DOMException('timed out', 'TimeoutError')
    const answer = forwarding.failure(timeout, target('/t'), { fwd: 'uri-miss', collapsed: true })
    expect(answer.status).toBe(504)
    expect(answer.headers.get('cache-status')).toBe('fastcache; fwd=uri-miss; collapsed; detail=upstream-timeout')
    expect(logged).toHaveLength(0)
  })

  test('a body that fails in the middle is counted and logged as one line; a status without a body gets none', async () => {
    const { forwarding, counters, logged, target } = forwardingTo(() => new Response('x'))
    const failing = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.error(new DOMException('The operation timed out.', 'TimeoutError')),
    })
    const answer = forwarding.toClient(200, failing, new Headers(), target('/f'))
    expect(
      await answer.text().then(
        () => 'complete',
        () => 'cut off',
      ),
    ).toBe('cut off')
    expect(counters.totals().upstreamErrors).toBe(1)
    expect(logged).toMatchObject([{ message: 'upstream failed during the body', url: target('/f').url }])
    expect(forwarding.toClient(304, new Response('ignored').body, new Headers(), target('/n')).body).toBeNull()
  })
})
