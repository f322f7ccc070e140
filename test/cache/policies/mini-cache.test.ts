import { describe, expect, test } from 'bun:test'
import { CacheEngine, ManualClock } from '../../../src/cache'
import { MiniCache } from '../../../src/cache/policies/mini-cache'
import { WTinyLfuPolicy } from '../../../src/cache/policies/w-tinylfu'

const OCTET = 'application/octet-stream'

/**
 * The same requests through a miniature and through the real engine with the same policy settings:
 * the engine hashes keys with xxHash32, so a miniature fed those hashes must hit exactly where the
 * engine does (its own index is what differs).
 */
function compare(windowShare: number, lenient: boolean): void {
  const maxWeight = 2000
  const engine = new CacheEngine({
    maxBytes: maxWeight,
    entryOverheadBytes: 0,
    hashSeed: 0, // the engine hashes keys as the miniature does (xxHash32, seed 0)
    sweepIntervalMs: 0,
    clock: new ManualClock(),
    policy: (context) => new WTinyLfuPolicy(context, { windowShare, lenient }),
  })
  const mini = new MiniCache(maxWeight, windowShare, lenient)
  let seed = 99
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
    return seed / 2 ** 32
  }
  let hits = 0
  for (let t = 0; t < 30_000; t++) {
    // Popular low ids and a long tail, so entries churn through the index; values of 0-29 bytes.
    const id = Math.floor(1000 * random() ** 3)
    const key = `k${id}`
    const valueBytes = id % 30
    const engineHit = engine.get(key) !== undefined
    if (!engineHit) engine.set(key, new Uint8Array(valueBytes), OCTET)
    const miniHit = mini.access(Bun.hash.xxHash32(key) | 0, key.length + valueBytes)
    expect(miniHit).toBe(engineHit)
    hits += miniHit ? 1 : 0
  }
  engine.close()
  // Both a real test of eviction (many misses) and of hits.
  expect(hits).toBeGreaterThan(3000)
  expect(hits).toBeLessThan(27_000)
}

describe('MiniCache', () => {
  test('hits exactly where the engine with the same policy does (strict, 1% window)', () => compare(0.01, false))
  test('hits exactly where the engine with the same policy does (lenient, 40% window)', () => compare(0.4, true))
  test('hits exactly where the engine with the same policy does (pure LRU)', () => compare(1, false))

  test('never stores an entry larger than its bound', () => {
    const mini = new MiniCache(100, 0.01, false)
    expect(mini.access(7, 101)).toBe(false)
    expect(mini.access(7, 101)).toBe(false)
    expect(mini.access(8, 100)).toBe(false)
    expect(mini.access(8, 100)).toBe(true)
  })
})
