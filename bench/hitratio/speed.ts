/**
 * In-process speed: fastcache's engine against the `lru-cache` package, same capacity, same
 * requests (Zipf 0.99 over scrambled keys), driven like a cache-aside client: get, and set on a miss.
 * Contestants alternate round by round (A B A B ...) so drift in machine load hits both alike;
 * each round uses a fresh cache; the first round of each is a warm-up and is not counted.
 */
import { LRUCache } from 'lru-cache'
import { CacheEngine } from '../../src/cache'
import { Rng } from './prng'
import { scrambledZipf } from './synthetic'
import { KEY_BYTES, keyString } from './trace'

export interface SpeedOptions {
  keys: number
  /** Cache capacity in entries (every entry weighs KEY_BYTES: fixed-width key, empty value). */
  entries: number
  requests: number
  rounds: number
  seed: number
}

export const DEFAULT_SPEED: SpeedOptions = { keys: 1_000_000, entries: 100_000, requests: 2_000_000, rounds: 7, seed: 2024 }

export interface ContestantResult {
  name: string
  /** get + set calls per second, one value per counted round. */
  opsPerSecond: number[]
  medianOpsPerSecond: number
  medianNsPerRequest: number
  hitRatio: number
}

export interface SpeedResult {
  options: SpeedOptions
  contestants: ContestantResult[]
}

interface Round {
  ops: number
  hits: number
  ms: number
}

const CONTENT_TYPE = 'application/octet-stream'
const shared = new Uint8Array(1)

// One loop per contestant, written out, so neither pays for an adapter call the other does not.
function roundEngine(requests: string[], entries: number): Round {
  const engine = new CacheEngine({ maxBytes: entries * KEY_BYTES, entryOverheadBytes: 0, sweepIntervalMs: 0 })
  let ops = 0
  let hits = 0
  const start = performance.now()
  for (let i = 0; i < requests.length; i++) {
    const key = requests[i]!
    ops++
    if (engine.get(key) !== undefined) hits++
    else {
      engine.set(key, shared.subarray(0, 0), CONTENT_TYPE)
      ops++
    }
  }
  const ms = performance.now() - start
  engine.close()
  return { ops, hits, ms }
}

function roundLruCache(requests: string[], cache: LRUCache<string, Uint8Array>): Round {
  let ops = 0
  let hits = 0
  const start = performance.now()
  for (let i = 0; i < requests.length; i++) {
    const key = requests[i]!
    ops++
    if (cache.get(key) !== undefined) hits++
    else {
      cache.set(key, shared.subarray(0, 0))
      ops++
    }
  }
  return { ops, hits, ms: performance.now() - start }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export function runSpeed(options: SpeedOptions = DEFAULT_SPEED, progress: (message: string) => void = () => {}): SpeedResult {
  const next = scrambledZipf(options.keys, 0.99, new Rng(options.seed))
  const names = Array.from({ length: options.keys }, (_, id) => keyString(id))
  const requests = Array.from({ length: options.requests }, () => names[next()]!)
  const { entries } = options
  const contestants: { name: string; round: () => Round }[] = [
    { name: 'fastcache engine', round: () => roundEngine(requests, entries) },
    {
      // The same byte accounting as the engine: key + value bytes against a byte budget.
      name: 'lru-cache (maxSize + sizeCalculation)',
      round: () =>
        roundLruCache(
          requests,
          new LRUCache({ maxSize: entries * KEY_BYTES, sizeCalculation: (value, key) => key.length + value.byteLength }),
        ),
    },
    // lru-cache's fastest mode: a plain entry count, preallocated.
    { name: 'lru-cache (max)', round: () => roundLruCache(requests, new LRUCache({ max: entries })) },
  ]
  const rounds = contestants.map(() => [] as Round[])
  for (let r = 0; r <= options.rounds; r++) {
    contestants.forEach((contestant, i) => {
      progress(`speed: ${contestant.name}, round ${r}/${options.rounds}${r === 0 ? ' (warm-up)' : ''}`)
      Bun.gc(true)
      const result = contestant.round()
      if (r > 0) rounds[i]!.push(result)
    })
  }
  return {
    options,
    contestants: contestants.map(({ name }, i) => {
      const counted = rounds[i]!
      return {
        name,
        opsPerSecond: counted.map((round) => (round.ops * 1000) / round.ms),
        medianOpsPerSecond: median(counted.map((round) => (round.ops * 1000) / round.ms)),
        medianNsPerRequest: median(counted.map((round) => (round.ms * 1e6) / options.requests)),
        hitRatio: (100 * counted[0]!.hits) / options.requests,
      }
    }),
  }
}
