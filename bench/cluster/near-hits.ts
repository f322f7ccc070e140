// Near-cache hits: instance B (on Redis, every key read once so it is in B's near cache) against the
// standalone instance S, in alternating rounds. B's own counters then say whether its reads were near hits.
import type { Load } from '../http/wrk'
import { tierDelta, tierStats, type Instance, type TierStats } from './instances'
import { readAll } from './read-all'
import { roundRatio } from './stats'
import { rounds, wrkGetSide, type Cell } from './throughput'

export interface NearHitResult {
  b: Cell
  s: Cell
  /** Median of the per-round B ÷ S req/s ratios. */
  ratio: number
  /** B's tier counters over the measured rounds, and the requests wrk completed on B. */
  counters: TierStats
  requests: number
  /** Seconds from the end of B's warming to the end of the last round (must stay below the near-cache TTL). */
  secondsAfterWarm: number
  /** Why the B figures are not near hits, when they are not. */
  problem?: string
}

export interface PhaseOptions {
  keys: number
  size: number
  rounds: number
  load: Load
  log(message: string): void
}

/** Above this share of B's requests going to Redis (or missing), the run did not measure near hits. */
const TOLERANCE = 0.001

export async function measureNearHits(b: Instance, s: Instance, nearTtlS: number, options: PhaseOptions): Promise<NearHitResult> {
  const { keys, size, load, log } = options
  const t0 = performance.now()
  await readAll(b.url, keys, size)
  const warmedAt = performance.now()
  log(`  read all ${keys} keys through B in ${((warmedAt - t0) / 1000).toFixed(1)} s (B's near cache is now full)`)
  // Untimed warm-up of both read paths, so the first measured round is not the JIT's first look.
  const warmLoad = { ...load, durationS: 1 }
  await wrkGetSide('B', b.url, keys, warmLoad).measure()
  await wrkGetSide('S', s.url, keys, warmLoad).measure()

  const before = await tierStats(b)
  const [bCell, sCell] = await rounds(
    [wrkGetSide('B', b.url, keys, load), wrkGetSide('S', s.url, keys, load)],
    options.rounds,
    log,
    'near hits',
  )
  const counters = tierDelta(before, await tierStats(b))
  const secondsAfterWarm = (performance.now() - warmedAt) / 1000
  const requests = bCell!.rounds.reduce((sum, m) => sum + m.requests, 0)

  const problems: string[] = []
  if (counters.redisHits + counters.misses > TOLERANCE * requests)
    problems.push(`${counters.redisHits} Redis hits and ${counters.misses} misses on B during the rounds`)
  // wrk counts only completed requests; B counts also those still in flight when wrk stopped.
  if (counters.nearHits < requests) problems.push(`B counted ${counters.nearHits} near hits for ${requests} completed requests`)
  if (secondsAfterWarm >= nearTtlS)
    problems.push(`the rounds ended ${secondsAfterWarm.toFixed(0)} s after warming, past the ${nearTtlS} s near-cache TTL`)
  for (const cell of [bCell!, sCell!]) if (cell.errors > 0) problems.push(`${cell.errors} errors on ${cell.name}`)
  return {
    b: bCell!,
    s: sCell!,
    ratio: roundRatio(
      bCell!.rounds.map((m) => m.rps),
      sCell!.rounds.map((m) => m.rps),
    ),
    counters,
    requests,
    secondsAfterWarm,
    problem: problems.length > 0 ? problems.join('; ') : undefined,
  }
}
