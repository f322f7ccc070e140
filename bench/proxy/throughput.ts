// Throughput and latency for one value size: a fresh origin with both caches in front of it, every key
// warmed into each cache, then uniform and Zipf GETs in rounds that alternate the three targets
// (A B C, B C A, ...), medians per cell. The caches' own counters then say whether the runs were hits.
import { resolve } from 'node:path'
import { median } from '../http/stats'
import { LUA_DIR, wrk, type Load, type WrkResult } from '../http/wrk'
import { startFastcache, startOrigin, type Counters, type Target, type TargetName } from './targets'
import { startVarnish } from './varnish'
import { checkHits, warm } from './warm'

export type Dist = 'uniform' | 'zipf'
export const DISTS: Dist[] = ['uniform', 'zipf']
export const DIST_TITLES: Record<Dist, string> = { uniform: 'GET hit, uniform', zipf: 'GET hit, Zipf 0.99' }

export interface Cell {
  dist: Dist
  size: number
  target: TargetName
  rps: number
  p50Ms: number
  p99Ms: number
  rounds: WrkResult[]
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
const args = (t: Target, keys: number, dist: Dist) => [`pre=${t.pre}`, 'suf=', `keys=${keys}`, `dist=${dist}`, ...(dist === 'zipf' ? ['theta=0.99'] : [])]

/** Rotates the order each round so no target always runs first. */
const rotate = <T>(items: T[], by: number) => items.map((_, i) => items[(i + by) % items.length]!)

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
      for (let round = 0; round < options.rounds; round++) {
        for (const target of rotate(targets, round)) {
          const result = await wrk(target.url, GET_LUA, args(target, keys, dist), load)
          const key = runKey(dist, target.name)
          runs.set(key, [...(runs.get(key) ?? []), result])
          log(
            `  ${size} B ${dist} round ${round + 1}/${options.rounds} ${target.name}: ${Math.round(result.rps)} req/s, ` +
              `p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms` +
              (result.non2xx ? `, ${result.non2xx} non-2xx` : '') +
              (result.socketErrors ? `, ${result.socketErrors} socket errors` : ''),
          )
        }
      }
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
        const problems: string[] = []
        const socket = rounds.reduce((sum, r) => sum + r.socketErrors, 0)
        const status = rounds.reduce((sum, r) => sum + r.non2xx, 0)
        if (socket > 0) problems.push(`${socket} socket errors`)
        if (status > 0) problems.push(`${status} non-2xx answers`)
        const check = checks.find((c) => c.target === target.name)
        if (check && check.misses > MISS_TOLERANCE * check.requests) problems.push(`${check.misses} cache misses during the measured runs`)
        cells.push({
          dist,
          size,
          target: target.name,
          rps: median(rounds.map((r) => r.rps)),
          p50Ms: median(rounds.map((r) => r.p50Ms)),
          p99Ms: median(rounds.map((r) => r.p99Ms)),
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
