import { describe, expect, test } from 'bun:test'
import { Rng } from '../../bench/hitratio/prng'
import { CacheEngine, ManualClock } from '../../src/cache'
import { PrefixSampler } from '../../src/modules/dashboard/prefix-sampler'

/** 60,000 keys in three groups, interleaved at random: a/ (50%, 10 B values), b: (30%, 10 B), big/ (20%, 1,000 B). */
function filledEngine(seed: number) {
  const engine = new CacheEngine({ maxBytes: 1 << 30, clock: new ManualClock(), sweepIntervalMs: 0 })
  const rng = new Rng(seed)
  for (let i = 0; i < 60_000; i++) {
    const draw = rng.float()
    const [key, size] = draw < 0.5 ? [`a/${i}`, 10] : draw < 0.8 ? [`b:${i}`, 10] : [`big/${i}`, 1000]
    engine.set(key, new Uint8Array(size), 'application/octet-stream')
  }
  return engine
}

/** Every entry, counted by the groups the sampler uses: the true figures. */
function exact(engine: CacheEngine) {
  const truth = new Map<string, { count: number; bytes: number }>()
  for (let cursor: number | null = 0; cursor !== null; ) {
    const page = engine.entries(cursor, 1000)
    for (const entry of page.entries) {
      const name = entry.key.slice(0, entry.key.search(/[/:]/) + 1)
      const row = truth.get(name) ?? { count: 0, bytes: 0 }
      row.count++
      row.bytes += engine.chargeOf(entry.key, entry.value.byteLength)
      truth.set(name, row)
    }
    cursor = page.next
  }
  return truth
}

describe('PrefixSampler', () => {
  test('a large cache is estimated from a bounded sample, within 3% of each group’s true share', () => {
    const engine = filledEngine(17)
    const truth = exact(engine)
    const sampler = new PrefixSampler(engine)
    for (const round of [1, 2, 3]) {
      const sample = sampler.sample()
      // The first walk learns how far the cursors reach (up to twice the pages); later ones keep to ~5,000.
      expect(sample.sampledEntries).toBeLessThanOrEqual(round === 1 ? 10_000 : 5_100)
      expect(sample.sampledEntries).toBeGreaterThan(2_000)
      expect(sample.byCount.map((row) => row.name)).toEqual(['a/', 'b:', 'big/'])
      expect(sample.byBytes[0]!.name).toBe('big/')
      for (const row of sample.byCount) {
        const real = truth.get(row.name)!
        expect(Math.abs(row.count - real.count) / 60_000).toBeLessThan(0.03)
        expect(Math.abs(row.bytes - real.bytes) / engine.stats().bytes).toBeLessThan(0.03)
      }
    }
  })

  test('after most entries go, the walk still spans the whole (now sparse) cache', () => {
    const engine = filledEngine(5)
    const sampler = new PrefixSampler(engine)
    sampler.sample()
    engine.deletePrefix('a/')
    engine.deletePrefix('big/')
    const { items } = engine.stats()
    for (let round = 0; round < 3; round++) {
      const sample = sampler.sample()
      expect(sample.sampledEntries).toBeGreaterThan(2_000)
      expect(sample.sampledEntries).toBeLessThanOrEqual(10_000)
      expect(sample.byCount[0]).toMatchObject({ name: 'b:' })
      expect(Math.abs(sample.byCount[0]!.count - items)).toBeLessThan(items * 0.01)
    }
  })

  test('an empty cache has no groups', () => {
    const engine = new CacheEngine({ maxBytes: 1 << 20, sweepIntervalMs: 0 })
    expect(new PrefixSampler(engine).sample()).toEqual({ sampledEntries: 0, items: 0, byCount: [], byBytes: [] })
  })
})
