// The opening lines of the benchmark reports (RESULTS-http, -proxy, -soak, -cluster.md): the title, what
// ran and from which commit, the machine, whether other work shared it and (for the round-based tables of
// bench:http and bench:proxy) how far the rounds disagree, so a reader can judge the figures below first.
import type { RunInfo } from './run-info'
import { median } from './stats'

/**
 * The title, the command line, the machine (`tools`: the benchmark's own tools' versions, before wrk's) and
 * the load before and after; `figures` names what a shared machine makes doubtful.
 */
export function runHeader(title: string, info: RunInfo, tools: string[], figures = 'figures'): string[] {
  const loads = (values: number[]) => values.map((n) => n.toFixed(2)).join(', ')
  return [
    `# ${title}`,
    '',
    `Command: \`${info.command}\` (${info.date}, ${Math.round(info.seconds)} s in all), fastcache built from ${info.commit}.`,
    '',
    `Machine: ${info.cores} cores (${info.cpuModel}), ${info.memoryGiB} GiB; Bun ${info.bun}; ${[...tools, info.wrk].join('; ')}.`,
    `Load average (1, 5, 15 min) before the run: ${loads(info.loadBefore)}; after: ${loads(info.loadAfter)}. ` +
      `CPU busy with other work over 2 s just before: ${info.busyBefore.toFixed(0)}%, just after: ${info.busyAfter.toFixed(0)}%` +
      (Math.max(info.busyBefore, info.busyAfter) > 10 ? ` (**the machine was shared: treat the ${figures} with care**).` : '.'),
  ]
}

/**
 * How far the rounds of a cell are apart, (max − min) / median req/s, as a median and a worst over all
 * cells, in words; undefined with a single round (or no cells), where there is nothing to compare.
 */
export function noiseLine(cells: { rounds: { rps: number }[] }[], rounds: number): string | undefined {
  if (rounds <= 1 || cells.length === 0) return undefined
  const spreads = cells.map((c) => {
    const rps = c.rounds.map((r) => r.rps)
    return (Math.max(...rps) - Math.min(...rps)) / median(rps)
  })
  const typical = median(spreads)
  const worst = Math.max(...spreads)
  return (
    `Noise: the rounds of a cell differ by ${(100 * typical).toFixed(0)}% of its median req/s (median over cells; worst ${(100 * worst).toFixed(0)}%, see “Every round”), ` +
    'so a verdict within that distance of its bound can flip from one run to the next.'
  )
}
