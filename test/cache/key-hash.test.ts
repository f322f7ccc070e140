import { describe, expect, test } from 'bun:test'
import { CacheEngine } from '../../src/cache'
import { hashKey, hashKeyBytes } from '../../src/cache/key-hash'
import { KeyIndex } from '../../src/cache/key-index'

const encoder = new TextEncoder()
const SEEDS = [0, 1, 0x9e3779b1, 0xffffffff]
const KEYS = [
  '',
  'a',
  'abc',
  'abcd',
  'user:1234',
  'exactly-16-chars',
  'a key longer than sixteen characters, with tail',
  'é',
  'ключ:42',
  '键'.repeat(9),
  '😀 emoji',
  'x\uD800y',
]

describe('key hash', () => {
  test('is xxHash32 with the seed, from the string and from its UTF-8 bytes', () => {
    for (const seed of SEEDS) {
      for (const key of KEYS) {
        const bytes = encoder.encode(key)
        expect({ key, seed, hash: hashKey(key, seed) >>> 0 }).toEqual({ key, seed, hash: Bun.hash.xxHash32(key, seed) })
        expect(hashKeyBytes(bytes, 0, bytes.byteLength, seed)).toBe(hashKey(key, seed))
      }
    }
  })

  test('each engine draws its own seed unless one is given', () => {
    const seeds = new Set(Array.from({ length: 4 }, () => new CacheEngine({ maxBytes: 1 << 20, sweepIntervalMs: 0 }).hashSeed))
    expect(seeds.size).toBe(4)
    expect(new CacheEngine({ maxBytes: 1 << 20, sweepIntervalMs: 0, hashSeed: 7 }).hashSeed).toBe(7)
  })
})

describe('hash flooding', () => {
  // What an attacker does against an unseeded hash: keep the keys whose hash (seed 0) has its low 16
  // bits below 64. In any index of up to 65,536 buckets they all start probing in the first 64, so
  // linear probing puts them in one run, and every lookup walks a good part of it.
  const flood: string[] = []
  for (let i = 0; flood.length < 1000; i++) {
    const key = `k${i.toString(36)}`
    if ((hashKey(key, 0) & 0xffff) < 64) flood.push(key)
  }

  /** Mean buckets looked at per lookup of every key, in an index holding all of them hashed with `seed`. */
  function meanProbes(seed: number): number {
    const hashes = flood.map((key) => hashKey(key, seed))
    let probes = 0
    const index = new KeyIndex(
      (slot) => flood[slot],
      (slot) => {
        probes++
        return hashes[slot]!
      },
    )
    for (let slot = 0; slot < flood.length; slot++) index.insert(slot, hashes[slot]!)
    probes = 0
    for (let slot = 0; slot < flood.length; slot++) expect(index.find(flood[slot]!, hashes[slot]!)).toBe(slot)
    return probes / flood.length
  }

  test('keys chosen to collide under seed 0 make long probe runs there, and short ones under the seeds engines draw', () => {
    expect(meanProbes(0)).toBeGreaterThan(200)
    for (let engine = 0; engine < 3; engine++) {
      const seed = new CacheEngine({ maxBytes: 1 << 20, sweepIntervalMs: 0 }).hashSeed
      expect({ seed, short: meanProbes(seed) < 3 }).toEqual({ seed, short: true })
    }
  })
})
