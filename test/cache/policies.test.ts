import { describe, expect, test } from 'bun:test'
import { CacheEngine, ManualClock } from '../../src/cache'
import { LruPolicy } from '../../src/cache/policies/lru'

const OCTET = 'application/octet-stream'
/** Keys of equal length, so every entry weighs the same. */
const key = (i: number) => `k${String(i).padStart(6, '0')}`

function engineFor(entries: number, options: Partial<ConstructorParameters<typeof CacheEngine>[0]> = {}) {
  return new CacheEngine({ maxBytes: entries * key(0).length, entryOverheadBytes: 0, sweepIntervalMs: 0, clock: new ManualClock(), ...options })
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

  test('one huge new entry does not flush many hot small ones', () => {
    const cache = engineFor(1000)
    const hot = Array.from({ length: 900 }, (_, i) => key(i))
    for (let round = 0; round < 5; round++) for (const k of hot) access(cache, k)
    // Half the cache in one value, written once.
    cache.set('huge', new Uint8Array(500 * key(0).length), OCTET)
    expect(hot.filter((k) => cache.has(k)).length).toBeGreaterThanOrEqual(850)
    expect(cache.stats().bytes).toBeLessThanOrEqual(cache.maxBytes)
  })

  test('a large entry that is used often is admitted', () => {
    const cache = engineFor(1000)
    for (let i = 0; i < 2000; i++) access(cache, key(i))
    for (let round = 0; round < 10; round++) access(cache, 'big', 100 * key(0).length)
    expect(cache.has('big')).toBe(true)
  })
})
