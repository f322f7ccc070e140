import { describe, expect, test } from 'bun:test'
import { CONFIGS, START, WindowAdvisor } from '../../../src/cache/policies/window-advisor'

const WEIGHT = 10
const hashOf = (id: number) => Bun.hash.xxHash32(`key-${id}`) | 0

/** xorshift32, seeded: the same requests on every run. */
function rng(seed: number): () => number {
  let x = seed
  return () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) / 2 ** 32
  }
}

/** Recency only: each request is for a key first used a few hundred requests ago (LRU is best). */
function* recency(from: number, requests: number, meanAge: number, seed: number): Generator<number> {
  const random = rng(seed)
  for (let t = from; t < from + requests; t++) yield Math.max(0, t - Math.floor(-Math.log(1 - random()) * meanAge))
}

/** The same keys in order, over and over (LRU gets nothing, a frozen LFU-like cache does best). */
function* loop(length: number, requests: number, offset: number): Generator<number> {
  for (let t = 0; t < requests; t++) yield offset + (t % length)
}

function* uniform(keys: number, requests: number, seed: number): Generator<number> {
  const random = rng(seed)
  for (let t = 0; t < requests; t++) yield Math.floor(random() * keys)
}

/** One request as the policy reports it, from a full cache of `entries` entries; the advice, or -1. */
function request(advisor: WindowAdvisor, id: number, entries: number): number {
  const hash = hashOf(id)
  return advisor.sampled(hash) ? advisor.record(hash, WEIGHT, entries, entries * WEIGHT) : -1
}

/** Feeds key ids to an advisor for a cache of `entries` entries; returns every move, with when it came. */
function drive(advisor: WindowAdvisor, entries: number, ids: Iterable<number>, from = 0): { at: number; config: number }[] {
  const moves: { at: number; config: number }[] = []
  let t = from
  for (const id of ids) {
    const config = request(advisor, id, entries)
    if (config >= 0) moves.push({ at: t, config })
    t++
  }
  return moves
}

const isRecencyConfig = (config: number) => CONFIGS[config]!.share >= 0.4 || CONFIGS[config]!.lenient
const isFrequencyConfig = (config: number) => CONFIGS[config]!.share <= 0.01

describe('WindowAdvisor', () => {
  test('starts where the policy starts: a 1% window with strict admission', () => {
    const advisor = new WindowAdvisor(500 * WEIGHT)
    expect(advisor.shareOf(START)).toBe(0.01)
    expect(advisor.isLenient(START)).toBe(false)
  })

  test('on a recency-only workload it moves to a large or lenient window, and stays there', () => {
    const advisor = new WindowAdvisor(500 * WEIGHT)
    const moves = drive(advisor, 500, recency(0, 100_000, 250, 7))
    expect(moves.length).toBeGreaterThan(0)
    expect(moves[0]!.at).toBeLessThan(20_000)
    expect(moves.every((move) => isRecencyConfig(move.config))).toBe(true)
  })

  test('after a phase change to a loop slightly larger than the cache, it moves back to a small window', () => {
    const advisor = new WindowAdvisor(500 * WEIGHT)
    const before = drive(advisor, 500, recency(0, 50_000, 250, 7))
    expect(isRecencyConfig(before.at(-1)!.config)).toBe(true)
    const after = drive(advisor, 500, loop(600, 60_000, 1_000_000), 50_000)
    expect(after.length).toBeGreaterThan(0)
    expect(after[0]!.at - 50_000).toBeLessThan(20_000)
    expect(isFrequencyConfig(after.at(-1)!.config)).toBe(true)
  })

  test('does not move when no configuration is better than another: keys never requested twice in reach', () => {
    const advisor = new WindowAdvisor(500 * WEIGHT)
    expect(drive(advisor, 500, uniform(100_000_000, 200_000, 3))).toEqual([])
  })

  test('requests while the cache is empty (it cannot tell its capacity) are skipped, not a reason to start over', () => {
    const advisor = new WindowAdvisor(500 * WEIGHT)
    let moved = false
    let t = 0
    for (const id of recency(0, 100_000, 250, 7)) {
      if (request(advisor, id, 500) >= 0) moved = true
      // As a cache emptied now and then (a flush) reports it.
      if (t++ % 100 === 0) advisor.record(hashOf(-1), WEIGHT, 0, 0)
    }
    expect(moved).toBe(true)
  })

  test('a large cache, simulated on a sample of its keys, still moves within a few cache-fulls of requests', () => {
    // 100,000 entries: the miniatures see 1/128 of the keys, in caches 1/128 the size.
    const entries = 100_000
    const advisor = new WindowAdvisor(entries * WEIGHT)
    const moves = drive(advisor, entries, recency(0, 1_500_000, entries / 2, 11))
    expect(moves.length).toBeGreaterThan(0)
    expect(moves[0]!.at).toBeLessThan(10 * entries)
    expect(moves.every((move) => isRecencyConfig(move.config))).toBe(true)
  })

  test('a cache smaller than a miniature is simulated whole, and adapts too', () => {
    const advisor = new WindowAdvisor(50 * WEIGHT)
    const moves = drive(advisor, 50, recency(0, 50_000, 25, 5))
    expect(moves.length).toBeGreaterThan(0)
    expect(moves.every((move) => isRecencyConfig(move.config))).toBe(true)
    const back = drive(advisor, 50, loop(60, 50_000, 1_000_000), 50_000)
    expect(isFrequencyConfig(back.at(-1)!.config)).toBe(true)
  })
})
