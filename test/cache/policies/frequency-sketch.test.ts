import { describe, expect, test } from 'bun:test'
import { FrequencySketch } from '../../../src/cache/policies/frequency-sketch'

/** Distinct, well-spread hashes, as the engine's key hashes are. */
const hashOf = (i: number) => Bun.hash.xxHash32(`key-${i}`) | 0

describe('FrequencySketch', () => {
  test('counts each key, never below its true count, and almost always exactly', () => {
    const sketch = new FrequencySketch(1024)
    const keys = Array.from({ length: 500 }, (_, i) => hashOf(i))
    keys.forEach((key, i) => {
      for (let n = 0; n < (i % 15) + 1; n++) sketch.increment(key)
    })
    const estimates = keys.map((key) => sketch.frequency(key))
    estimates.forEach((estimate, i) => {
      expect(estimate).toBeGreaterThanOrEqual((i % 15) + 1)
    })
    const exact = estimates.filter((estimate, i) => estimate === (i % 15) + 1).length
    expect(exact).toBeGreaterThanOrEqual(475)
  })

  test('keys never seen mostly read zero', () => {
    const sketch = new FrequencySketch(1024)
    for (let i = 0; i < 500; i++) sketch.increment(hashOf(i))
    const unseen = Array.from({ length: 1000 }, (_, i) => sketch.frequency(hashOf(100_000 + i)))
    expect(unseen.filter((estimate) => estimate === 0).length).toBeGreaterThanOrEqual(950)
  })

  test('a counter stops at 15', () => {
    const sketch = new FrequencySketch(1024)
    for (let n = 0; n < 100; n++) sketch.increment(hashOf(1))
    expect(sketch.frequency(hashOf(1))).toBe(15)
  })

  test('every counter is halved after 10 × width additions, so old popularity fades', () => {
    const sketch = new FrequencySketch(1024)
    expect(sketch.capacity).toBe(1024)
    const old = hashOf(-1)
    for (let n = 0; n < 15; n++) sketch.increment(old)
    // The old key's counters are saturated, so other keys cannot raise them: it reads 15 until the halving.
    let added = 0
    while (sketch.frequency(old) === 15) sketch.increment(hashOf(added++))
    expect(sketch.frequency(old)).toBe(7)
    // 15 additions of the old key, then fresh keys (one addition each) up to 10 × 1024.
    expect(added).toBeGreaterThanOrEqual(10 * 1024 - 15 - 50)
    expect(added).toBeLessThanOrEqual(10 * 1024 - 15)
  })

  test('growing forgets, and only ever grows', () => {
    const sketch = new FrequencySketch(100)
    expect(sketch.capacity).toBe(128)
    for (let n = 0; n < 5; n++) sketch.increment(hashOf(1))
    sketch.ensureCapacity(64)
    expect(sketch.capacity).toBe(128)
    expect(sketch.frequency(hashOf(1))).toBe(5)
    sketch.ensureCapacity(129)
    expect(sketch.capacity).toBe(256)
    expect(sketch.frequency(hashOf(1))).toBe(0)
  })

  test('clear forgets every count', () => {
    const sketch = new FrequencySketch(1024)
    for (let n = 0; n < 5; n++) sketch.increment(hashOf(1))
    sketch.clear()
    expect(sketch.frequency(hashOf(1))).toBe(0)
  })
})
