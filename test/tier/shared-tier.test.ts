import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createApp } from '../../src/app'
import type { Config } from '../../src/config/schema'
import { baseConfig } from '../support/app'
import { checkedHandle } from '../support/reply-check'
import { redisAvailable, startRedis, startRedisCluster, type RedisCluster, type RedisServer } from '../support/redis'

type Tier = NonNullable<Config['tier']>['redis']

/** An instance of fastcache on the shared tier, driven through app.handle. */
function instance(redis: string | Tier, overrides: Partial<Config> = {}) {
  const target = typeof redis === 'string' ? { url: redis } : redis
  const app = createApp(
    { ...baseConfig, tier: { redis: target, nearCacheTtlMs: 5000, redisTimeoutMs: 1000 }, ...overrides },
    { sweepIntervalMs: 0 },
  )
  // The shared tier's answers (503 while Redis is away included) are ones the OpenAPI document declares.
  const handle = checkedHandle(app)
  const call = async (method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}) => {
    const response = await handle(new Request(`http://localhost${path}`, { method, body: init.body, headers: init.headers }))
    const text = await response.text()
    return { status: response.status, headers: response.headers, text }
  }
  return { app, call, close: () => app.decorator.shared!.close() }
}

/** Rounds of four concurrent compare-and-set writes from two instances: exactly one wins each round. */
async function casRaces(a: ReturnType<typeof instance>, b: ReturnType<typeof instance>, key: string) {
  await a.call('PUT', `/v1/kv/${key}`, { body: '0' })
  for (let round = 0; round < 10; round++) {
    // Both near caches agree once the last round's invalidation arrived (a stale ETag only fails the CAS, never loses a write).
    let current = ''
    await until(async () => {
      const [fromA, fromB] = await Promise.all([a.call('GET', `/v1/kv/${key}?meta`), b.call('GET', `/v1/kv/${key}?meta`)])
      current = fromA.headers.get('etag')!
      return current === fromB.headers.get('etag')
    })
    const results = await Promise.all(
      [a, b, a, b].map((node, i) => node.call('PUT', `/v1/kv/${key}`, { body: `${round}-${i}`, headers: { 'if-match': current } })),
    )
    expect(results.filter((r) => r.status === 200).length).toBe(1)
    expect(results.filter((r) => r.status === 412).length).toBe(3)
  }
  const nx = await Promise.all([a, b].map((node) => node.call('PUT', `/v1/kv/${key}:once?nx`, { body: 'x' })))
  expect(nx.map((r) => r.status).sort()).toEqual([201, 412])
}

/** Every key with the prefix, following the listing's cursor to the end (a key SCAN returns twice counts once). */
async function listAll(node: ReturnType<typeof instance>, prefix: string, limit: number): Promise<Set<string>> {
  const seen = new Set<string>()
  let cursor: string | null = null
  do {
    const page: { keys: string[]; cursor: string | null } = JSON.parse(
      (await node.call('GET', `/v1/keys?prefix=${prefix}&limit=${limit}${cursor === null ? '' : `&cursor=${cursor}`}`)).text,
    )
    for (const key of page.keys) seen.add(key)
    cursor = page.cursor
  } while (cursor !== null)
  return seen
}

async function until(condition: () => Promise<boolean>, timeoutMs = 3000): Promise<number> {
  const started = performance.now()
  while (!(await condition())) {
    if (performance.now() - started > timeoutMs) throw new Error('condition not met in time')
    await Bun.sleep(2)
  }
  return performance.now() - started
}

describe.skipIf(!redisAvailable)('shared tier on one standalone Redis, two instances', () => {
  let redis: RedisServer
  let a: ReturnType<typeof instance>
  let b: ReturnType<typeof instance>

  beforeAll(async () => {
    redis = await startRedis()
    a = instance(redis.url)
    b = instance(redis.url)
    await until(async () => a.app.decorator.shared!.available && b.app.decorator.shared!.available)
  })
  afterAll(async () => {
    await a?.close()
    await b?.close()
    await redis?.dispose()
  })

  test('a write on A is read on B, with the same version and TTL', async () => {
    const put = await a.call('PUT', '/v1/kv/greeting?ttl=60s', { body: 'hello', headers: { 'content-type': 'text/plain' } })
    expect(put.status).toBe(201)
    const read = await b.call('GET', '/v1/kv/greeting')
    expect(read.status).toBe(200)
    expect(read.text).toBe('hello')
    expect(read.headers.get('content-type')).toBe('text/plain')
    expect(read.headers.get('etag')).toBe(put.headers.get('etag'))
    expect(read.headers.get('cache-control')).toMatch(/^max-age=(59|60)$/)
  })

  test('a delete or overwrite on A stops B serving its near copy within the invalidation delay', async () => {
    await a.call('PUT', '/v1/kv/doc', { body: 'v1' })
    expect((await b.call('GET', '/v1/kv/doc')).text).toBe('v1') // now in B's near cache
    await a.call('PUT', '/v1/kv/doc', { body: 'v2' })
    const overwriteMs = await until(async () => (await b.call('GET', '/v1/kv/doc')).text === 'v2')
    await a.call('DELETE', '/v1/kv/doc')
    const deleteMs = await until(async () => (await b.call('GET', '/v1/kv/doc')).status === 404)
    // Far below the 5 s near-cache TTL: the invalidation did it, not the expiry.
    expect(overwriteMs).toBeLessThan(1000)
    expect(deleteMs).toBeLessThan(1000)
    const tier = async () => JSON.parse((await b.call('GET', '/v1/stats')).text).tier
    expect((await tier()).invalidationsReceived).toBeGreaterThanOrEqual(2)
    // A first read on B asks Redis; the next, within the near-cache TTL, is answered by B itself.
    const received = (await tier()).invalidationsReceived
    await a.call('PUT', '/v1/kv/near', { body: 'n' })
    // Once B has the write's invalidation, no later message can drop the copy it is about to keep.
    await until(async () => (await tier()).invalidationsReceived > received)
    const before = await tier()
    await b.call('GET', '/v1/kv/near')
    await b.call('GET', '/v1/kv/near')
    const after = await tier()
    expect([after.redisHits - before.redisHits, after.nearHits - before.nearHits]).toEqual([1, 1])
  })

  test('a message on the invalidation channel that is not ours is ignored, not fatal', async () => {
    for (const junk of ['not json', '[1,2]', '{}', '["x"]'])
      Bun.spawnSync(['redis-cli', '-p', String(redis.port), 'publish', 'fastcache:invalidate', junk])
    await Bun.sleep(50)
    await a.call('PUT', '/v1/kv/after-junk', { body: 'fine' })
    expect((await b.call('GET', '/v1/kv/after-junk')).text).toBe('fine')
  })

  test('concurrent incr from both instances loses no increment', async () => {
    const bumps = Array.from({ length: 200 }, (_, i) =>
      (i % 2 === 0 ? a : b).call('POST', '/v1/incr/counter', { body: '{"by":1}', headers: { 'content-type': 'application/json' } }),
    )
    const replies = await Promise.all(bumps)
    expect(replies.every((r) => r.status === 200 || r.status === 201)).toBe(true)
    expect(await until(async () => (await a.call('GET', '/v1/kv/counter')).text === '200')).toBeLessThan(3000)
  })

  test('compare-and-set races have exactly one winner', async () => {
    await casRaces(a, b, 'cas')
  })

  test('a batch runs as one Redis transaction and says so; its writes reach the other instance', async () => {
    const ops = [
      { op: 'set', key: 'b:1', value: { n: 1 } },
      { op: 'incr', key: 'b:count', by: 5 },
      { op: 'get', key: 'b:1' },
      { op: 'set', key: 'b:1', value: 2, nx: true },
      { op: 'del', key: 'b:missing' },
    ]
    const r = await a.call('POST', '/v1/batch', { body: JSON.stringify({ ops }), headers: { 'content-type': 'application/json' } })
    expect(r.status).toBe(200)
    const reply = JSON.parse(r.text)
    expect(reply.atomic).toBe(true)
    expect(reply.results.map((result: { status: number }) => result.status)).toEqual([201, 201, 200, 412, 404])
    expect(reply.results[2].value).toEqual({ n: 1 })
    expect((await b.call('GET', '/v1/kv/b:count')).text).toBe('5')
  })

  test('a lease taken on one instance holds off a stampede on all: waiters on both get the value the holder writes', async () => {
    const first = await a.call('GET', '/v1/kv/report?lease=5s')
    expect(first.status).toBe(404)
    const token = first.headers.get('lease')!
    expect(token).toMatch(/^[0-9a-f-]{36}$/)
    const waiting = [a, b, b, a, b].map((node) => node.call('GET', '/v1/kv/report?lease=5s'))
    await Bun.sleep(50)
    expect((await b.call('PUT', '/v1/kv/report?lease=not-the-token', { body: 'x' })).status).toBe(409)
    expect(
      (await b.call('PUT', `/v1/kv/report?lease=${token}`, { body: '{"rows":3}', headers: { 'content-type': 'application/json' } })).status,
    ).toBe(201)
    for (const r of await Promise.all(waiting)) {
      expect(r.status).toBe(200)
      expect(r.text).toBe('{"rows":3}')
    }
    // The lease is used up.
    expect((await a.call('PUT', `/v1/kv/report?lease=${token}`, { body: '1' })).status).toBe(409)
  })

  test('one client holds at most 1,000 shared leases on an instance; completing one gives its slot back', async () => {
    const keys = Array.from({ length: 1000 }, (_, i) => `quota:${i}`)
    const granted = await Promise.all(keys.map((key) => a.call('GET', `/v1/kv/${key}?lease=1m`)))
    expect(granted.filter((r) => r.headers.get('lease') !== null).length).toBe(1000)
    const over = await a.call('GET', '/v1/kv/quota:over?lease=1m')
    expect([over.status, JSON.parse(over.text).error.code]).toEqual([429, 'TOO_MANY_LEASES'])
    const token = granted[0]!.headers.get('lease')!
    expect((await a.call('PUT', `/v1/kv/quota:0?lease=${token}`, { body: 'filled' })).status).toBe(201)
    expect((await a.call('GET', '/v1/kv/quota:over?lease=1m')).headers.get('lease')).not.toBeNull()
    // A write of a leased key on the other instance ends that lease, and gives this client's slot back here.
    expect((await b.call('PUT', '/v1/kv/quota:1', { body: 'filled' })).status).toBe(201)
    await until(async () => (await a.call('GET', '/v1/kv/quota:after?lease=1m')).headers.get('lease') !== null)
    // Clean up: this instance's own writes give the rest back at once.
    await Promise.all([...keys, 'quota:over', 'quota:after'].map((key) => a.call('PUT', `/v1/kv/${key}`, { body: 'filled' })))
    expect((await a.call('GET', '/v1/kv/quota:again?lease=1m')).headers.get('lease')).not.toBeNull()
    await a.call('PUT', '/v1/kv/quota:again', { body: 'filled' })
  })

  test('when a shared lease runs out unwritten, exactly one waiter anywhere gets the next one', async () => {
    expect((await a.call('GET', '/v1/kv/orphan?lease=300ms')).headers.get('lease')).not.toBeNull()
    const replies = await Promise.all([a, b, b].map((node) => node.call('GET', '/v1/kv/orphan?lease=300ms&wait=2s')))
    expect(replies.every((r) => r.status === 404)).toBe(true)
    expect(replies.filter((r) => r.headers.get('lease') !== null).length).toBe(1)
  })

  test("key listing pages through Redis; a prefix delete reaches Redis and the other instance's near cache", async () => {
    for (let i = 0; i < 25; i++) await a.call('PUT', `/v1/kv/list:${i}`, { body: String(i) })
    await a.call('PUT', '/v1/kv/list*glob', { body: 'x' })
    expect((await b.call('GET', '/v1/kv/list:3')).text).toBe('3') // near copy on B
    const seen = await listAll(b, 'list:', 10)
    expect([...seen].sort()).toEqual(Array.from({ length: 25 }, (_, i) => `list:${i}`).sort())
    const deleted = JSON.parse((await a.call('DELETE', '/v1/keys?prefix=list:')).text)
    expect(deleted).toEqual({ deleted: 25 })
    expect(await until(async () => (await b.call('GET', '/v1/kv/list:3')).status === 404)).toBeLessThan(1000)
    expect((await b.call('GET', '/v1/kv/list*glob')).text).toBe('x')
  })
})

describe.skipIf(!redisAvailable)('shared tier when Redis goes away and comes back', () => {
  test('reads fall back to the near cache or a 404 that says why, writes get 503, /health is degraded, nothing hangs; recovery is automatic and the near cache is emptied', async () => {
    const redis = await startRedis()
    const node = instance(redis.url, {})
    try {
      await until(async () => node.app.decorator.shared!.available)
      await node.call('PUT', '/v1/kv/kept', { body: 'near' })
      expect((await node.call('GET', '/v1/kv/kept')).text).toBe('near') // near copy made by the read
      // Requests in flight while Redis goes away all finish, quickly, with an answer.
      const inFlight = Array.from({ length: 40 }, (_, i) =>
        i % 2 === 0 ? node.call('GET', `/v1/kv/k${i}`) : node.call('PUT', `/v1/kv/k${i}`, { body: 'v' }),
      )
      const stopping = performance.now()
      await redis.stop()
      const answered = await Promise.all(inFlight)
      expect(answered.every((r) => [200, 201, 404, 503].includes(r.status))).toBe(true)
      expect(performance.now() - stopping).toBeLessThan(3000)
      await until(async () => JSON.parse((await node.call('GET', '/health')).text).status === 'degraded')
      expect(JSON.parse((await node.call('GET', '/health')).text)).toEqual({ status: 'degraded', redis: 'unavailable' })

      const started = performance.now()
      const miss = await node.call('GET', '/v1/kv/never-seen')
      expect(miss.status).toBe(404)
      expect(miss.headers.get('cache-status')).toBe('fastcache; fwd=miss; detail=redis-unavailable')
      const write = await node.call('PUT', '/v1/kv/x', { body: '1' })
      expect(write.status).toBe(503)
      expect((await node.call('PUT', '/v1/kv/x?lease=some-token', { body: '1' })).status).toBe(503)
      expect((await node.call('GET', '/v1/kv/leased?lease=1s')).status).toBe(404)
      expect(JSON.parse(write.text).error.code).toBe('REDIS_UNAVAILABLE')
      expect(performance.now() - started).toBeLessThan(2000)

      await redis.restart()
      await until(async () => JSON.parse((await node.call('GET', '/health')).text).status === 'ok', 10_000)
      // The restarted Redis is empty: the near copy of "kept" must not be served (it was dropped on reconnect).
      expect((await node.call('GET', '/v1/kv/kept')).status).toBe(404)
      expect((await node.call('PUT', '/v1/kv/x', { body: '1' })).status).toBe(201)
    } finally {
      await node.close()
      await redis.dispose()
    }
  }, 30_000)
})

describe.skipIf(!redisAvailable)('shared tier on a three-primary Redis Cluster, two instances', () => {
  let cluster: RedisCluster
  let a: ReturnType<typeof instance>
  let b: ReturnType<typeof instance>

  beforeAll(async () => {
    cluster = await startRedisCluster(3)
    a = instance({ cluster: cluster.nodes })
    b = instance({ cluster: cluster.nodes })
    await until(async () => a.app.decorator.shared!.available && b.app.decorator.shared!.available, 10_000)
  }, 30_000)
  afterAll(async () => {
    await a?.close()
    await b?.close()
    await cluster?.dispose()
  })

  test('keys spread over all slots are written on A and read on B', async () => {
    const keys = Array.from({ length: 60 }, (_, i) => `user:${i}:profile`)
    for (const key of keys) expect((await a.call('PUT', `/v1/kv/${key}`, { body: key })).status).toBe(201)
    const slots = new Set<number>()
    for (const key of keys) {
      const read = await b.call('GET', `/v1/kv/${key}`)
      expect(read.text).toBe(key)
      slots.add(Number(Bun.spawnSync(['redis-cli', '-p', String(cluster.nodes[0]!.port), 'cluster', 'keyslot', key]).stdout.toString()))
    }
    // The keys landed on every primary's slot range.
    const owners = new Set([...slots].map((slot) => Math.floor(slot / (16384 / 3))))
    expect(owners.size).toBe(3)
  }, 30_000)

  test('a batch is one transaction when its keys share a slot (hash tags), and runs in order otherwise', async () => {
    const call = (ops: unknown[]) =>
      a
        .call('POST', '/v1/batch', { body: JSON.stringify({ ops }), headers: { 'content-type': 'application/json' } })
        .then((r) => JSON.parse(r.text))
    const tagged = await call([
      { op: 'set', key: '{cart:9}:items', value: [1, 2] },
      { op: 'incr', key: '{cart:9}:count', by: 2 },
    ])
    expect(tagged.atomic).toBe(true)
    const spread = await call([
      { op: 'set', key: 'alpha', value: 1 },
      { op: 'set', key: 'omega', value: 2 },
      { op: 'get', key: 'alpha' },
    ])
    expect(spread.atomic).toBe(false)
    expect(spread.results.map((result: { status: number }) => result.status)).toEqual([201, 201, 200])
  })

  test('key listing and prefix deletes cover every primary', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => `scan:${i}`)
    for (const key of keys) await a.call('PUT', `/v1/kv/${key}`, { body: '1' })
    const seen = await listAll(b, 'scan:', 7)
    expect([...seen].sort()).toEqual([...keys].sort())
    expect(JSON.parse((await b.call('DELETE', '/v1/keys?prefix=scan:')).text)).toEqual({ deleted: 40 })
  })

  test('compare-and-set races have exactly one winner on the Cluster too', async () => {
    await casRaces(a, b, 'cluster-cas')
  })

  test('incr races and invalidations work the same on the Cluster', async () => {
    const bumps = Array.from({ length: 100 }, (_, i) =>
      (i % 2 === 0 ? a : b).call('POST', '/v1/incr/{hits}:total', { body: '{"by":2}', headers: { 'content-type': 'application/json' } }),
    )
    await Promise.all(bumps)
    expect((await a.call('GET', '/v1/kv/{hits}:total')).text).toBe('200')
    await b.call('GET', '/v1/kv/{hits}:total')
    await a.call('DELETE', '/v1/kv/{hits}:total')
    expect(await until(async () => (await b.call('GET', '/v1/kv/{hits}:total')).status === 404)).toBeLessThan(1000)
  })
})
