import { describe, expect, test } from 'bun:test'
import { CacheEngine, ManualClock } from '../../src/cache'
import { LruPolicy } from '../../src/cache/policies/lru'
import { WTinyLfuPolicy } from '../../src/cache/policies/w-tinylfu'

const OCTET = 'application/octet-stream'
/** Keys of equal length, so every entry weighs the same. */
const key = (i: number) => `k${String(i).padStart(6, '0')}`

function engineFor(entries: number, options: Partial<ConstructorParameters<typeof CacheEngine>[0]> = {}) {
  return new CacheEngine({
    maxBytes: entries * key(0).length,
    entryOverheadBytes: 0,
    sweepIntervalMs: 0,
    clock: new ManualClock(),
    // The sketch counts by key hash: a fixed seed makes every run see the same collisions.
    hashSeed: 0,
    ...options,
  })
}

/** get, and set on a miss: how a cache-aside client drives the cache. */
function access(cache: CacheEngine, k: string, size = 0): boolean {
  if (cache.get(k)) return true
  cache.set(k, new Uint8Array(size), OCTET)
  return false
}

describe('LRU policy', () => {
  test('evicts the least recently used first', () => {
    const cache = engineFor(3, { policy: (context) => new LruPolicy(context) })
    for (const i of [1, 2, 3]) access(cache, key(i))
    access(cache, key(1))
    access(cache, key(4))
    expect([1, 2, 3, 4].map((i) => cache.has(key(i)))).toEqual([true, false, true, true])
  })
})

describe('default policy (W-TinyLFU)', () => {
  test('frequently used keys survive a scan of one-time keys that LRU would not', () => {
    const hot = Array.from({ length: 50 }, (_, i) => key(i))
    const run = (cache: CacheEngine) => {
      for (let round = 0; round < 20; round++) for (const k of hot) access(cache, k)
      for (let i = 0; i < 5000; i++) access(cache, key(100_000 + i))
      return hot.filter((k) => cache.has(k)).length
    }
    expect(run(engineFor(100))).toBeGreaterThanOrEqual(45)
    expect(run(engineFor(100, { policy: (context) => new LruPolicy(context) }))).toBe(0)
  })

  test('a loop slightly larger than the cache still hits, where LRU gets nothing', () => {
    const hits = (cache: CacheEngine) => {
      let count = 0
      for (let round = 0; round < 30; round++) for (let i = 0; i < 120; i++) count += access(cache, key(i)) ? 1 : 0
      return count / (30 * 120)
    }
    expect(hits(engineFor(100))).toBeGreaterThan(0.5)
    expect(hits(engineFor(100, { policy: (context) => new LruPolicy(context) }))).toBe(0)
  })

  test('on a recency-heavy workload the window grows until it does as well as LRU', () => {
    // Each request is for a key created a few hundred requests ago: pure recency, no lasting popularity.
    const hitRatio = (cache: CacheEngine) => {
      let seed = 7
      let hits = 0
      const random = () => {
        seed ^= seed << 13
        seed ^= seed >>> 17
        seed ^= seed << 5
        return (seed >>> 0) / 2 ** 32
      }
      for (let t = 0; t < 100_000; t++) hits += access(cache, key(Math.max(0, t - Math.floor(-Math.log(1 - random()) * 250)))) ? 1 : 0
      return hits / 100_000
    }
    const adaptive = hitRatio(engineFor(500))
    const lru = hitRatio(engineFor(500, { policy: (context) => new LruPolicy(context) }))
    const fixedSmallWindow = hitRatio(engineFor(500, { policy: (context) => new WTinyLfuPolicy(context) }))
    expect(adaptive).toBeGreaterThan(lru - 0.01)
    expect(fixedSmallWindow).toBeLessThan(lru / 2)
  })

  test('a value just written can be read back, even into a full cache of popular entries', () => {
    // A window sized to nothing is what the advisor picks for loop-like workloads.
    const cache = engineFor(200, { policy: (context) => new WTinyLfuPolicy(context, { windowShare: 0 }) })
    for (let round = 0; round < 20; round++) for (let i = 0; i < 400; i++) access(cache, key(i))
    for (let i = 0; i < 50; i++) {
      cache.set(key(10_000 + i), new Uint8Array(0), OCTET)
      expect(cache.get(key(10_000 + i))).toBeDefined()
    }
  })

  test('one huge new entry does not flush many hot small ones', () => {
    const cache = engineFor(1000)
    const hot = Array.from({ length: 900 }, (_, i) => key(i))
    for (let round = 0; round < 5; round++) for (const k of hot) access(cache, k)
    // Half the cache in one value, written once.
    cache.set('huge', new Uint8Array(500 * key(0).length), OCTET)
    expect(hot.filter((k) => cache.has(k)).length).toBeGreaterThanOrEqual(850)
    expect(cache.stats().bytes).toBeLessThanOrEqual(cache.maxBytes)
  })

  test('the lenient rule admits a key reused in the window even when the sketch prefers the victims; the strict rule does not', () => {
    const survives = (lenient: boolean) => {
      const cache = engineFor(100, { policy: (context) => new WTinyLfuPolicy(context, { windowShare: 0.05, lenient }) })
      for (let round = 0; round < 10; round++) for (let i = 0; i < 100; i++) access(cache, key(i))
      // Used twice while new, then pushed out of the 5-entry window by one-time keys.
      access(cache, key(5000))
      access(cache, key(5000))
      for (let i = 0; i < 10; i++) access(cache, key(6000 + i))
      return cache.has(key(5000))
    }
    expect(survives(true)).toBe(true)
    expect(survives(false)).toBe(false)
  })

  test('the lenient rule admits a key that admission turned away shortly before', () => {
    const admittedOnReturn = (lenient: boolean) => {
      const cache = engineFor(100, { policy: (context) => new WTinyLfuPolicy(context, { windowShare: 0.01, lenient }) })
      for (let round = 0; round < 10; round++) for (let i = 0; i < 100; i++) access(cache, key(i))
      access(cache, key(5000))
      access(cache, key(5001))
      // The next write pushed key 5000 out of the window, and admission turned it away.
      const turnedAway = !cache.has(key(5000))
      access(cache, key(5000))
      access(cache, key(5002))
      return turnedAway && cache.has(key(5000))
    }
    expect(admittedOnReturn(true)).toBe(true)
    expect(admittedOnReturn(false)).toBe(false)
  })

  test('a huge value read back, or written twice, does not flush hot small ones either, under either rule', () => {
    for (const lenient of [false, true]) {
      for (const readBack of [true, false]) {
        const cache = engineFor(1000, { policy: (context) => new WTinyLfuPolicy(context, { windowShare: 0.1, lenient }) })
        const hot = Array.from({ length: 900 }, (_, i) => key(i))
        for (let round = 0; round < 5; round++) for (const k of hot) access(cache, k)
        // Half the cache in one value: read back at once (a hit in the window), or written twice (turned
        // away once); small new keys follow each write.
        for (let write = 0; write < 2; write++) {
          cache.set('huge', new Uint8Array(500 * key(0).length), OCTET)
          if (readBack) cache.get('huge')
          for (let i = 0; i < 200; i++) access(cache, key(10_000 + write * 1000 + i))
        }
        expect({ lenient, readBack, hot: hot.filter((k) => cache.has(k)).length >= 890 }).toEqual({ lenient, readBack, hot: true })
        expect(cache.stats().bytes).toBeLessThanOrEqual(cache.maxBytes)
      }
    }
  })

  test('a large entry that is used often is admitted', () => {
    const cache = engineFor(1000)
    for (let i = 0; i < 2000; i++) access(cache, key(i))
    for (let round = 0; round < 10; round++) access(cache, 'big', 100 * key(0).length)
    expect(cache.has('big')).toBe(true)
  })
})
