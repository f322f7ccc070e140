import { describe, expect, test } from 'bun:test'
import { CacheEngine, ManualClock } from '../../src/cache'
import { NO_DIRECTIVES, parseCacheControl } from '../../src/modules/proxy/cache-control'
import { ProxyCounters } from '../../src/modules/proxy/counters'
import type { Exchange } from '../../src/modules/proxy/exchange'
import { ProxyStore } from '../../src/modules/proxy/proxy-store'
import { LocalStore } from '../../src/store'
import { addValidators, mergeNotModified, Revalidation } from '../../src/modules/proxy/revalidation'
import { loadedFrom, type StoredResponse } from '../../src/modules/proxy/stored-response'
import { resolveTarget } from '../../src/modules/proxy/target'
import { upstreamAt } from '../support/proxied'

const T0 = Date.UTC(2030, 0, 1)
const httpDate = (ms: number) => new Date(ms).toUTCString()

const SENT: [string, string][] = [
  ['cache-control', 'max-age=10'],
  ['content-type', 'text/plain'],
  ['etag', '"v1"'],
  ['date', httpDate(T0)],
]

/** A 200 stored at T0 for 10 s with an ETag, as the upstream sent it, with `headers` added or replaced. */
const storedAt = (headers: [string, string][] = [], fields: Partial<StoredResponse> = {}): StoredResponse => ({
  status: 200,
  headers: [...SENT.filter(([name]) => !headers.some(([replaced]) => replaced === name)), ...headers],
  requestTime: T0,
  responseTime: T0,
  lifetimeMs: 10_000,
  initialAgeMs: 0,
  varyKey: '',
  tags: [],
  body: new TextEncoder().encode('stored body'),
  ...fields,
})

const anyone = { directives: NO_DIRECTIVES, authorized: false }
/** The revalidation sent at T0 + 60 s and answered 100 ms later. */
const times = { requestTime: T0 + 60_000, responseTime: T0 + 60_100 }

describe('asking for a 304', () => {
  test("the stale copy's ETag and Last-Modified become If-None-Match and If-Modified-Since", () => {
    const headers = new Headers({ accept: 'text/plain' })
    addValidators(headers, loadedFrom(storedAt([['last-modified', httpDate(T0 - 1000)]])))
    expect(Object.fromEntries(headers)).toEqual({ accept: 'text/plain', 'if-none-match': '"v1"', 'if-modified-since': httpDate(T0 - 1000) })
    const bare = new Headers()
    addValidators(bare, loadedFrom(storedAt([], { headers: [['cache-control', 'max-age=10']] })))
    expect([...bare]).toEqual([])
  })
})

describe('merging a 304 into the stored response (RFC 9111 section 4.3.4)', () => {
  test("the 304's end-to-end fields replace the stored ones; the rest, the status, the body and the Vary key stay", () => {
    const stale = storedAt([['x-kept', 'yes']], { varyKey: 'accept:text/plain' })
    const notModified = new Headers({
      'cache-control': 'max-age=60',
      date: httpDate(times.responseTime),
      connection: 'x-hop',
      'x-hop': 'dropped',
      'keep-alive': 'timeout=5',
    })
    const { response, refusal } = mergeNotModified(stale, notModified, times, anyone, upstreamAt('http://127.0.0.1:9'))
    expect(refusal).toBeNull()
    const headers = new Headers(response.headers)
    expect(headers.get('cache-control')).toBe('max-age=60')
    expect(headers.get('date')).toBe(httpDate(times.responseTime))
    expect([headers.get('content-type'), headers.get('etag'), headers.get('x-kept')]).toEqual(['text/plain', '"v1"', 'yes'])
    expect([headers.get('x-hop'), headers.get('keep-alive'), headers.get('connection')]).toEqual([null, null, null])
    expect([response.status, new TextDecoder().decode(response.body), response.varyKey]).toEqual([200, 'stored body', 'accept:text/plain'])
  })

  test("the age restarts: the stored Age goes, and the 304's own Age and Date count from this round trip", () => {
    const stale = storedAt([['age', '55']], { initialAgeMs: 55_000 })
    const merged = mergeNotModified(stale, new Headers({ 'cache-control': 'max-age=60' }), times, anyone, upstreamAt('http://127.0.0.1:9'))
    expect(new Headers(merged.response.headers).get('age')).toBeNull()
    // The stored Date is a minute old by now: the apparent age it gives is what counts, not the old Age.
    expect([merged.response.lifetimeMs, merged.response.initialAgeMs]).toEqual([60_000, 60_100])
    expect([merged.response.requestTime, merged.response.responseTime]).toEqual([times.requestTime, times.responseTime])
    const dated = mergeNotModified(
      stale,
      new Headers({ date: httpDate(times.responseTime), age: '3' }),
      times,
      anyone,
      upstreamAt('http://127.0.0.1:9'),
    )
    expect([dated.response.lifetimeMs, dated.response.initialAgeMs]).toEqual([10_000, 3_100])
  })

  test('a Set-Cookie on the 304 makes it unstorable; the cookie is kept for the client it answers', () => {
    const merged = mergeNotModified(
      storedAt(),
      new Headers({ 'set-cookie': 'session=secret' }),
      times,
      anyone,
      upstreamAt('http://127.0.0.1:9'),
    )
    expect(merged.refusal).toBe('set-cookie')
    expect(merged.response.headers).toContainEqual(['set-cookie', 'session=secret'])
  })

  test('a 304 that makes the response private, or the request that asked no-store, makes it unstorable', () => {
    const turnedPrivate = new Headers({ 'cache-control': 'private, max-age=60' })
    expect(mergeNotModified(storedAt(), turnedPrivate, times, anyone, upstreamAt('http://127.0.0.1:9')).refusal).toBe('private')
    const noStore = { directives: parseCacheControl('no-store'), authorized: false }
    expect(mergeNotModified(storedAt(), new Headers(), times, noStore, upstreamAt('http://127.0.0.1:9')).refusal).toBe('no-store')
  })

  test('tags and Vary names come from the merged fields; with a validator it is kept a day past its freshness', () => {
    const stale = storedAt(
      [
        ['surrogate-key', 'old'],
        ['vary', 'Accept'],
      ],
      { tags: ['old'] },
    )
    const merged = mergeNotModified(
      stale,
      new Headers({ 'surrogate-key': 'new other', vary: 'Accept-Language' }),
      times,
      anyone,
      upstreamAt('http://127.0.0.1:9'),
    )
    expect(merged.response.tags).toEqual(['new', 'other'])
    expect(merged.vary).toEqual(['accept-language'])
    const fresh = merged.response.lifetimeMs - merged.response.initialAgeMs
    expect(merged.keepMs).toBe(fresh + 24 * 3600 * 1000)
  })
})

describe('a stale copy while the upstream is asked', () => {
  async function revalidating(stale: StoredResponse, requestCacheControl: string | null = null) {
    const clock = new ManualClock(T0)
    const engine = new CacheEngine({ maxBytes: 1024 * 1024, clock, sweepIntervalMs: 0 })
    const store = new ProxyStore(new LocalStore(engine))
    const counters = new ProxyCounters()
    const upstreams = new Map([['api', upstreamAt('http://127.0.0.1:9/base')]])
    const headers: Record<string, string> = requestCacheControl === null ? {} : { 'cache-control': requestCacheControl }
    const request = new Request('http://localhost/proxy/api/page', { headers })
    const baseKey = ProxyStore.baseKey('api', '/page')
    const kept = (await store.store(baseKey, [], request.headers, stale, 3600_000))!
    const exchange: Exchange = {
      request,
      target: resolveTarget(upstreams, request.url),
      baseKey,
      key: baseKey,
      directives: parseCacheControl(requestCacheControl),
      authorized: false,
      fwd: 'stale',
      stale: kept,
    }
    return { revalidation: new Revalidation(store, counters, clock), store, counters, clock, exchange, kept }
  }

  test('a storable 304 replaces the stored copy and is shared; an unstorable one drops the stored copy', async () => {
    const ok = await revalidating(storedAt())
    const refreshed = await ok.revalidation.refresh(ok.exchange, ok.kept, new Headers({ 'cache-control': 'max-age=60' }), times)
    expect(refreshed.stored).toBe(true)
    // What the store holds now is the refreshed response (the engine hands out copies: compare what they say).
    const now = (await ok.store.lookup(ok.exchange.baseKey, ok.exchange.request.headers)).response!
    const { headerView, sendHeaders, directives, ...fields } = refreshed.response
    expect(now).toMatchObject(fields)
    expect([...now.headerView]).toEqual([...headerView])
    expect(refreshed.response.lifetimeMs).toBe(60_000)
    expect(ok.counters.totals().notModified).toBe(1)

    const turned = await revalidating(storedAt())
    const personal = await turned.revalidation.refresh(turned.exchange, turned.kept, new Headers({ 'set-cookie': 'a=1' }), times)
    expect(personal.stored).toBe(false)
    expect(personal.response.headerView.get('set-cookie')).toBe('a=1')
    expect((await turned.store.lookup(turned.exchange.baseKey, turned.exchange.request.headers)).response).toBeUndefined()
  })

  test("stands in for an upstream error within the response's stale-if-error window, and says so", async () => {
    const { revalidation, counters, clock, exchange } = await revalidating(storedAt([['cache-control', 'max-age=10, stale-if-error=60']]))
    clock.advance(30_000)
    const answer = revalidation.staleIfError(exchange, { fwd: 'stale', fwdStatus: 503 })!
    expect(answer.headers.get('cache-status')).toBe('fastcache; fwd=stale; fwd-status=503; ttl=-20; detail=stale-if-error')
    expect(answer.headers.get('age')).toBe('30')
    expect(await answer.text()).toBe('stored body')
    expect(counters.totals().staleIfError).toBe(1)
    clock.advance(40_000)
    expect(revalidation.staleIfError(exchange, { fwd: 'stale' })).toBeUndefined()
    expect(counters.totals().staleIfError).toBe(1)
  })

  test("the request's own stale-if-error opens the window; must-revalidate shuts it", async () => {
    const asked = await revalidating(storedAt(), 'stale-if-error=120')
    asked.clock.advance(100_000)
    expect(asked.revalidation.staleIfError(asked.exchange, { fwd: 'stale' })).toBeDefined()
    const notAsked = await revalidating(storedAt())
    notAsked.clock.advance(11_000)
    expect(notAsked.revalidation.staleIfError(notAsked.exchange, { fwd: 'stale' })).toBeUndefined()
    const strict = await revalidating(storedAt([['cache-control', 'max-age=10, must-revalidate, stale-if-error=600']]))
    strict.clock.advance(11_000)
    expect(strict.revalidation.staleIfError(strict.exchange, { fwd: 'stale' })).toBeUndefined()
  })
})
