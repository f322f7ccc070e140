// Throughput and latency for one value size: fresh targets, the same preloaded key set in each,
// then every scenario in rounds that alternate the targets (A B C, B C A, ...), medians per cell.
import { SCENARIOS, type ScenarioId } from './scenarios'
import { startFastcache, startLimit, startWebdis, type Target, type TargetName } from './servers'
import { median } from './stats'
import { wrk, type Load, type WrkResult } from './wrk'

export interface Cell {
  scenario: ScenarioId
  size: number
  target: TargetName
  rps: number
  p50Ms: number
  p99Ms: number
  rounds: WrkResult[]
  /** Set when a round had socket errors or unexpected non-2xx answers: the figures are not trusted. */
  problem?: string
}

export interface ThroughputOptions {
  keys: number
  size: number
  rounds: number
  load: Load
  /** Run the scenarios that only need one size (the miss path). */
  firstSize: boolean
  log(message: string): void
}

/** Rotates the order each round so no target always runs first (warmest machine, coolest caches). */
const rotate = <T>(items: T[], by: number) => items.map((_, i) => items[(i + by) % items.length]!)

export async function measureSize(options: ThroughputOptions): Promise<Cell[]> {
  const { keys, size, load, log } = options
  const targets: Target[] = []
  try {
    // Started one after another so their start-up does not overlap; each stays up for the whole size.
    for (const starter of [startFastcache, startLimit, startWebdis]) targets.push(await starter())
    for (const target of targets) {
      const t0 = performance.now()
      await target.load(keys, size)
      log(`  preloaded ${keys} keys of ${size} B into ${target.name} in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    }
    // Untimed warm-up of the read paths, so the first measured round is not the JIT's first look.
    const warm: Load = { ...load, durationS: Math.min(1, load.durationS) }
    for (const target of targets) {
      for (const scenario of SCENARIOS.filter((s) => s.id === 'get-uniform' || s.id === 'batch')) {
        await wrk(target.url, scenario.script, scenario.args(target, keys, size), warm)
      }
    }

    const cells: Cell[] = []
    for (const scenario of SCENARIOS) {
      if (scenario.firstSizeOnly && !options.firstSize) continue
      const runs = new Map<TargetName, WrkResult[]>(targets.map((t) => [t.name, []]))
      for (let round = 0; round < options.rounds; round++) {
        for (const target of rotate(targets, round)) {
          const result = await wrk(target.url, scenario.script, scenario.args(target, keys, size), load)
          runs.get(target.name)!.push(result)
          log(
            `  ${size} B ${scenario.id} round ${round + 1}/${options.rounds} ${target.name}: ${Math.round(result.rps)} req/s, ` +
              `p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms` +
              (result.non2xx ? `, ${result.non2xx} non-2xx` : '') +
              (result.socketErrors ? `, ${result.socketErrors} socket errors` : ''),
          )
        }
      }
      for (const target of targets) {
        const rounds = runs.get(target.name)!
        const problems: string[] = []
        const socket = rounds.reduce((sum, r) => sum + r.socketErrors, 0)
        const status = rounds.reduce((sum, r) => sum + r.non2xx, 0)
        if (socket > 0) problems.push(`${socket} socket errors`)
        if (!scenario.expectErrors && status > 0) problems.push(`${status} non-2xx answers`)
        // wrk counts an answer >= 400 as a status error: every miss should be one (a 404).
        if (scenario.expectErrors && status < 0.99 * rounds.reduce((sum, r) => sum + r.requests, 0)) problems.push('misses answered 2xx')
        cells.push({
          scenario: scenario.id,
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
    return cells
  } finally {
    await Promise.all(targets.map((t) => t.stop()))
  }
}
