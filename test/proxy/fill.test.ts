import { afterEach, describe, expect, test } from 'bun:test'
import { CacheEngine, ManualClock } from '../../src/cache'
import { silentLogger } from '../../src/log/logger'
import { parseCacheControl } from '../../src/modules/proxy/cache-control'
import { ProxyCounters } from '../../src/modules/proxy/counters'
import type { Exchange } from '../../src/modules/proxy/exchange'
import { CacheFill } from '../../src/modules/proxy/fill'
import { Forwarding } from '../../src/modules/proxy/forwarding'
import { ProxyStore } from '../../src/modules/proxy/proxy-store'
import { LocalStore } from '../../src/store'
import { Revalidation } from '../../src/modules/proxy/revalidation'
import { resolveTarget } from '../../src/modules/proxy/target'
import { startOrigin, type OriginHandler } from '../support/origin'
import { upstreamAt } from '../support/proxied'

const stops: (() => void)[] = []
afterEach(() => {
  while (stops.length > 0) stops.pop()!()
})

/** A fill over a real engine and a real origin on loopback, and a way to make the exchange `read` would make. */
function filling(handler: OriginHandler) {
  const clock = new ManualClock(Date.UTC(2030, 0, 1))
  const origin = startOrigin(clock)
  stops.push(origin.stop)
  origin.answer(handler)
  const engine = new CacheEngine({ maxBytes: 16 * 1024 * 1024, clock, sweepIntervalMs: 0 })
  const store = new ProxyStore(new LocalStore(engine))
  const counters = new ProxyCounters()
  const forwarding = new Forwarding(counters, silentLogger, false)
  const fill = new CacheFill(store, forwarding, new Revalidation(store, counters, clock), counters, clock, silentLogger)
  const upstreams = new Map([['api', upstreamAt(`${origin.url}/base`)]])
  const exchange = async (path: string, headers: Record<string, string> = {}): Promise<Exchange> => {
    const request = new Request(`http://localhost/proxy/api${path}`, { headers })
    const target = resolveTarget(upstreams, request.url)
    const baseKey = ProxyStore.baseKey('api', target.pathAndQuery)
    const { key, response: stale, varyMiss } = await store.lookup(baseKey, request.headers)
    const fwd = stale !== undefined ? 'stale' : varyMiss ? 'vary-miss' : 'uri-miss'
    return { request, target, baseKey, key, directives: parseCacheControl(headers['cache-control'] ?? null), authorized: false, fwd, stale }
  }
  const reply = async (response: Response) => ({ text: await response.text(), cacheStatus: response.headers.get('cache-status') })
  return { fill, origin, counters, clock, exchange, reply }
}

/** An origin handler that answers only once `release` is called, so that requests pile up behind the first. */
function gated(respond: OriginHandler) {
  let release!: () => void
  const gate = new Promise<void>((resolve) => (release = resolve))
  const handler: OriginHandler = async (request) => {
    await gate
    return respond(request)
  }
  return { handler, release }
}

describe('fetching for the cache', () => {
  test('requests arriving while a fetch is under way wait for it; one whose Vary values differ goes upstream itself', async () => {
    const { handler, release } = gated(
      ({ headers }) =>
        new Response(`lang ${headers.get('accept-language')}`, { headers: { 'cache-control': 'max-age=60', vary: 'Accept-Language' } }),
    )
    const { fill, origin, counters, exchange, reply } = filling(handler)
    const english = [await exchange('/v', { 'accept-language': 'en' }), await exchange('/v', { 'accept-language': 'en' })]
    const french = await exchange('/v', { 'accept-language': 'fr' })
    // The first registers its fetch before it awaits anything: the others find it under way.
    const pending = [...english, french].map((one) => fill.fetch(one).then(reply))
    release()
    const [leader, waiter, other] = await Promise.all(pending)
    expect(leader).toEqual({ text: 'lang en', cacheStatus: 'fastcache; fwd=uri-miss; stored' })
    expect(waiter).toEqual({ text: 'lang en', cacheStatus: 'fastcache; fwd=uri-miss; collapsed' })
    expect(other).toEqual({ text: 'lang fr', cacheStatus: 'fastcache; fwd=uri-miss; stored' })
    expect(origin.count('/base/v')).toBe(2)
    expect([counters.totals().collapsed, counters.totals().stored]).toEqual([1, 2])
  })

  test('a stale copy is revalidated once for all who need it: one conditional GET, its 304 shared with the waiters', async () => {
    const validated = { etag: '"v1"', 'cache-control': 'max-age=10' }
    let gate = gated(() => new Response('body', { headers: validated }))
    const { fill, origin, counters, clock, exchange, reply } = filling((request) => gate.handler(request))
    gate.release()
    await fill.fetch(await exchange('/r')).then(reply)
    clock.advance(11_000)
    gate = gated(({ headers }) => new Response(null, { status: headers.get('if-none-match') === '"v1"' ? 304 : 200, headers: validated }))
    const pending = [await exchange('/r'), await exchange('/r'), await exchange('/r')].map((one) => fill.fetch(one).then(reply))
    gate.release()
    const replies = await Promise.all(pending)
    expect(origin.requests.map((request) => request.headers.get('if-none-match'))).toEqual([null, '"v1"'])
    expect(replies.map((one) => one.text)).toEqual(['body', 'body', 'body'])
    expect(replies.map((one) => one.cacheStatus)).toEqual([
      'fastcache; fwd=stale; fwd-status=304',
      'fastcache; fwd=stale; collapsed',
      'fastcache; fwd=stale; collapsed',
    ])
    expect([counters.totals().notModified, counters.totals().collapsed]).toEqual([1, 2])
  })

  test('a 5xx to a revalidation that may not be answered stale goes to the client as it came, not stored', async () => {
    let failing = false
    const { fill, origin, clock, exchange, reply } = filling(() =>
      failing ? new Response('down', { status: 503 }) : new Response('x', { headers: { etag: '"a"', 'cache-control': 'max-age=10' } }),
    )
    await fill.fetch(await exchange('/e')).then(reply)
    clock.advance(11_000)
    failing = true
    expect(await fill.fetch(await exchange('/e')).then(reply)).toEqual({
      text: 'down',
      cacheStatus: 'fastcache; fwd=stale; fwd-status=503',
    })
    // The stale copy is still there to revalidate next time.
    expect((await exchange('/e')).stale).toBeDefined()
    expect(origin.count('/base/e')).toBe(2)
  })

  test('stale-while-revalidate refreshes in the background once per key, while the stale copy stays stored', async () => {
    let gate = gated(() => new Response('v1', { headers: { 'cache-control': 'max-age=10, stale-while-revalidate=60' } }))
    const { fill, origin, counters, clock, exchange, reply } = filling((request) => gate.handler(request))
    gate.release()
    await fill.fetch(await exchange('/s')).then(reply)
    clock.advance(15_000)
    gate = gated(() => new Response('v2', { headers: { 'cache-control': 'max-age=10, stale-while-revalidate=60' } }))
    fill.refreshInBackground(await exchange('/s'))
    fill.refreshInBackground(await exchange('/s'))
    expect(counters.totals().revalidations).toBe(1)
    await Bun.sleep(20)
    expect(new TextDecoder().decode((await exchange('/s')).stale!.body)).toBe('v1')
    gate.release()
    for (let tries = 0; tries < 100 && new TextDecoder().decode((await exchange('/s')).stale!.body) !== 'v2'; tries++) await Bun.sleep(5)
    expect(new TextDecoder().decode((await exchange('/s')).stale!.body)).toBe('v2')
    expect(origin.count('/base/s')).toBe(2)
  })
})
