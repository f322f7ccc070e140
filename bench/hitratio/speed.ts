/**
 * In-process speed: fastcache's engine against the `lru-cache` package, same capacity, same
 * requests (Zipf 0.99 over scrambled keys), driven like a cache-aside client: get, and set on a miss.
 * Contestants alternate round by round (A B A B ...) so drift in machine load hits both alike;
 * each round uses a fresh cache; the first round of each is a warm-up and is not counted.
 * Given an earlier policy version, the engine also runs with that policy, and the window advisors of
 * both versions are timed alone on the same requests (the advisor's cost per request).
 */
import { LRUCache } from 'lru-cache'
import { CacheEngine, type EvictionPolicyFactory } from '../../src/cache'
import type { PolicyVersion } from './baseline'
import { cpuMs } from './cpu-time'
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

/** One advisor timed alone at one cache size: `record` per request, as the policy calls it. */
export interface AdvisorTiming {
  entries: number
  requests: number
  /** Median ns per request of the current advisor and of the baseline's, and their ratio. */
  currentNs: number
  baselineNs: number
  ratio: number
  /** Per counted round, current / baseline. */
  roundRatios: number[]
}

export interface SpeedResult {
  options: SpeedOptions
  contestants: ContestantResult[]
  /** Present when a baseline version was given. */
  advisors?: { current: string; baseline: string; timings: AdvisorTiming[] }
}

interface Round {
  ops: number
  hits: number
  ms: number
}

const CONTENT_TYPE = 'application/octet-stream'

const shared = new Uint8Array(1)

// One loop per contestant, written out, so neither pays for an adapter call the other does not.
function roundEngine(requests: string[], entries: number, policy?: EvictionPolicyFactory): Round {
  const engine = new CacheEngine({
    maxBytes: entries * KEY_BYTES,
    entryOverheadBytes: 0,
    sweepIntervalMs: 0,
    ...(policy ? { policy } : {}),
  })
  let ops = 0
  let hits = 0
  const start = cpuMs()
  for (let i = 0; i < requests.length; i++) {
    const key = requests[i]!
    ops++
    if (engine.get(key) !== undefined) hits++
    else {
      engine.set(key, shared.subarray(0, 0), CONTENT_TYPE)
      ops++
    }
  }
  const ms = cpuMs() - start
  engine.close()
  return { ops, hits, ms }
}

function roundLruCache(requests: string[], cache: LRUCache<string, Uint8Array>): Round {
  let ops = 0
  let hits = 0
  const start = cpuMs()
  for (let i = 0; i < requests.length; i++) {
    const key = requests[i]!
    ops++
    if (cache.get(key) !== undefined) hits++
    else {
      cache.set(key, shared.subarray(0, 0))
      ops++
    }
  }
  return { ops, hits, ms: cpuMs() - start }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/**
 * Cache sizes the advisors are timed at, with how many of the requests each round replays and how many
 * times: a large cache samples few requests, so its rounds replay the requests 5 times to last long
 * enough to time (a round of a few ms is mostly scheduler noise on a shared machine).
 */
const ADVISOR_SIZES = (options: SpeedOptions): { entries: number; count: number; passes: number }[] => [
  { entries: options.entries, count: options.requests, passes: 5 },
  { entries: 1_000, count: Math.min(options.requests, 300_000), passes: 1 },
  { entries: 100, count: Math.min(options.requests, 300_000), passes: 1 },
]
/** The advisors are cheap to time: twice as many counted rounds as the engines get. */
const ADVISOR_ROUND_FACTOR = 2

function timeAdvisors(
  versions: { current: PolicyVersion; baseline: PolicyVersion },
  requests: string[],
  options: SpeedOptions,
  progress: (message: string) => void,
): AdvisorTiming[] {
  // The engine hashes keys with xxHash32; the advisors see those hashes.
  const hashes = Int32Array.from(requests, (key) => Bun.hash.xxHash32(key) | 0)
  const rounds = options.rounds * ADVISOR_ROUND_FACTOR
  return ADVISOR_SIZES(options).map(({ entries, count, passes }) => {
    const times: [number[], number[]] = [[], []]
    for (let r = 0; r <= rounds; r++) {
      ;[versions.current, versions.baseline].forEach((version, i) => {
        progress(`speed: advisor of ${version.label} at ${entries} entries, round ${r}/${rounds}${r === 0 ? ' (warm-up)' : ''}`)
        Bun.gc(true)
        const ms = version.timeAdvisor(hashes, count, passes, entries, KEY_BYTES)
        if (r > 0) times[i]!.push((ms * 1e6) / (count * passes))
      })
    }
    const [current, baseline] = times
    return {
      entries,
      requests: count * passes,
      currentNs: median(current),
      baselineNs: median(baseline),
      ratio: median(current) / median(baseline),
      roundRatios: current.map((ns, i) => ns / baseline[i]!),
    }
  })
}

export function runSpeed(
  options: SpeedOptions = DEFAULT_SPEED,
  progress: (message: string) => void = () => {},
  versions?: { current: PolicyVersion; baseline: PolicyVersion },
): SpeedResult {
  const next = scrambledZipf(options.keys, 0.99, new Rng(options.seed))
  const names = Array.from({ length: options.keys }, (_, id) => keyString(id))
  const requests = Array.from({ length: options.requests }, () => names[next()]!)
  const { entries } = options
  const contestants: { name: string; round: () => Round }[] = [
    { name: 'fastcache engine', round: () => roundEngine(requests, entries) },
    ...(versions
      ? [
          {
            name: `fastcache engine, policy of ${versions.baseline.label}`,
            round: () => roundEngine(requests, entries, versions.baseline.policy),
          },
        ]
      : []),
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
  const advisors = versions && {
    current: versions.current.label,
    baseline: versions.baseline.label,
    timings: timeAdvisors(versions, requests, options, progress),
  }
  return {
    options,
    ...(advisors ? { advisors } : {}),
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
