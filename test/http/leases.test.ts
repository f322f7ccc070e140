import { describe, expect, test } from 'bun:test'
import { testApp } from '../support/app'
import { CacheEngine, ManualClock } from '../../src/cache'
import * as kv from '../../src/modules/kv/service'
import { LeaseTable } from '../../src/store/lease-table'
import { LeaseQuota } from '../../src/store/lease-quota'

describe('leases against stampedes (GET ?lease, PUT ?lease)', () => {
  test('the first miss gets a lease; the others wait and get the value the holder writes', async () => {
    const { call } = testApp()
    const first = await call('GET', '/v1/kv/report?lease=5s')
    expect(first.status).toBe(404)
    const token = first.headers.get('lease')
    expect(token).toMatch(/^[0-9a-f-]{36}$/)
    const waiters = Array.from({ length: 20 }, () => call('GET', '/v1/kv/report?lease=5s'))
    await Bun.sleep(20)
    const put = await call('PUT', `/v1/kv/report?lease=${token}`, { json: { rows: 3 } })
    expect(put.status).toBe(201)
    for (const r of await Promise.all(waiters)) {
      expect(r.status).toBe(200)
      expect(r.json).toEqual({ rows: 3 })
      expect(r.headers.get('lease')).toBeNull()
    }
  })

  test('a lease token is good for one write, on its key, while it lasts', async () => {
    const { call, clock } = testApp()
    const token = (await call('GET', '/v1/kv/a?lease=10s')).headers.get('lease')!
    expect((await call('PUT', `/v1/kv/b?lease=${token}`, { body: '1' })).status).toBe(409)
    expect((await call('PUT', '/v1/kv/a?lease=not-a-token', { body: '1' })).json.error.code).toBe('LEASE_INVALID')
    expect((await call('PUT', `/v1/kv/a?lease=${token}`, { body: '1' })).status).toBe(201)
    expect((await call('PUT', `/v1/kv/a?lease=${token}`, { body: '2' })).status).toBe(409)
    expect((await call('GET', '/v1/kv/a')).text).toBe('1')

    await call('DELETE', '/v1/kv/a')
    const late = (await call('GET', '/v1/kv/a?lease=10s')).headers.get('lease')!
    clock.advance(11_000)
    expect((await call('PUT', `/v1/kv/a?lease=${late}`, { body: '3' })).status).toBe(409)
  })

  test('when the holder gives up, exactly one waiter gets the next lease', async () => {
    const { call } = testApp()
    expect((await call('GET', '/v1/kv/k?lease=150ms')).headers.get('lease')).not.toBeNull()
    const [b, c] = await Promise.all([call('GET', '/v1/kv/k?lease=150ms'), call('GET', '/v1/kv/k?lease=150ms')])
    expect(b.status).toBe(404)
    expect(c.status).toBe(404)
    expect([b, c].filter((r) => r.headers.get('lease') !== null).length).toBe(1)
  })

  test('?wait bounds the wait: a 404 without a lease while the holder still works', async () => {
    const { call } = testApp()
    await call('GET', '/v1/kv/k?lease=10s')
    const started = performance.now()
    const r = await call('GET', '/v1/kv/k?lease=10s&wait=50ms')
    expect(performance.now() - started).toBeLessThan(5000)
    expect(r.status).toBe(404)
    expect(r.headers.get('lease')).toBeNull()
  })

  test('without ?lease a miss is a plain 404 and takes no lease', async () => {
    const { call } = testApp()
    expect((await call('GET', '/v1/kv/k')).headers.get('lease')).toBeNull()
    expect((await call('GET', '/v1/kv/k?lease=5s')).headers.get('lease')).not.toBeNull()
  })

  test.each([
    ['/v1/kv/k?lease=soon', 'INVALID_DURATION'],
    ['/v1/kv/k?lease=1h', 'INVALID_DURATION'],
    ['/v1/kv/k?lease=5s&wait=x', 'INVALID_DURATION'],
    ['/v1/kv/k?wait=1s', 'INVALID_REQUEST'],
  ])('%s is 400 %s', async (path, code) => {
    const { call } = testApp()
    const r = await call('GET', path)
    expect(r.status).toBe(400)
    expect(r.json.error.code).toBe(code)
  })
})

describe('soft expiry (PUT ?stale)', () => {
  test('past its ttl the value is served as stale, with a lease to exactly one caller asking for one', async () => {
    const { call, clock } = testApp()
    const put = await call('PUT', '/v1/kv/q?ttl=60s&stale=30s', { body: 'v1' })
    expect(put.json.staleAt).toBe(new Date(clock.now() + 60_000).toISOString())
    expect(put.json.expiresAt).toBe(new Date(clock.now() + 90_000).toISOString())
    const fresh = await call('GET', '/v1/kv/q')
    expect(fresh.headers.get('cache-status')).toBeNull()
    expect(fresh.headers.get('cache-control')).toBe('max-age=60')

    clock.advance(70_000)
    const stale = await call('GET', '/v1/kv/q')
    expect(stale.text).toBe('v1')
    expect(stale.headers.get('cache-status')).toBe('fastcache; hit; ttl=-10')
    expect(stale.headers.get('cache-control')).toBe('max-age=0')

    const asking = await Promise.all([call('GET', '/v1/kv/q?lease=5s'), call('GET', '/v1/kv/q?lease=5s'), call('GET', '/v1/kv/q?lease=5s')])
    expect(asking.every((r) => r.status === 200 && r.text === 'v1')).toBe(true)
    const tokens = asking.map((r) => r.headers.get('lease')).filter((token) => token !== null)
    expect(tokens.length).toBe(1)

    expect((await call('PUT', `/v1/kv/q?ttl=60s&stale=30s&lease=${tokens[0]}`, { body: 'v2' })).status).toBe(200)
    const refreshed = await call('GET', '/v1/kv/q')
    expect(refreshed.text).toBe('v2')
    expect(refreshed.headers.get('cache-status')).toBeNull()
  })

  test('after ttl plus stale the entry is gone', async () => {
    const { call, clock } = testApp()
    await call('PUT', '/v1/kv/q?ttl=10s&stale=5s', { body: 'v' })
    clock.advance(15_000)
    expect((await call('GET', '/v1/kv/q')).status).toBe(404)
  })

  test('stale needs a ttl; touch ends the soft expiry', async () => {
    const { call, clock } = testApp()
    const r = await call('PUT', '/v1/kv/q?stale=5s', { body: 'v' })
    expect(r.status).toBe(400)
    expect(r.json.error.code).toBe('INVALID_DURATION')
    await call('PUT', '/v1/kv/q?ttl=10s&stale=50s', { body: 'v' })
    await call('POST', '/v1/touch/q', { json: { ttl: '100s' } })
    clock.advance(20_000)
    expect((await call('GET', '/v1/kv/q')).headers.get('cache-status')).toBeNull()
  })
})

describe('who may take leases, and how many', () => {
  const tokens = [
    { scope: 'read' as const, secret: 'rrrrrrrrrrrrrrrrrrrr' },
    { scope: 'write' as const, secret: 'wwwwwwwwwwwwwwwwwwww' },
    { scope: 'write' as const, secret: 'vvvvvvvvvvvvvvvvvvvv' },
  ]
  const as = (secret: string) => ({ headers: { authorization: `Bearer ${secret}` } })

  test('taking a lease needs the write scope: a read token could hold writers off a key it can never fill', async () => {
    const { call } = testApp({ tokens })
    const refused = await call('GET', '/v1/kv/k?lease=10m', as('rrrrrrrrrrrrrrrrrrrr'))
    expect(refused.status).toBe(403)
    expect(refused.headers.get('lease')).toBeNull()
    // Spellings the router decodes alike are refused alike.
    for (const query of ['le%61se=10m', 'meta&lease=10m', 'lease'])
      expect((await call('GET', `/v1/kv/k?${query}`, as('rrrrrrrrrrrrrrrrrrrr'))).status).toBe(403)
    expect((await call('GET', '/v1/kv/k', as('rrrrrrrrrrrrrrrrrrrr'))).status).toBe(404)
    expect((await call('GET', '/v1/kv/k?meta', as('rrrrrrrrrrrrrrrrrrrr'))).status).toBe(404)
    expect((await call('GET', '/v1/kv/k?lease=10m', as('wwwwwwwwwwwwwwwwwwww'))).headers.get('lease')).not.toBeNull()
  })

  test('one client (token) holds at most 1,000 leases; others still get theirs, and writes are never blocked', async () => {
    const { call } = testApp({ tokens })
    for (let i = 0; i < 1000; i++)
      expect((await call('GET', `/v1/kv/k${i}?lease=10m`, as('wwwwwwwwwwwwwwwwwwww'))).headers.get('lease')).not.toBeNull()
    const over = await call('GET', '/v1/kv/k1000?lease=10m', as('wwwwwwwwwwwwwwwwwwww'))
    expect([over.status, over.json.error.code, over.headers.get('retry-after')]).toEqual([429, 'TOO_MANY_LEASES', '1'])
    const other = await call('GET', '/v1/kv/k1000?lease=10m', as('vvvvvvvvvvvvvvvvvvvv'))
    expect(other.headers.get('lease')).not.toBeNull()
    expect((await call('PUT', '/v1/kv/k5', { body: 'plain write', ...as('vvvvvvvvvvvvvvvvvvvv') })).status).toBe(201)
    // That write ended the lease on k5, which gives its holder's slot back: one more, then the bound again.
    expect((await call('GET', '/v1/kv/again?lease=10m', as('wwwwwwwwwwwwwwwwwwww'))).headers.get('lease')).not.toBeNull()
    expect((await call('GET', '/v1/kv/again2?lease=10m', as('wwwwwwwwwwwwwwwwwwww'))).status).toBe(429)
  })
})

describe('a full lease table', () => {
  test('answers a miss without a lease (404, no Lease field) instead of refusing; the caller writes as usual', async () => {
    const clock = new ManualClock()
    const engine = new CacheEngine({ maxBytes: 1 << 20, clock, sweepIntervalMs: 0 })
    const leases = new LeaseTable(clock, 1)
    const ask = (key: string, client: string) =>
      kv.getWithLease(engine, leases, key, { client, leaseMs: 1000, waitMs: 1000, meta: false, ifNoneMatch: null })
    expect((await ask('a', 'A')).headers.get('lease')).not.toBeNull()
    const full = await ask('b', 'B')
    expect(full.status).toBe(404)
    expect(full.headers.get('lease')).toBeNull()
    expect(((await full.json()) as { error: { message: string } }).error.message).toContain('without one')
    const write = await kv.put(engine, leases, {
      key: 'b',
      body: new TextEncoder().encode('1'),
      contentType: null,
      nx: false,
      xx: false,
      keepTtl: false,
      ifMatch: null,
      ifNoneMatch: null,
    })
    expect(write.status).toBe(201)
  })
})

describe('LeaseTable bounds', () => {
  test('a full table answers "full" and a client at its bound "client-full"; ended leases give their slots back', () => {
    const clock = new ManualClock()
    const table = new LeaseTable(clock, 3, new LeaseQuota(2))
    const a1 = table.acquire('a1', 1000, 'A')
    expect(typeof a1).toBe('string')
    expect(typeof table.acquire('a2', 1000, 'A')).toBe('string')
    expect(table.acquire('a3', 1000, 'A')).toBe('client-full')
    expect(typeof table.acquire('b1', 1000, 'B')).toBe('string')
    expect(table.acquire('b2', 1000, 'B')).toBe('full')
    // Completion (the holder's write) frees both the table slot and the client's.
    table.completed('a1', a1 as string)
    expect(typeof table.acquire('a3', 1000, 'A')).toBe('string')
    // An expired lease is replaced, and its client's slot returns with it.
    clock.advance(1001)
    expect(typeof table.acquire('a2', 1000, 'B')).toBe('string')
    expect(table.acquire('x', 1000, 'A')).toBe('full')
  })

  test('release ends a lease unwritten: its waiters look again at once, and only its own token releases it', async () => {
    const table = new LeaseTable(new ManualClock())
    const token = table.acquire('k', 60_000, 'A') as string
    const waiting = table.wait('k', 60_000)
    table.release('k', 'another-token')
    expect(table.isHeld('k')).toBe(true)
    table.release('k', token)
    expect(await waiting).toBe('released')
    expect(table.isHeld('k')).toBe(false)
  })
})
