/**
 * Seeded synthetic workloads. Zipf ranks go through a random permutation ("scrambled ids"), so
 * popularity has nothing to do with key order or with how a hash table lays keys out.
 */
import { Rng } from './prng'
import { buildTrace, type Trace } from './trace'

/** Draws Zipf(alpha) ranks over n keys by binary search in the cumulative distribution. */
export class ZipfSampler {
  private readonly cdf: Float64Array

  constructor(
    readonly n: number,
    alpha: number,
    private readonly rng: Rng,
  ) {
    this.cdf = new Float64Array(n)
    let sum = 0
    for (let r = 0; r < n; r++) {
      sum += 1 / (r + 1) ** alpha
      this.cdf[r] = sum
    }
    for (let r = 0; r < n; r++) this.cdf[r]! /= sum
  }

  /** A rank in [0, n); rank 0 is the most popular. */
  next(): number {
    const u = this.rng.float()
    let lo = 0
    let hi = this.n - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.cdf[mid]! > u) hi = mid
      else lo = mid + 1
    }
    return lo
  }
}

/** A source of Zipf(alpha) keys: ranks mapped through a seeded permutation of offset..offset+keys-1. */
export function scrambledZipf(keys: number, alpha: number, rng: Rng, offset = 0): () => number {
  const zipf = new ZipfSampler(keys, alpha, rng)
  const ids = rng.permutation(keys)
  return () => offset + ids[zipf.next()]!
}

export function zipfTrace(alpha: number, keys: number, requests: number, seed: number): Trace {
  const next = scrambledZipf(keys, alpha, new Rng(seed))
  return buildTrace(`zipf-${alpha}`, Array.from({ length: requests }, next))
}

/**
 * Zipf 0.99 interrupted by sequential scans over one range of keys outside the Zipf key space
 * (a periodic table scan, say). The scan is longer than the largest cache size tried on it.
 */
export function scanTrace(keys: number, chunk: number, chunks: number, scanLength: number, seed: number): Trace {
  const next = scrambledZipf(keys, 0.99, new Rng(seed))
  const out: number[] = []
  for (let c = 0; c < chunks; c++) {
    for (let i = 0; i < chunk; i++) out.push(next())
    if (c < chunks - 1) for (let s = 0; s < scanLength; s++) out.push(keys + s)
  }
  return buildTrace('zipf+scan', out)
}

/** The same `length` keys requested in order, over and over. */
export function loopTrace(length: number, requests: number): Trace {
  return buildTrace(
    'loop',
    Array.from({ length: requests }, (_, i) => i % length),
  )
}

/** Zipf 0.99 over key space A, then over a disjoint key space B, then A again (same popularity). */
export function phaseTrace(keys: number, perPhase: number, seed: number): Trace {
  const rng = new Rng(seed)
  const a = scrambledZipf(keys, 0.99, rng)
  const b = scrambledZipf(keys, 0.99, rng, keys)
  const out: number[] = []
  for (const next of [a, b, a]) for (let i = 0; i < perPhase; i++) out.push(next())
  return buildTrace('phase-change', out)
}

/**
 * Requests drawn by LRU stack depth (the stack-distance model): depth d (1 = the key used last) is
 * drawn Zipf(alpha) over 1..maxDepth; a depth beyond the keys seen so far is a new key. Under this
 * model recency is everything and LRU is the best online policy; frequency says nothing.
 * Last uses are marks on a Fenwick tree over request times, so the d-th most recent key is found in
 * O(log n).
 */
export class StackDepthSource {
  private readonly tree: Int32Array
  private readonly keyAt: Int32Array
  private readonly lastUse = new Map<number, number>()
  private readonly depth: ZipfSampler
  private time = 0
  private marked = 0
  private topBit = 1

  constructor(
    maxDepth: number,
    alpha: number,
    private readonly requests: number,
    private readonly newKey: () => number,
    rng: Rng,
  ) {
    this.depth = new ZipfSampler(maxDepth, alpha, rng)
    this.tree = new Int32Array(requests + 1)
    this.keyAt = new Int32Array(requests + 1)
    while (this.topBit * 2 <= requests) this.topBit *= 2
  }

  /** The next request. */
  next(): number {
    const d = this.depth.next() + 1
    return this.touch(d <= this.marked ? this.keyAt[this.find(this.marked - d + 1)]! : this.newKey())
  }

  /** Records a use of `key` made by another source, so the stack sees every request of a mixed trace. */
  touch(key: number): number {
    if (this.time >= this.requests) throw new Error('StackDepthSource: more requests than planned')
    const last = this.lastUse.get(key)
    if (last !== undefined) this.add(last, -1)
    else this.marked++
    const now = ++this.time
    this.add(now, 1)
    this.keyAt[now] = key
    this.lastUse.set(key, now)
    return key
  }

  private add(position: number, delta: number): void {
    for (let i = position; i < this.tree.length; i += i & -i) this.tree[i]! += delta
  }

  /** The smallest position whose prefix count is `rank`. */
  private find(rank: number): number {
    let position = 0
    let remaining = rank
    for (let bit = this.topBit; bit > 0; bit >>= 1) {
      const probe = position + bit
      if (probe < this.tree.length && this.tree[probe]! < remaining) {
        position = probe
        remaining -= this.tree[probe]!
      }
    }
    return position + 1
  }
}

/**
 * Abrupt swings between frequency and recency: phases of Zipf(0.9) over a fixed catalogue (where
 * frequency predicts, a small window wins) alternate with phases drawn by LRU stack depth with fresh
 * keys (where only recency predicts, a large window wins). The stack sees the catalogue phases too.
 */
export function flipTrace(catalogue: number, perPhase: number, phases: number, seed: number): Trace {
  const rng = new Rng(seed)
  const zipf = scrambledZipf(catalogue, 0.9, rng)
  let fresh = catalogue
  const stack = new StackDepthSource(catalogue * 4, 0.9, perPhase * phases, () => fresh++, rng)
  const out: number[] = []
  for (let p = 0; p < phases; p++) {
    for (let i = 0; i < perPhase; i++) out.push(p % 2 === 0 ? stack.touch(zipf()) : stack.next())
  }
  return buildTrace('flip', out)
}

/**
 * Zipf(0.9) whose popularity order is drawn anew every `perPhase` requests: what was hot goes cold at
 * once, and frequency counts mislead until they fade.
 */
export function reshuffleTrace(keys: number, perPhase: number, phases: number, seed: number): Trace {
  const rng = new Rng(seed)
  const zipf = new ZipfSampler(keys, 0.9, rng)
  const out: number[] = []
  for (let p = 0; p < phases; p++) {
    const ids = rng.permutation(keys)
    for (let i = 0; i < perPhase; i++) out.push(ids[zipf.next()]!)
  }
  return buildTrace('zipf-reshuffle', out)
}
