import { describe, expect, test } from 'bun:test'
import { RejectionMemory } from '../../../src/cache/policies/rejection-memory'

const hashOf = (i: number) => Bun.hash.xxHash32(`key-${i}`) | 0

describe('RejectionMemory', () => {
  test('remembers recent rejections and forgets old ones as newer ones take their place', () => {
    const memory = new RejectionMemory()
    memory.ensureCapacity(4096)
    // 4096 entries: 1024 slots. Each rejection overwrites one slot.
    for (let i = 0; i < 10_000; i++) memory.remember(hashOf(i))
    const remembered = (from: number, to: number) => {
      let count = 0
      for (let i = from; i < to; i++) count += memory.has(hashOf(i)) ? 1 : 0
      return count / (to - from)
    }
    expect(remembered(10_000 - 100, 10_000)).toBeGreaterThan(0.85)
    expect(remembered(0, 5000)).toBeLessThan(0.02)
    expect(remembered(20_000, 30_000)).toBeLessThan(0.005)
  })

  test('a hash of 0 is not remembered by an empty table', () => {
    const memory = new RejectionMemory()
    expect(memory.has(0)).toBe(false)
    memory.remember(0)
    expect(memory.has(0)).toBe(true)
  })

  test('grows with the cache (forgetting), and clear forgets', () => {
    const memory = new RejectionMemory()
    const small = memory.capacity
    memory.remember(hashOf(1))
    memory.ensureCapacity(small)
    expect(memory.has(hashOf(1))).toBe(true)
    memory.ensureCapacity(small + 1)
    expect(memory.capacity).toBe(small * 2)
    expect(memory.has(hashOf(1))).toBe(false)
    memory.remember(hashOf(2))
    memory.clear()
    expect(memory.has(hashOf(2))).toBe(false)
  })
})
