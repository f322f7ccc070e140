import { afterEach, describe, expect, test } from 'bun:test'
import { cached, proxied, stopOrigins } from '../support/proxied'

afterEach(stopOrigins)

describe('read-through proxy: freshness (RFC 9111)', () => {
  test('a fresh response is stored and served from the cache with Age and Cache-Status', async () => {
    const { call, clock, origin } = proxied(cached('hello', 'max-age=60'))
    const first = await call('GET', '/proxy/api/items/1?x=1')
    expect(first.status).toBe(200)
    expect(first.text).toBe('hello')
    expect(first.headers.get('cache-status')).toBe('fastcache; fwd=uri-miss; stored')
    expect(origin.requests[0]!.path).toBe('/base/items/1?x=1')
    clock.advance(10_000)
    const second = await call('GET', '/proxy/api/items/1?x=1')
    expect(second.text).toBe('hello')
    expect(second.headers.get('content-type')).toBe('text/plain')
    expect(second.headers.get('age')).toBe('10')
    expect(second.headers.get('cache-status')).toBe('fastcache; hit; ttl=50')
    expect(origin.count('/base/items/1?x=1')).toBe(1)
  })

  test('s-maxage beats max-age, which beats Expires; the upstream Age counts against freshness', async () => {
    const { call, clock, origin } = proxied(cached('x', 'max-age=10, s-maxage=100', { age: '30' }))
    await call('GET', '/proxy/api/a')
    expect((await call('GET', '/proxy/api/a')).headers.get('cache-status')).toBe('fastcache; hit; ttl=70')
    clock.advance(71_000)
    // Stale without validators or stale windows: nothing left to reuse, so it is gone from the store.
    expect((await call('GET', '/proxy/api/a')).headers.get('cache-status')).toBe('fastcache; fwd=uri-miss; stored')
    expect(origin.count('/base/a')).toBe(2)
  })

  test('Expires minus Date gives the lifetime when there is no max-age', async () => {
    const { call, clock } = proxied(() => {
      const now = Date.UTC(2030, 0, 1)
      return new Response('x', { headers: { date: new Date(now).toUTCString(), expires: new Date(now + 120_000).toUTCString() } })
    })
    await call('GET', '/proxy/api/e')
    clock.advance(20_000)
    expect((await call('GET', '/proxy/api/e')).headers.get('cache-status')).toBe('fastcache; hit; ttl=100')
  })

  test.each([
    ['no-store', 'max-age=60, no-store'],
    ['private', 'max-age=60, private'],
  ])('%s responses are not stored', async (_name, cacheControl) => {
    const { call, origin } = proxied(cached('x', cacheControl))
    const first = await call('GET', '/proxy/api/p')
    expect(first.headers.get('cache-status')).toBe('fastcache; fwd=uri-miss')
    await call('GET', '/proxy/api/p')
    expect(origin.count('/base/p')).toBe(2)
  })

  test('responses with Set-Cookie or Vary: * are not stored', async () => {
    const { call, origin } = proxied(({ path }) =>
      path.endsWith('cookie')
        ? new Response('x', { headers: { 'cache-control': 'max-age=60', 'set-cookie': 'a=1' } })
        : new Response('x', { headers: { 'cache-control': 'max-age=60', vary: '*' } }),
    )
    for (const path of ['/proxy/api/cookie', '/proxy/api/star']) {
      await call('GET', path)
      await call('GET', path)
    }
    expect(origin.count('/base/cookie')).toBe(2)
    expect(origin.count('/base/star')).toBe(2)
  })

  test('only cacheable statuses are stored: a 404 is, a 500 and a 302 without explicit freshness are not', async () => {
    const statuses: Record<string, number> = { '/base/nf': 404, '/base/err': 500, '/base/moved': 302 }
    const { call, origin } = proxied(
      ({ path }) =>
        new Response('x', {
          status: statuses[path],
          headers: { 'cache-control': path === '/base/nf' ? 'max-age=60' : 'no-cache', location: '/elsewhere' },
        }),
    )
    for (const path of ['/proxy/api/nf', '/proxy/api/err', '/proxy/api/moved']) {
      await call('GET', path)
      await call('GET', path)
    }
    expect(origin.count('/base/nf')).toBe(1)
    expect(origin.count('/base/err')).toBe(2)
    expect(origin.count('/base/moved')).toBe(2)
  })

  test('redirects are returned to the client, not followed', async () => {
    const { call, origin } = proxied(
      () => new Response(null, { status: 301, headers: { location: 'http://elsewhere.example/x', 'cache-control': 'max-age=60' } }),
    )
    const r = await call('GET', '/proxy/api/old')
    expect(r.status).toBe(301)
    expect(r.headers.get('location')).toBe('http://elsewhere.example/x')
    expect(origin.requests.length).toBe(1)
  })

  test('a response without freshness or validators is passed through unstored; with a default TTL it is stored', async () => {
    const bare = proxied(() => new Response('x'))
    await bare.call('GET', '/proxy/api/b')
    await bare.call('GET', '/proxy/api/b')
    expect(bare.origin.count('/base/b')).toBe(2)
    const withDefault = proxied(() => new Response('x'), { defaultTtlMs: 30_000 })
    await withDefault.call('GET', '/proxy/api/b')
    expect((await withDefault.call('GET', '/proxy/api/b')).headers.get('cache-status')).toBe('fastcache; hit; ttl=30')
    expect(withDefault.origin.count('/base/b')).toBe(1)
  })
})

describe('read-through proxy: revalidation', () => {
  test('a stale response with an ETag is revalidated; a 304 refreshes it and the stored body is served', async () => {
    let version = 0
    const { call, clock, origin } = proxied(({ headers }) => {
      if (headers.get('if-none-match') === '"v1"')
        return new Response(null, { status: 304, headers: { etag: '"v1"', 'cache-control': 'max-age=60' } })
      version++
      return new Response(`body ${version}`, { headers: { etag: '"v1"', 'cache-control': 'max-age=60' } })
    })
    await call('GET', '/proxy/api/r')
    clock.advance(61_000)
    const revalidated = await call('GET', '/proxy/api/r')
    expect(revalidated.text).toBe('body 1')
    expect(revalidated.headers.get('cache-status')).toBe('fastcache; fwd=stale; fwd-status=304')
    expect(origin.requests[1]!.headers.get('if-none-match')).toBe('"v1"')
    const after = await call('GET', '/proxy/api/r')
    expect(after.headers.get('cache-status')).toBe('fastcache; hit; ttl=60')
    expect(origin.count('/base/r')).toBe(2)
  })

  test('Last-Modified is revalidated with If-Modified-Since; a changed response replaces the stored one', async () => {
    const lastModified = new Date(Date.UTC(2029, 0, 1)).toUTCString()
    let body = 'old'
    const { call, clock, origin } = proxied(
      () => new Response(body, { headers: { 'last-modified': lastModified, 'cache-control': 'max-age=10' } }),
    )
    await call('GET', '/proxy/api/lm')
    clock.advance(11_000)
    body = 'new'
    const r = await call('GET', '/proxy/api/lm')
    expect(origin.requests[1]!.headers.get('if-modified-since')).toBe(lastModified)
    expect(r.text).toBe('new')
    expect(r.headers.get('cache-status')).toBe('fastcache; fwd=stale; fwd-status=200; stored')
    expect((await call('GET', '/proxy/api/lm')).text).toBe('new')
  })

  test('a 304 that adds Set-Cookie or private makes the response unstorable: the next client is not served it', async () => {
    for (const extra of [{ 'set-cookie': 'session=user1-secret' }, { 'cache-control': 'private, max-age=60' }]) {
      const { call, clock, origin } = proxied(({ headers }) =>
        headers.get('if-none-match')
          ? new Response(null, { status: 304, headers: { etag: '"v"', ...extra } })
          : new Response('body', { headers: { etag: '"v"', 'cache-control': 'max-age=10' } }),
      )
      await call('GET', '/proxy/api/s')
      clock.advance(11_000)
      const revalidated = await call('GET', '/proxy/api/s')
      expect(revalidated.text).toBe('body')
      const next = await call('GET', '/proxy/api/s')
      expect(next.headers.get('set-cookie')).toBeNull()
      expect(next.headers.get('cache-status')).toBe('fastcache; fwd=uri-miss; stored')
      expect(origin.count('/base/s')).toBe(3)
    }
  })

  test('a 304 restarts the age: an upstream Age on the first response does not shorten the refreshed one', async () => {
    const { call, clock } = proxied(({ headers }) =>
      headers.get('if-none-match')
        ? new Response(null, { status: 304, headers: { etag: '"v"', 'cache-control': 'max-age=60' } })
        : new Response('x', { headers: { etag: '"v"', 'cache-control': 'max-age=60', age: '55' } }),
    )
    await call('GET', '/proxy/api/age')
    clock.advance(6_000)
    expect((await call('GET', '/proxy/api/age')).headers.get('cache-status')).toBe('fastcache; fwd=stale; fwd-status=304')
    expect((await call('GET', '/proxy/api/age')).headers.get('cache-status')).toBe('fastcache; hit; ttl=60')
  })

  test('only-if-cached answers 504 instead of going upstream', async () => {
    const { call, origin } = proxied(cached('x', 'max-age=60'))
    const miss = await call('GET', '/proxy/api/oic', { headers: { 'cache-control': 'only-if-cached' } })
    expect(miss.status).toBe(504)
    expect(miss.json.error.code).toBe('NOT_CACHED')
    expect(origin.requests.length).toBe(0)
    await call('GET', '/proxy/api/oic')
    expect((await call('GET', '/proxy/api/oic', { headers: { 'cache-control': 'only-if-cached' } })).status).toBe(200)
  })

  test('no-cache responses are revalidated on every use', async () => {
    const { call, origin } = proxied(({ headers }) =>
      headers.get('if-none-match')
        ? new Response(null, { status: 304, headers: { etag: '"a"' } })
        : new Response('x', { headers: { etag: '"a"', 'cache-control': 'no-cache' } }),
    )
    await call('GET', '/proxy/api/nc')
    const r = await call('GET', '/proxy/api/nc')
    expect(r.text).toBe('x')
    expect(r.headers.get('cache-status')).toBe('fastcache; fwd=stale; fwd-status=304')
    expect(origin.count('/base/nc')).toBe(2)
  })

  test('must-revalidate: fresh is served, stale is never served without revalidation, even on error', async () => {
    let fail = false
    const { call, clock } = proxied(() =>
      fail
        ? new Response('down', { status: 503 })
        : new Response('x', { headers: { etag: '"a"', 'cache-control': 'max-age=10, must-revalidate, stale-if-error=600' } }),
    )
    await call('GET', '/proxy/api/mr')
    expect((await call('GET', '/proxy/api/mr')).headers.get('cache-status')).toBe('fastcache; hit; ttl=10')
    clock.advance(20_000)
    fail = true
    const r = await call('GET', '/proxy/api/mr')
    expect(r.status).toBe(503)
  })

  test('a client Cache-Control: no-cache or max-age=0 makes the proxy revalidate (fwd=request)', async () => {
    const { call, origin } = proxied(({ headers }) =>
      headers.get('if-none-match')
        ? new Response(null, { status: 304, headers: { etag: '"a"' } })
        : new Response('x', { headers: { etag: '"a"', 'cache-control': 'max-age=600' } }),
    )
    await call('GET', '/proxy/api/c')
    for (const cacheControl of ['no-cache', 'max-age=0']) {
      const r = await call('GET', '/proxy/api/c', { headers: { 'cache-control': cacheControl } })
      expect(r.headers.get('cache-status')).toBe('fastcache; fwd=request; fwd-status=304')
    }
    expect(origin.count('/base/c')).toBe(3)
  })

  test('client conditionals are answered from the cache: a matching If-None-Match gets 304', async () => {
    const { call } = proxied(cached('x', 'max-age=60', { etag: '"e1"' }))
    await call('GET', '/proxy/api/cond')
    const r = await call('GET', '/proxy/api/cond', { headers: { 'if-none-match': 'W/"e1"' } })
    expect(r.status).toBe(304)
    expect(r.text).toBe('')
  })
})

describe('read-through proxy: stale-while-revalidate and stale-if-error (RFC 5861)', () => {
  test('within stale-while-revalidate the stale copy is served at once and refreshed once in the background', async () => {
    let version = 0
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const { call, clock, origin } = proxied(async () => {
      version++
      if (version > 1) await gate
      return new Response(`v${version}`, { headers: { 'cache-control': 'max-age=10, stale-while-revalidate=60' } })
    })
    await call('GET', '/proxy/api/swr')
    clock.advance(15_000)
    const stale = await Promise.all([call('GET', '/proxy/api/swr'), call('GET', '/proxy/api/swr'), call('GET', '/proxy/api/swr')])
    for (const r of stale) {
      expect(r.text).toBe('v1')
      expect(r.headers.get('cache-status')).toBe('fastcache; hit; ttl=-5; detail=stale-while-revalidate')
    }
    release()
    await waitFor(() => origin.count('/base/swr') === 2)
    await Bun.sleep(20)
    const fresh = await call('GET', '/proxy/api/swr')
    expect(fresh.text).toBe('v2')
    expect(fresh.headers.get('cache-status')).toBe('fastcache; hit; ttl=10')
    expect(origin.count('/base/swr')).toBe(2)
  })

  test('within stale-if-error an upstream 5xx or outage is answered with the stale copy', async () => {
    let mode: 'ok' | '500' | 'down' = 'ok'
    const { call, clock, origin } = proxied(() => {
      if (mode === '500') return new Response('boom', { status: 500 })
      return new Response('good', { headers: { 'cache-control': 'max-age=10, stale-if-error=60' } })
    })
    await call('GET', '/proxy/api/sie')
    clock.advance(20_000)
    mode = '500'
    const onError = await call('GET', '/proxy/api/sie')
    expect(onError.text).toBe('good')
    expect(onError.headers.get('cache-status')).toBe('fastcache; fwd=stale; fwd-status=500; ttl=-10; detail=stale-if-error')
    origin.stop()
    const onOutage = await call('GET', '/proxy/api/sie')
    expect(onOutage.text).toBe('good')
    expect(onOutage.headers.get('cache-status')).toBe('fastcache; fwd=stale; ttl=-10; detail=stale-if-error')
    clock.advance(60_000)
    const tooLate = await call('GET', '/proxy/api/sie')
    expect(tooLate.status).toBe(502)
    expect(tooLate.json.error.code).toBe('UPSTREAM_UNAVAILABLE')
  })

  test('an upstream slower than its timeout gets 504 UPSTREAM_TIMEOUT', async () => {
    const { call } = proxied(
      async () => {
        await Bun.sleep(500)
        return new Response('late')
      },
      { timeoutMs: 50 },
    )
    const r = await call('GET', '/proxy/api/slow')
    expect(r.status).toBe(504)
    expect(r.json.error.code).toBe('UPSTREAM_TIMEOUT')
  })
})

describe('read-through proxy: coalescing, Vary, Authorization', () => {
  test('100 concurrent misses for one URL make one upstream request; the others are collapsed onto it', async () => {
    const { call, origin } = proxied(async () => {
      await Bun.sleep(50)
      return new Response('shared', { headers: { 'cache-control': 'max-age=60' } })
    })
    const replies = await Promise.all(Array.from({ length: 100 }, () => call('GET', '/proxy/api/hot')))
    expect(origin.count('/base/hot')).toBe(1)
    expect(replies.every((r) => r.status === 200 && r.text === 'shared')).toBe(true)
    const statuses = replies.map((r) => r.headers.get('cache-status'))
    expect(statuses.filter((s) => s === 'fastcache; fwd=uri-miss; stored').length).toBe(1)
    expect(statuses.filter((s) => s === 'fastcache; fwd=uri-miss; collapsed').length).toBe(99)
  })

  test('waiters on a response that turns out private go upstream themselves', async () => {
    const { call, origin } = proxied(async () => {
      await Bun.sleep(30)
      return new Response('mine', { headers: { 'cache-control': 'private, max-age=60' } })
    })
    await Promise.all(Array.from({ length: 5 }, () => call('GET', '/proxy/api/private')))
    expect(origin.count('/base/private')).toBe(5)
  })

  test('Vary: each value of the named request header is its own entry', async () => {
    const { call, origin } = proxied(
      ({ headers }) =>
        new Response(`lang ${headers.get('accept-language')}`, { headers: { 'cache-control': 'max-age=60', vary: 'Accept-Language' } }),
    )
    const en = await call('GET', '/proxy/api/v', { headers: { 'accept-language': 'en' } })
    const fr = await call('GET', '/proxy/api/v', { headers: { 'accept-language': 'fr' } })
    expect(fr.headers.get('cache-status')).toBe('fastcache; fwd=vary-miss; stored')
    expect((await call('GET', '/proxy/api/v', { headers: { 'accept-language': 'en' } })).text).toBe('lang en')
    expect((await call('GET', '/proxy/api/v', { headers: { 'accept-language': 'fr' } })).text).toBe('lang fr')
    expect(en.text).toBe('lang en')
    expect(origin.count('/base/v')).toBe(2)
  })

  test('requests with Authorization bypass the cache when the upstream says so; otherwise only public responses are shared', async () => {
    const handler = () => new Response('secret', { headers: { 'cache-control': 'max-age=60' } })
    const strict = proxied(handler, { cacheAuthorized: false })
    await strict.call('GET', '/proxy/api/me', { headers: { authorization: 'Bearer a' } })
    const r = await strict.call('GET', '/proxy/api/me', { headers: { authorization: 'Bearer a' } })
    expect(r.headers.get('cache-status')).toBe('fastcache; fwd=bypass')
    expect(strict.origin.count('/base/me')).toBe(2)

    const allowed = proxied(
      ({ path }) => new Response('x', { headers: { 'cache-control': path.endsWith('public') ? 'public, max-age=60' : 'max-age=60' } }),
    )
    for (let i = 0; i < 2; i++) {
      await allowed.call('GET', '/proxy/api/public', { headers: { authorization: 'Bearer a' } })
      await allowed.call('GET', '/proxy/api/plain', { headers: { authorization: 'Bearer a' } })
    }
    expect(allowed.origin.count('/base/public')).toBe(1)
    expect(allowed.origin.count('/base/plain')).toBe(2)
  })
})

describe('read-through proxy: forwarding', () => {
  test('hop-by-hop headers are removed both ways; end-to-end ones are forwarded', async () => {
    const { call, origin } = proxied(
      () => new Response('x', { headers: { 'keep-alive': 'timeout=5', 'x-upstream': '1', connection: 'x-private' } }),
    )
    const r = await call('GET', '/proxy/api/h', {
      headers: { 'x-trace': 't1', te: 'trailers', 'proxy-authorization': 'Basic x', connection: 'x-secret', 'x-secret': 's' },
    })
    const seen = origin.requests[0]!.headers
    expect(seen.get('x-trace')).toBe('t1')
    expect(seen.get('te')).toBeNull()
    expect(seen.get('proxy-authorization')).toBeNull()
    expect(seen.get('x-secret')).toBeNull()
    expect(r.headers.get('x-upstream')).toBe('1')
    expect(r.headers.get('keep-alive')).toBeNull()
  })

  test('an allow-list limits the forwarded request headers', async () => {
    const { call, origin } = proxied(() => new Response('x'), { forwardHeaders: ['x-tenant'] })
    await call('GET', '/proxy/api/allow', { headers: { 'x-tenant': 't', 'x-other': 'o' } })
    expect(origin.requests[0]!.headers.get('x-tenant')).toBe('t')
    expect(origin.requests[0]!.headers.get('x-other')).toBeNull()
  })

  test('HEAD is answered from a stored GET response, without a body', async () => {
    const { call, origin } = proxied(cached('twelve bytes', 'max-age=60'))
    await call('GET', '/proxy/api/head')
    const r = await call('HEAD', '/proxy/api/head')
    expect(r.status).toBe(200)
    expect(r.text).toBe('')
    expect(r.headers.get('content-length')).toBe('12')
    expect(origin.count('/base/head')).toBe(1)
  })

  test('other methods pass through uncached and invalidate the stored responses for the URL', async () => {
    let n = 0
    const { call, origin } = proxied(({ method, body }) =>
      method === 'GET'
        ? new Response(`v${++n}`, { headers: { 'cache-control': 'max-age=600' } })
        : new Response(`got ${method} ${body}`, { status: 201 }),
    )
    await call('GET', '/proxy/api/doc')
    const post = await call('POST', '/proxy/api/doc', { body: 'payload', headers: { 'content-type': 'text/plain' } })
    expect(post.status).toBe(201)
    expect(post.text).toBe('got POST payload')
    expect(post.headers.get('cache-status')).toBe('fastcache; fwd=method')
    expect((await call('GET', '/proxy/api/doc')).text).toBe('v2')
    expect(origin.count('/base/doc')).toBe(3)
  })

  test('a large body passes through unstored; a body within the bound is stored', async () => {
    const { call, origin } = proxied(
      ({ path }) => new Response('x'.repeat(path.endsWith('big') ? 2000 : 100), { headers: { 'cache-control': 'max-age=60' } }),
      { maxBodyBytes: 1000 },
    )
    for (let i = 0; i < 2; i++) {
      expect((await call('GET', '/proxy/api/big')).text.length).toBe(2000)
      expect((await call('GET', '/proxy/api/small')).text.length).toBe(100)
    }
    expect(origin.count('/base/big')).toBe(2)
    expect(origin.count('/base/small')).toBe(1)
  })
})

describe('read-through proxy: streaming and invalidation details', () => {
  const chunked = (size: number) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (let sent = 0; sent < size; sent += 500) controller.enqueue(new Uint8Array(Math.min(500, size - sent)).fill(97))
        controller.close()
      },
    })

  test('a chunked body (no Content-Length) is streamed; stored when it fits, passed through when it does not', async () => {
    const { call, origin } = proxied(
      ({ path }) => new Response(chunked(path.endsWith('big') ? 5000 : 800), { headers: { 'cache-control': 'max-age=60' } }),
      { maxBodyBytes: 1000 },
    )
    for (let i = 0; i < 2; i++) {
      expect((await call('GET', '/proxy/api/big')).text.length).toBe(5000)
      const small = await call('GET', '/proxy/api/small')
      expect(small.text.length).toBe(800)
      // The length was unknown when the answer started, so the first one does not promise "stored".
      expect(small.headers.get('cache-status')).toBe(i === 0 ? 'fastcache; fwd=uri-miss' : 'fastcache; hit; ttl=60')
      await Bun.sleep(10)
    }
    expect(origin.count('/base/big')).toBe(2)
    expect(origin.count('/base/small')).toBe(1)
  })

  test('a successful write also invalidates its Location on the same upstream', async () => {
    const { call, origin } = proxied(({ method }) =>
      method === 'POST'
        ? new Response(null, { status: 201, headers: { location: '/base/items/7' } })
        : new Response('item', { headers: { 'cache-control': 'max-age=600' } }),
    )
    await call('GET', '/proxy/api/items/7')
    await call('POST', '/proxy/api/items', { body: '{}' })
    await call('GET', '/proxy/api/items/7')
    expect(origin.count('/base/items/7')).toBe(2)
  })

  test('a failed write invalidates nothing', async () => {
    const { call, origin } = proxied(({ method }) =>
      method === 'DELETE' ? new Response('no', { status: 403 }) : new Response('doc', { headers: { 'cache-control': 'max-age=600' } }),
    )
    await call('GET', '/proxy/api/doc')
    expect((await call('DELETE', '/proxy/api/doc')).status).toBe(403)
    expect((await call('GET', '/proxy/api/doc')).headers.get('cache-status')).toStartWith('fastcache; hit')
    expect(origin.count('/base/doc')).toBe(2)
  })

  test("a client's max-stale accepts a stale copy without revalidation; min-fresh asks for more freshness", async () => {
    const { call, clock, origin } = proxied(cached('x', 'max-age=10', { etag: '"a"' }))
    await call('GET', '/proxy/api/ms')
    clock.advance(15_000)
    expect((await call('GET', '/proxy/api/ms', { headers: { 'cache-control': 'max-stale=10' } })).headers.get('cache-status')).toBe(
      'fastcache; hit; ttl=-5',
    )
    expect(origin.count('/base/ms')).toBe(1)
    const fresh = proxied(cached('x', 'max-age=10', { etag: '"a"' }))
    await fresh.call('GET', '/proxy/api/mf')
    expect(
      (await fresh.call('GET', '/proxy/api/mf', { headers: { 'cache-control': 'min-fresh=20' } })).headers.get('cache-status'),
    ).toStartWith('fastcache; fwd=request')
  })
})

describe('read-through proxy: Cache-Status key for admins', () => {
  test('only a request authorized as admin sees the cache key; others never do', async () => {
    const tokens = [
      { scope: 'admin' as const, secret: 'admin-secret-0000001' },
      { scope: 'read' as const, secret: 'read-secret-00000001' },
    ]
    const { call, origin } = proxied(cached('x', 'max-age=60', { vary: 'Accept' }), {}, { tokens })
    await call('GET', '/proxy/api/k?q="1"', { headers: { authorization: 'Bearer read-secret-00000001', accept: 'text/plain' } })
    const asReader = await call('GET', '/proxy/api/k?q="1"', {
      headers: { authorization: 'Bearer read-secret-00000001', accept: 'text/plain' },
    })
    expect(asReader.headers.get('cache-status')).toBe('fastcache; hit; ttl=60')
    const asAdmin = await call('GET', '/proxy/api/k?q="1"', {
      headers: { authorization: 'Bearer admin-secret-0000001', accept: 'text/plain' },
    })
    expect(asAdmin.headers.get('cache-status')).toBe('fastcache; hit; ttl=60; key="api /k?q=%221%22 accept:text/plain"')
    // The token is fastcache's: it never reaches the upstream.
    expect(origin.requests.every((request) => request.headers.get('authorization') === null)).toBe(true)
    const open = proxied(cached('x', 'max-age=60'))
    await open.call('GET', '/proxy/api/k')
    expect((await open.call('GET', '/proxy/api/k')).headers.get('cache-status')).toBe('fastcache; hit; ttl=60')
  })
})

describe('read-through proxy: the path stays on the upstream', () => {
  test('dot segments, raw or encoded, are resolved by the URL parser before routing: they cannot climb out of the upstream', async () => {
    const { call, origin } = proxied(() => new Response('x'))
    const outside = await call('GET', '/proxy/api/a/%2e%2e/%2e%2e/etc')
    expect(outside.status).toBe(404)
    expect(outside.json.error.code).toBe('UPSTREAM_NOT_FOUND')
    await call('GET', '/proxy/api/a/%2E%2E/x')
    expect(origin.requests.map((request) => request.path)).toEqual(['/base/x'])
  })

  test.each([
    '/proxy/api/a//b',
    '/proxy/api/a%2fb',
    '/proxy/api/a%5cb',
    '/proxy/api/@evil.example/x',
    '/proxy/api/a%40b',
    '/proxy/api/a%00b',
    '/proxy/api/%zz',
  ])('%s is refused with 400', async (path) => {
    const { call, origin } = proxied(() => new Response('x'))
    const r = await call('GET', path)
    expect(r.status).toBe(400)
    expect(r.json.error.code).toBe('INVALID_PROXY_PATH')
    expect(origin.requests.length).toBe(0)
  })

  test('an unknown upstream name is 404 and nothing is fetched', async () => {
    const { call, origin } = proxied(() => new Response('x'))
    const r = await call('GET', '/proxy/nope/x')
    expect(r.status).toBe(404)
    expect(r.json.error.code).toBe('UPSTREAM_NOT_FOUND')
    expect(origin.requests.length).toBe(0)
  })

  test('the query string is passed as sent', async () => {
    const { call, origin } = proxied(() => new Response('x'))
    await call('GET', '/proxy/api/search?q=a%20b&x=@&y=..')
    expect(origin.requests[0]!.path).toBe('/base/search?q=a%20b&x=@&y=..')
  })
})

describe('read-through proxy: purge, stats, keyspace', () => {
  const tagged = ({ path }: { path: string }) =>
    new Response('x', {
      headers: {
        'cache-control': 'max-age=600',
        'surrogate-key': path.includes('user') ? 'users all' : 'all',
        'cache-tag': path.endsWith('1') ? 'one' : 'other',
      },
    })

  test('purge by URL (proxy path or upstream URL), prefix and tag', async () => {
    const { call, origin } = proxied(tagged)
    const paths = ['/proxy/api/users/1', '/proxy/api/users/2', '/proxy/api/posts/1', '/proxy/api/posts/2']
    const fill = () => Promise.all(paths.map((path) => call('GET', path)))
    const stored = async () =>
      (await Promise.all(paths.map((path) => call('GET', path)))).map((r) => r.headers.get('cache-status')!.includes('hit'))

    await fill()
    expect((await call('DELETE', '/v1/proxy/cache', { json: { url: '/proxy/api/users/1' } })).json).toEqual({ purged: 1 })
    expect(await stored()).toEqual([false, true, true, true])
    expect((await call('DELETE', '/v1/proxy/cache', { json: { url: `${origin.url}/base/users/2` } })).json).toEqual({ purged: 1 })
    expect(await stored()).toEqual([true, false, true, true])
    expect((await call('DELETE', '/v1/proxy/cache', { json: { prefix: '/proxy/api/posts/' } })).json).toEqual({ purged: 2 })
    expect(await stored()).toEqual([true, true, false, false])
    expect((await call('DELETE', '/v1/proxy/cache', { json: { tag: 'users' } })).json).toEqual({ purged: 2 })
    expect(await stored()).toEqual([false, false, true, true])
    expect((await call('DELETE', '/v1/proxy/cache', { json: { tag: 'one' } })).json).toEqual({ purged: 2 })
  })

  test('a purge names exactly one of url, prefix, tag', async () => {
    const { call } = proxied(tagged)
    for (const json of [{}, { url: '/proxy/api/a', tag: 'x' }, { path: '/x' }]) {
      const r = await call('DELETE', '/v1/proxy/cache', { json })
      expect(r.status).toBe(400)
    }
  })

  test('stats count proxy hits and misses; proxy entries stay out of key listings and key prefixes', async () => {
    const { call } = proxied(cached('x', 'max-age=60'))
    await call('PUT', '/v1/kv/k', { body: '1' })
    await call('GET', '/proxy/api/s')
    await call('GET', '/proxy/api/s')
    const stats = (await call('GET', '/v1/stats')).json
    expect(stats.proxy).toMatchObject({ hits: 1, misses: 1, stored: 1 })
    expect(stats.proxyUpstreams.api).toMatchObject({ hits: 1, misses: 1, stored: 1 })
    expect(stats.items).toBe(2)
    expect((await call('GET', '/v1/keys')).json.keys).toEqual(['k'])
    expect((await call('GET', '/v1/keys?prefix=%01')).status).toBe(400)
    expect((await call('GET', '/metrics')).text).toContain('fastcache_proxy_hits_total{upstream="api"} 1\n')
  })

  test('proxy entries share the memory bound and eviction with key-value entries', async () => {
    const { call, engine } = proxied(
      ({ path }) => new Response('y'.repeat(2000) + path, { headers: { 'cache-control': 'max-age=600' } }),
      {},
      { maxMemoryBytes: 100_000 },
    )
    for (let i = 0; i < 200; i++) await call('GET', `/proxy/api/page/${i}`)
    const stats = engine.stats()
    expect(stats.bytes).toBeLessThanOrEqual(100_000)
    expect(stats.evictions).toBeGreaterThan(100)
    expect(stats.items).toBeGreaterThan(10)
  })
})

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await Bun.sleep(5)
  }
}
