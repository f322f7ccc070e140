// Throughput and latency for one value size: fresh targets, the same preloaded key set in each,
// then every scenario in rounds that alternate the targets (A B C, B C A, ...), medians per cell.
import { medians, rotatingRounds, type RoundsCell } from './rounds'
import { SCENARIOS, type ScenarioId } from './scenarios'
import { startFastcache, startLimit, startWebdis, type Target, type TargetName } from './servers'
import { wrk, wrkErrors, wrkProblems, type Load, type WrkResult } from './wrk'

export interface Cell extends RoundsCell<WrkResult> {
  scenario: ScenarioId
  size: number
  target: TargetName
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
      const runs = await rotatingRounds(targets, (target) => wrk(target.url, scenario.script, scenario.args(target, keys, size), load), {
        count: options.rounds,
        label: `${size} B ${scenario.id}`,
        log,
        errors: wrkErrors,
      })
      for (const target of targets) {
        const rounds = runs.get(target)!
        const problems = wrkProblems(rounds, scenario.expectErrors)
        cells.push({
          scenario: scenario.id,
          size,
          target: target.name,
          ...medians(rounds),
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
