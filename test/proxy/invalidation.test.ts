import { afterEach, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CacheEngine, ManualClock, type Entry, type MutationListener } from '../../src/cache'
import { Persistence } from '../../src/persistence'
import { ProxyStore } from '../../src/modules/proxy/proxy-store'
import { LocalStore } from '../../src/store'
import type { StoredResponse } from '../../src/modules/proxy/stored-response'
import { silentLogger } from '../../src/log/logger'
import { testApp } from '../support/app'
import { startOrigin } from '../support/origin'
import { proxied, stopOrigins, upstreamAt } from '../support/proxied'

afterEach(stopOrigins)

/** What the engine reported to its listener (what persistence would journal), in order. */
function recordChanges(engine: CacheEngine) {
  const records: string[] = []
  const listener: MutationListener = {
    written: (entry: Entry) => void records.push(`set ${entry.key}`),
    deleted: (key) => void records.push(`delete ${key}`),
    deletedPrefix: (prefix) => void records.push(`delete-prefix ${prefix}`),
    flushed: () => void records.push('flush'),
    touched: (key) => void records.push(`touch ${key}`),
  }
  engine.listen(listener)
  return records
}

const byLanguage = ({ headers }: { headers: Headers }) =>
  new Response(`lang ${headers.get('accept-language')}`, { headers: { 'cache-control': 'max-age=600', vary: 'Accept-Language' } })
const LANGUAGES = ['en', 'fr', 'de']

/** Fills the engine with unrelated key-value entries: invalidating one URL must not visit them. */
function fillUnrelated(engine: CacheEngine, count: number) {
  const value = new TextEncoder().encode('v')
  for (let i = 0; i < count; i++) engine.set(`unrelated/${i}`, value, 'text/plain')
}

/** A response as stored for a request in `language` (its body is the language). */
const response = (language: string, varyKey = `accept-language:${language}`): StoredResponse => ({
  status: 200,
  headers: [['cache-control', 'max-age=600']],
  requestTime: 0,
  responseTime: 0,
  lifetimeMs: 600_000,
  initialAgeMs: 0,
  varyKey,
  tags: [],
  body: new TextEncoder().encode(language),
})

describe('proxy invalidation costs what the URL holds, not what the cache holds', () => {
  test('a write to a URL journals plain deletes of its own keys, never a prefix delete; nothing stored, nothing journaled', async () => {
    const document = () => new Response('doc', { headers: { 'cache-control': 'max-age=600' } })
    const { call, engine, origin } = proxied(({ method }) => (method === 'GET' ? document() : new Response('ok')))
    fillUnrelated(engine, 2000)
    await call('GET', '/proxy/api/doc')
    const records = recordChanges(engine)
    expect((await call('POST', '/proxy/api/doc', { body: 'x' })).status).toBe(200)
    expect(records).toEqual([`delete ${ProxyStore.baseKey('api', '/doc')}`])
    records.length = 0
    expect((await call('POST', '/proxy/api/never-stored', { body: 'x' })).status).toBe(200)
    expect(records).toEqual([])
    await call('GET', '/proxy/api/doc')
    expect(origin.count('/base/doc', 'GET')).toBe(2)
  })

  test('a URL with Vary variants: its variants and its marker are deleted by key, and only they', async () => {
    const { call, engine, origin } = proxied(byLanguage)
    fillUnrelated(engine, 2000)
    for (const language of LANGUAGES) await call('GET', '/proxy/api/v', { headers: { 'accept-language': language } })
    await call('GET', '/proxy/api/other', { headers: { 'accept-language': 'en' } })
    const records = recordChanges(engine)
    expect((await call('DELETE', '/v1/proxy/cache', { json: { url: '/proxy/api/v' } })).json).toEqual({ purged: 3 })
    expect(records.every((record) => record.startsWith('delete \u0001'))).toBe(true)
    expect(records).toHaveLength(4)
    expect(records).toContain(`delete ${ProxyStore.baseKey('api', '/v')}`)
    for (const language of LANGUAGES) {
      const again = await call('GET', '/proxy/api/v', { headers: { 'accept-language': language } })
      expect(again.text).toBe(`lang ${language}`)
      expect(again.headers.get('cache-status')).not.toContain('hit')
    }
    expect(origin.count('/base/v', 'GET')).toBe(6)
    const other = await call('GET', '/proxy/api/other', { headers: { 'accept-language': 'en' } })
    expect(other.headers.get('cache-status')).toStartWith('fastcache; hit')
    expect(engine.stats().items).toBeGreaterThanOrEqual(2000)
  })
})

describe('the variants of a URL are known from its marker', () => {
  const asking = (language: string) => new Headers({ 'accept-language': language })
  const VARY = ['accept-language']

  function store() {
    const engine = new CacheEngine({ maxBytes: 64 * 1024 * 1024, clock: new ManualClock(), sweepIntervalMs: 0 })
    return { engine, proxyStore: new ProxyStore(new LocalStore(engine)) }
  }

  test('a variant left behind by a lost marker is never served again, so invalidating the listed variants is complete', async () => {
    const { engine, proxyStore } = store()
    const base = ProxyStore.baseKey('api', '/v')
    await proxyStore.store(base, VARY, asking('en'), response('en'), 600_000)
    // The marker goes (evicted, say) while its variant stays; a new marker starts over.
    engine.delete(base)
    await proxyStore.store(base, VARY, asking('fr'), response('fr'), 600_000)
    expect((await proxyStore.lookup(base, asking('en'))).response).toBeUndefined()
    expect(await proxyStore.invalidate(base)).toBe(1)
    expect((await proxyStore.lookup(base, asking('fr'))).response).toBeUndefined()
  })

  test('a URL keeps a bounded number of variants: the oldest goes when a new one would pass the bound', async () => {
    const { proxyStore } = store()
    const base = ProxyStore.baseKey('api', '/many')
    const count = ProxyStore.MAX_VARIANTS + 20
    for (let i = 0; i < count; i++) await proxyStore.store(base, VARY, asking(`l${i}`), response(`l${i}`), 600_000)
    expect((await proxyStore.lookup(base, asking('l0'))).response).toBeUndefined()
    expect(new TextDecoder().decode((await proxyStore.lookup(base, asking(`l${count - 1}`))).response!.body)).toBe(`l${count - 1}`)
    expect(await proxyStore.invalidate(base)).toBe(ProxyStore.MAX_VARIANTS)
  })

  test('variant keys hold a hash of the Vary values: a response stored for other values is never served', async () => {
    const { proxyStore } = store()
    const base = ProxyStore.baseKey('api', '/v')
    await proxyStore.store(base, VARY, asking('en'), response('en', 'accept-language:fr'), 600_000)
    expect(await proxyStore.lookup(base, asking('en'))).toMatchObject({ response: undefined, varyMiss: true })
    await proxyStore.store(base, VARY, asking('en'), response('en'), 600_000)
    expect(new TextDecoder().decode((await proxyStore.lookup(base, asking('en'))).response!.body)).toBe('en')
  })

  test('a response without Vary replacing a marker takes the marked variants with it', async () => {
    const { engine, proxyStore } = store()
    const base = ProxyStore.baseKey('api', '/v')
    await proxyStore.store(base, VARY, asking('en'), response('en'), 600_000)
    const items = engine.stats().items
    await proxyStore.store(base, [], asking('en'), response('plain', ''), 600_000)
    expect(engine.stats().items).toBe(items - 1)
    expect(new TextDecoder().decode((await proxyStore.lookup(base, asking('en'))).response!.body)).toBe('plain')
  })
})

describe('a purge by prefix lets requests run while it pages through the cache', () => {
  test('deletes happen a page at a time, with the event loop running between pages', async () => {
    const engine = new CacheEngine({ maxBytes: 256 * 1024 * 1024, clock: new ManualClock(), sweepIntervalMs: 0 })
    const proxyStore = new ProxyStore(new LocalStore(engine))
    const total = 5000
    const stored = response('x', '')
    for (let i = 0; i < total; i++) await proxyStore.store(ProxyStore.baseKey('api', `/p/${i}`), [], new Headers(), stored, 600_000)
    fillUnrelated(engine, 5000)
    let deleted = 0
    engine.listen({ written() {}, deleted: () => void deleted++, deletedPrefix() {}, flushed() {}, touched() {} })
    // What other work sees of the purge each time it gets a turn.
    const seenBetween: number[] = []
    let watching = true
    const watch = () => {
      seenBetween.push(deleted)
      if (watching) setImmediate(watch)
    }
    setImmediate(watch)
    const purged = await proxyStore.invalidatePrefix('api', '/p/')
    watching = false
    expect(purged).toBe(total)
    expect(deleted).toBe(total)
    expect(seenBetween.some((count) => count > 0 && count < total)).toBe(true)
  })
})

describe('invalidation after a restart', () => {
  const dirs: string[] = []
  // Closed after the test, "crashed" sessions included: one left to the garbage collector fails the run.
  const opened: Persistence[] = []
  afterEach(async () => {
    for (const persistence of opened.splice(0)) await persistence.close().catch(() => {})
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })

  test('variants loaded from the data directory are all invalidated by a write to their URL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fastcache-proxy-restart-'))
    dirs.push(dir)
    const clock = new ManualClock(Date.UTC(2030, 0, 1))
    const origin = startOrigin(clock)
    try {
      origin.answer(({ method, headers }) => (method === 'GET' ? byLanguage({ headers }) : new Response('ok')))
      const config = { upstreams: [upstreamAt(`${origin.url}/base`)] }
      const session = async () => {
        const engine = new CacheEngine({ maxBytes: 64 * 1024 * 1024, clock, sweepIntervalMs: 0 })
        const persistence = await Persistence.start(engine, { dir, fsync: 'always', snapshotIntervalMs: 0, recover: false }, silentLogger)
        opened.push(persistence)
        return { ...testApp(config, clock, { engine, persistence }), persistence }
      }
      const read = (app: { call: ReturnType<typeof testApp>['call'] }, language: string) =>
        app.call('GET', '/proxy/api/v', { headers: { 'accept-language': language } })
      const first = await session()
      for (const language of LANGUAGES.slice(0, 2)) await read(first, language)
      await first.persistence.close()
      opened.splice(opened.indexOf(first.persistence), 1)
      // The second session's variant is only in the journal: it stops without a snapshot, as on a crash.
      const second = await session()
      await read(second, LANGUAGES[2]!)
      await second.persistence.durable()
      // As a crash: nothing more written, the directory's lock released (it stays in `opened`, so it is not collected).
      second.persistence.abandon()
      const third = await session()
      for (const language of LANGUAGES) {
        expect((await read(third, language)).headers.get('cache-status')).toStartWith('fastcache; hit')
      }
      expect((await third.call('POST', '/proxy/api/v', { body: 'x' })).status).toBe(200)
      const after = []
      for (const language of LANGUAGES) after.push((await read(third, language)).headers.get('cache-status'))
      expect(after).toEqual(['fastcache; fwd=uri-miss; stored', 'fastcache; fwd=vary-miss; stored', 'fastcache; fwd=vary-miss; stored'])
      expect(origin.count('/base/v', 'GET')).toBe(6)
    } finally {
      origin.stop()
    }
  })
})
