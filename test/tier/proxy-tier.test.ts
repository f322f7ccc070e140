import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createApp } from '../../src/app'
import type { Config } from '../../src/config/schema'
import { baseConfig } from '../support/app'
import { startOrigin, type OriginHandler } from '../support/origin'
import { upstreamAt } from '../support/proxied'
import { checkedHandle } from '../support/reply-check'
import { redisAvailable, startRedis, startRedisCluster, type RedisCluster, type RedisServer } from '../support/redis'
import { ManualClock } from '../../src/cache'
import { ProxyStore } from '../../src/modules/proxy/proxy-store'

// One proxy cache for the fleet: instances on one shared tier store each proxied response once (in
// Redis), keep near copies, drop them everywhere on a purge or a write, and ask the upstream once
// for a URL all of them miss at the same moment.

type Tier = NonNullable<Config['tier']>['redis']

/** A real origin on loopback (its own clock only dates its answers); the test sets what it answers. */
function origin() {
  const started = startOrigin(new ManualClock(Date.now()))
  let handler: OriginHandler = () => new Response('unset')
  started.answer((request) => handler(request))
  return {
    ...started,
    set: (next: OriginHandler) => {
      handler = next
    },
  }
}

/** An instance of fastcache on the tier, proxying upstream "api" at `baseUrl`. */
function instance(tier: Tier, baseUrl: string) {
  const app = createApp(
    { ...baseConfig, upstreams: [upstreamAt(baseUrl)], tier: { redis: tier, nearCacheTtlMs: 5000, redisTimeoutMs: 1000 } },
    { sweepIntervalMs: 0 },
  )
  // Replies from our own routes (kv, purges) are checked against what the routes declare.
  const handle = checkedHandle(app)
  const call = async (method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}) => {
    const response = await handle(new Request(`http://localhost${path}`, { method, ...init }))
    return { status: response.status, cacheStatus: response.headers.get('cache-status'), text: await response.text() }
  }
  const purge = (what: Record<string, string>) =>
    call('DELETE', '/v1/proxy/cache', { body: JSON.stringify(what), headers: { 'content-type': 'application/json' } })
  return { app, call, purge, close: () => app.decorator.shared!.close() }
}
type Instance = ReturnType<typeof instance>

async function until(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const started = performance.now()
  while (!(await condition())) {
    if (performance.now() - started > timeoutMs) throw new Error('condition not met in time')
    await Bun.sleep(5)
  }
}

/** Until every instance is connected and hears the others' invalidations (each subscribes on its own). */
async function connected(nodes: Instance[]): Promise<void> {
  await until(async () => nodes.every((node) => node.app.decorator.shared!.available))
  for (const [i, node] of nodes.entries()) {
    const key = `/v1/kv/ready-${i}`
    await node.call('PUT', key, { body: 'a' })
    for (const other of nodes) await other.call('GET', key)
    await node.call('PUT', key, { body: 'b' })
    for (const other of nodes) await until(async () => (await other.call('GET', key)).text === 'b')
  }
}

const isHit = (reply: { cacheStatus: string | null }) => reply.cacheStatus?.startsWith('fastcache; hit') ?? false

/** The fleet behaviours, on whatever tier `setUp` gives. */
function fleetTests(setUp: () => Promise<{ tier: Tier; dispose: () => Promise<void> }>) {
  let tier: Tier
  let dispose: () => Promise<void>
  let upstream: ReturnType<typeof origin>
  const nodes: Instance[] = []
  const [a, b] = [() => nodes[0]!, () => nodes[1]!]
  let path = 0
  /** A URL no earlier test used. */
  const fresh = () => `/proxy/api/t${++path}`
  const upstreamPath = (proxyPath: string) => `/base${proxyPath.slice('/proxy/api'.length)}`

  beforeAll(async () => {
    ;({ tier, dispose } = await setUp())
    upstream = origin()
    for (let i = 0; i < 10; i++) nodes.push(instance(tier, `${upstream.url}/base`))
    await connected(nodes.slice(0, 2))
    await until(async () => nodes.every((node) => node.app.decorator.shared!.available))
  }, 30_000)
  afterAll(async () => {
    for (const node of nodes) await node.close()
    upstream?.stop()
    await dispose?.()
  })

  test('a response is stored once and served by every instance; each keeps a near copy', async () => {
    upstream.set(() => new Response('shared body', { headers: { 'cache-control': 'max-age=60' } }))
    const url = fresh()
    expect((await a().call('GET', url)).cacheStatus).toBe('fastcache; fwd=uri-miss; stored')
    const fromRedis = await b().call('GET', url)
    expect([fromRedis.text, isHit(fromRedis)]).toEqual(['shared body', true])
    const tierCounters = () => b().app.decorator.shared!.counters.values as { nearHits: number }
    const nearBefore = tierCounters().nearHits
    expect(isHit(await b().call('GET', url))).toBe(true)
    expect(tierCounters().nearHits).toBe(nearBefore + 1)
    expect(upstream.count(upstreamPath(url))).toBe(1)
  })

  test('a purge on one instance (URL, prefix or tag) drops the response and every near copy', async () => {
    upstream.set(() => new Response('tagged', { headers: { 'cache-control': 'max-age=60', 'surrogate-key': 'fleet' } }))
    for (const purge of [(url: string) => ({ url }), (url: string) => ({ prefix: url }), () => ({ tag: 'fleet' })]) {
      const url = fresh()
      await a().call('GET', url)
      // B's copy is near once it has read it.
      expect(isHit(await b().call('GET', url))).toBe(true)
      expect(isHit(await b().call('GET', url))).toBe(true)
      const purged = await a().purge(purge(url))
      expect(JSON.parse(purged.text).purged).toBeGreaterThanOrEqual(1)
      await until(async () => !isHit(await b().call('GET', url)))
      expect(upstream.count(upstreamPath(url))).toBe(2)
    }
  })

  test('a write through one instance invalidates the URL on every instance', async () => {
    upstream.set(({ method }) =>
      method === 'GET' ? new Response('doc', { headers: { 'cache-control': 'max-age=60' } }) : new Response('done'),
    )
    const url = fresh()
    await a().call('GET', url)
    expect(isHit(await a().call('GET', url))).toBe(true)
    expect(isHit(await b().call('GET', url))).toBe(true)
    expect((await b().call('POST', url, { body: 'x' })).status).toBe(200)
    // The write's invalidation reached Redis before its answer: no instance serves the old copy from there.
    await until(async () => !isHit(await a().call('GET', url)))
    expect(upstream.count(upstreamPath(url), 'GET')).toBe(2)
  })

  test('a miss on ten instances at once makes one upstream request; the others answer with what it stored', async () => {
    upstream.set(async () => {
      await Bun.sleep(200)
      return new Response('once', { headers: { 'cache-control': 'max-age=60' } })
    })
    const url = fresh()
    const replies = await Promise.all(nodes.map((node) => node.call('GET', url)))
    expect(upstream.count(upstreamPath(url))).toBe(1)
    expect(replies.map((reply) => reply.text)).toEqual(nodes.map(() => 'once'))
    const statuses = replies.map((reply) => reply.cacheStatus)
    expect(statuses.filter((status) => status === 'fastcache; fwd=uri-miss; stored')).toHaveLength(1)
    expect(statuses.filter((status) => status === 'fastcache; fwd=uri-miss; collapsed')).toHaveLength(9)
  })

  test('a response others may not share releases the waiting instances at once: each asks the upstream itself', async () => {
    upstream.set(async () => {
      await Bun.sleep(100)
      return new Response('mine', { headers: { 'cache-control': 'private, max-age=60' } })
    })
    const url = fresh()
    const started = performance.now()
    const replies = await Promise.all(nodes.slice(0, 3).map((node) => node.call('GET', url)))
    expect(replies.map((reply) => reply.text)).toEqual(['mine', 'mine', 'mine'])
    expect(upstream.count(upstreamPath(url))).toBe(3)
    // Not held until the lease's end (the upstream timeout, 2 s, plus a second).
    expect(performance.now() - started).toBeLessThan(2000)
  })

  test('the variants of one URL stored by different instances are all purged by one purge', async () => {
    upstream.set(
      ({ headers }) =>
        new Response(`lang ${headers.get('accept-language')}`, { headers: { 'cache-control': 'max-age=60', vary: 'Accept-Language' } }),
    )
    const languages = ['en', 'fr', 'de', 'it']
    // A few URLs: a variant dropped from the marker while another instance was still storing it
    // (listed, not yet stored) was served and never purged, on some runs of one URL.
    for (let round = 0; round < 4; round++) {
      const url = fresh()
      // Concurrently, from two instances: the marker listing the variants is updated by compare-and-set.
      await Promise.all(languages.map((language, i) => nodes[i % 2]!.call('GET', url, { headers: { 'accept-language': language } })))
      for (const language of languages) expect(isHit(await a().call('GET', url, { headers: { 'accept-language': language } }))).toBe(true)
      expect(JSON.parse((await b().purge({ url })).text).purged).toBe(4)
      for (const language of languages) {
        await until(async () => !isHit(await a().call('GET', url, { headers: { 'accept-language': language } })))
      }
    }
  })
}

describe.skipIf(!redisAvailable)('the proxy on a shared tier: one standalone Redis, ten instances', () => {
  let redis: RedisServer
  fleetTests(async () => {
    redis = await startRedis()
    return { tier: { url: redis.url }, dispose: () => redis.dispose() }
  })
})

describe.skipIf(!redisAvailable)('the proxy on a shared tier: a three-primary Redis Cluster, ten instances', () => {
  let cluster: RedisCluster
  fleetTests(async () => {
    cluster = await startRedisCluster(3)
    return { tier: { cluster: cluster.nodes }, dispose: () => cluster.dispose() }
  })
})

describe.skipIf(!redisAvailable)('the proxy on a shared tier whose versions repeat across keys', () => {
  test('two URLs whose entries carry one version (as two cluster shards can give) are each answered with their own fields', async () => {
    const redis = await startRedis()
    const upstream = origin()
    upstream.set(({ path }) => {
      const name = path.endsWith('one') ? 'one' : 'two'
      return new Response(name, { headers: { 'cache-control': 'max-age=60', 'content-type': `text/${name}` } })
    })
    const [writer, reader] = [instance({ url: redis.url }, `${upstream.url}/base`), instance({ url: redis.url }, `${upstream.url}/base`)]
    const redisCli = (...args: string[]) =>
      Bun.spawnSync(['redis-cli', '-p', String(redis.port), ...args])
        .stdout.toString()
        .trim()
    try {
      await until(async () => writer.app.decorator.shared!.available && reader.app.decorator.shared!.available)
      await writer.call('GET', '/proxy/api/one')
      await writer.call('GET', '/proxy/api/two')
      const keys = ['one', 'two'].map((name) => ProxyStore.baseKey('api', `/${name}`))
      redisCli('HSET', keys[1]!, 'n', redisCli('HGET', keys[0]!, 'n'))
      const read = async (name: string) => {
        const response = await reader.app.handle(new Request(`http://localhost/proxy/api/${name}`))
        return [await response.text(), response.headers.get('content-type'), isHit({ cacheStatus: response.headers.get('cache-status') })]
      }
      expect(await read('one')).toEqual(['one', 'text/one', true])
      expect(await read('two')).toEqual(['two', 'text/two', true])
    } finally {
      await writer.close()
      await reader.close()
      upstream.stop()
      await redis.dispose()
    }
  }, 20_000)
})

describe.skipIf(!redisAvailable)('the proxy when the shared tier is down', () => {
  test('reads go to the upstream (nothing is stored), writes pass through, purges are 503', async () => {
    const redis = await startRedis()
    const upstream = origin()
    upstream.set(() => new Response('from upstream', { headers: { 'cache-control': 'max-age=60' } }))
    const node = instance({ url: redis.url }, `${upstream.url}/base`)
    try {
      await until(async () => node.app.decorator.shared!.available)
      await redis.stop()
      const read = await node.call('GET', '/proxy/api/down')
      expect([read.status, read.text, read.cacheStatus]).toEqual([200, 'from upstream', 'fastcache; fwd=uri-miss'])
      expect((await node.call('POST', '/proxy/api/down', { body: 'x' })).status).toBe(200)
      expect((await node.purge({ url: '/proxy/api/down' })).status).toBe(503)
    } finally {
      await node.close()
      upstream.stop()
      await redis.dispose()
    }
  }, 20_000)
})
