// Throughput and latency for one value size: a fresh origin with both caches in front of it, every key
// warmed into each cache, then uniform and Zipf GETs in rounds that alternate the three targets
// (A B C, B C A, ...), medians per cell. The caches' own counters then say whether the runs were hits.
import { resolve } from 'node:path'
import { medians, rotatingRounds, type RoundsCell } from '../http/rounds'
import { LUA_DIR, wrk, wrkErrors, wrkProblems, type Load, type WrkResult } from '../http/wrk'
import { startFastcache, startOrigin, type Counters, type Target, type TargetName } from './targets'
import { startVarnish } from './varnish'
import { checkHits, warm } from './warm'

export type Dist = 'uniform' | 'zipf'
export const DISTS: Dist[] = ['uniform', 'zipf']
export const DIST_TITLES: Record<Dist, string> = { uniform: 'GET hit, uniform', zipf: 'GET hit, Zipf 0.99' }

export interface Cell extends RoundsCell<WrkResult> {
  dist: Dist
  size: number
  target: TargetName
  /** Set when a round had socket errors or non-2xx answers, or the cache missed: the figures are not trusted. */
  problem?: string
}

/** What a cache counted over all measured runs of one size, against what wrk completed there. */
export interface HitCheck {
  size: number
  target: TargetName
  hits: number
  misses: number
  requests: number
}

export interface ThroughputOptions {
  keys: number
  size: number
  rounds: number
  load: Load
  log(message: string): void
}

const GET_LUA = resolve(LUA_DIR, 'get.lua')
const args = (t: Target, keys: number, dist: Dist) => [
  `pre=${t.pre}`,
  'suf=',
  `keys=${keys}`,
  `dist=${dist}`,
  ...(dist === 'zipf' ? ['theta=0.99'] : []),
]

/** More misses than this share of a cache's measured requests makes its cells untrusted (a few could be races at start). */
const MISS_TOLERANCE = 0.001

export async function measureSize(options: ThroughputOptions): Promise<{ cells: Cell[]; checks: HitCheck[] }> {
  const { keys, size, load, log } = options
  const targets: Target[] = []
  try {
    // Started one after another so their start-up does not overlap; each stays up for the whole size.
    const origin = await startOrigin(size)
    targets.push(origin)
    targets.unshift(await startVarnish(origin.port))
    targets.unshift(await startFastcache(origin.url))
    const caches = targets.filter((t) => t.name !== 'origin')
    for (const cache of caches) {
      const t0 = performance.now()
      await warm(cache, keys, size)
      await checkHits(cache, keys, size)
      log(`  warmed ${keys} keys of ${size} B into ${cache.name} in ${((performance.now() - t0) / 1000).toFixed(1)} s; hits checked`)
    }
    // Untimed warm-up of the read paths, so the first measured round is not the JIT's first look.
    const warmLoad: Load = { ...load, durationS: Math.min(1, load.durationS) }
    for (const target of targets) await wrk(target.url, GET_LUA, args(target, keys, 'uniform'), warmLoad)

    const before = new Map<TargetName, Counters | undefined>()
    for (const cache of caches) before.set(cache.name, await cache.counters())
    const runs = new Map<string, WrkResult[]>()
    const runKey = (dist: Dist, name: TargetName) => `${dist} ${name}`
    for (const dist of DISTS) {
      const byTarget = await rotatingRounds(targets, (target) => wrk(target.url, GET_LUA, args(target, keys, dist), load), {
        count: options.rounds,
        label: `${size} B ${dist}`,
        log,
        errors: wrkErrors,
      })
      for (const [target, results] of byTarget) runs.set(runKey(dist, target.name), results)
    }

    const checks: HitCheck[] = []
    for (const cache of caches) {
      const a = before.get(cache.name)
      const b = await cache.counters()
      if (!a || !b) continue
      const requests = DISTS.flatMap((d) => runs.get(runKey(d, cache.name)) ?? []).reduce((sum, r) => sum + r.requests, 0)
      checks.push({ size, target: cache.name, hits: b.hits - a.hits, misses: b.misses - a.misses, requests })
    }

    const cells: Cell[] = []
    for (const dist of DISTS) {
      for (const target of targets) {
        const rounds = runs.get(runKey(dist, target.name)) ?? []
        const problems = wrkProblems(rounds)
        const check = checks.find((c) => c.target === target.name)
        if (check && check.misses > MISS_TOLERANCE * check.requests) problems.push(`${check.misses} cache misses during the measured runs`)
        cells.push({
          dist,
          size,
          target: target.name,
          ...medians(rounds),
          rounds,
          problem: problems.length > 0 ? problems.join(', ') : undefined,
        })
      }
    }
    return { cells, checks }
  } finally {
    await Promise.all(targets.map((t) => t.stop()))
  }
}
