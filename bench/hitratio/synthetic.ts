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
