// Measurements in rounds that take turns: each round measures every target once, back to back, in a
// rotating order (A B C, B C A, ...), so no target always runs first (warmest machine, coolest caches) and a
// slow spell of a shared machine lands on all the targets of a round. Used by bench:http, bench:proxy and
// bench:cluster; what a target is and how it is measured is theirs.
import { median } from './stats'
import type { Load } from './wrk'

/** The figures of one measured run that a round's log line and a cell's medians show. */
export interface RoundFigures {
  rps: number
  p50Ms: number
  p99Ms: number
}

/** A target's cell of a table: its runs in round order, and their medians (see `medians`). */
export interface RoundsCell<R extends RoundFigures> extends RoundFigures {
  rounds: R[]
}

/** How the tables of bench:http and bench:proxy are measured, as their reports record it. */
export interface RoundsSettings {
  load: Load
  /** Rounds per cell. */
  rounds: number
  /** Keys preloaded into (or warmed into) each target. */
  keys: number
  /** Value (or body) sizes in bytes, a table each. */
  sizes: number[]
}

export interface RoundsOptions<R> {
  /** Rounds to run. */
  count: number
  /** What the log line of each run starts with, such as `100 B get-zipf`. */
  label: string
  log(message: string): void
  /** The run's errors for its log line, each as `, N what` ('' for none). */
  errors(result: R): string
}

const rotate = <T>(items: T[], by: number) => items.map((_, i) => items[(i + by) % items.length]!)

/** Runs `measure` on every target once per round, logging each run; returns each target's results in round order. */
export async function rotatingRounds<T extends { name: string }, R extends RoundFigures>(
  targets: T[],
  measure: (target: T) => Promise<R>,
  options: RoundsOptions<R>,
): Promise<Map<T, R[]>> {
  const runs = new Map<T, R[]>(targets.map((t) => [t, []]))
  for (let round = 0; round < options.count; round++) {
    for (const target of rotate(targets, round)) {
      const result = await measure(target)
      runs.get(target)!.push(result)
      options.log(
        `  ${options.label} round ${round + 1}/${options.count} ${target.name}: ${Math.round(result.rps)} req/s, ` +
          `p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms${options.errors(result)}`,
      )
    }
  }
  return runs
}

/** A cell's figures: the median of each over its rounds, each on its own. */
export function medians(rounds: RoundFigures[]): RoundFigures {
  return {
    rps: median(rounds.map((r) => r.rps)),
    p50Ms: median(rounds.map((r) => r.p50Ms)),
    p99Ms: median(rounds.map((r) => r.p99Ms)),
  }
}
