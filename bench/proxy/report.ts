// Renders bench/RESULTS-proxy.md: the target and whether it holds, a table per value size, whether the
// caches' runs were hits by their own counters, and every round.
import { f0, f2, ratio } from '../http/format'
import { noiseLine, runHeader } from '../http/run-header'
import type { RoundsSettings } from '../http/rounds'
import type { RunInfo as CommonRunInfo } from '../http/run-info'
import { median } from '../http/stats'
import type { TargetName } from './targets'
import { DISTS, DIST_TITLES, type Cell, type Dist, type HitCheck } from './throughput'

export interface RunInfo extends CommonRunInfo, RoundsSettings {
  varnish: string
}

export interface Report {
  info: RunInfo
  cells: Cell[]
  checks: HitCheck[]
}

const NAMES: Record<TargetName, string> = { fastcache: 'fastcache', varnish: 'Varnish', origin: 'origin direct' }

/**
 * fastcache's figure over another target's, as the median of the per-round ratios: each round runs
 * the targets back to back, so a slow spell of a shared machine hits both sides of a ratio.
 */
function roundRatio(fc: Cell, other: Cell, figure: 'rps' | 'p50Ms'): number {
  const n = Math.min(fc.rounds.length, other.rounds.length)
  return median(Array.from({ length: n }, (_, i) => fc.rounds[i]![figure] / other.rounds[i]![figure]))
}
const rpsRatio = (fc: Cell, other: Cell) => roundRatio(fc, other, 'rps')

const find = (cells: Cell[], dist: Dist, size: number, target: TargetName) =>
  cells.find((c) => c.dist === dist && c.size === size && c.target === target)

/** The targets: fastcache's throughput at least Varnish's, and its median latency at most 1.2 times Varnish's. */
const TARGETS = [
  { title: 'fastcache ≥ Varnish throughput on cached GETs (req/s)', figure: 'rps', bound: 1, higherIsBetter: true },
  { title: 'fastcache p50 ≤ 1.2 × Varnish p50 on cached GETs', figure: 'p50Ms', bound: 1.2, higherIsBetter: false },
] as const

/** The worst fastcache ÷ Varnish ratio of a figure over the trusted cells, with where it was. */
function worstAgainstVarnish(report: Report, target: (typeof TARGETS)[number]): { label: string; value: number } | undefined {
  let worst: { label: string; value: number } | undefined
  for (const size of report.info.sizes) {
    for (const dist of DISTS) {
      const fc = find(report.cells, dist, size, 'fastcache')
      const vn = find(report.cells, dist, size, 'varnish')
      if (!fc || !vn || fc.problem || vn.problem) continue
      const value = roundRatio(fc, vn, target.figure)
      const worse = worst === undefined || (target.higherIsBetter ? value < worst.value : value > worst.value)
      if (worse) worst = { label: `${DIST_TITLES[dist]}, ${size} B`, value }
    }
  }
  return worst
}

function targetLines(report: Report): { title: string; measured: string; holds: boolean | undefined }[] {
  return TARGETS.map((target) => {
    const worst = worstAgainstVarnish(report, target)
    if (worst === undefined) return { title: target.title, measured: 'n/a', holds: undefined }
    const holds = target.higherIsBetter ? worst.value >= target.bound : worst.value <= target.bound
    return { title: target.title, measured: `worst ${ratio(worst.value)} (${worst.label})`, holds }
  })
}

/** One table per value size: req/s of each target, fastcache's ratios, and latencies. */
export function throughputTable(cells: Cell[], size: number): string {
  const lines = [
    '| scenario | fastcache req/s | Varnish req/s | origin req/s | fastcache ÷ Varnish | fastcache ÷ origin | p50 ms (fc / Varnish / origin) | p50 fastcache ÷ Varnish | p99 ms (fc / Varnish / origin) |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|',
  ]
  const notes: string[] = []
  for (const dist of DISTS) {
    const fc = find(cells, dist, size, 'fastcache')
    const vn = find(cells, dist, size, 'varnish')
    const origin = find(cells, dist, size, 'origin')
    if (!fc || !vn || !origin) continue
    for (const c of [fc, vn, origin]) if (c.problem) notes.push(`${NAMES[c.target]}, ${DIST_TITLES[dist]}: ${c.problem}`)
    lines.push(
      `| ${DIST_TITLES[dist]} | ${f0(fc.rps)} | ${f0(vn.rps)} | ${f0(origin.rps)} | ${ratio(rpsRatio(fc, vn))} | ${ratio(rpsRatio(fc, origin))} | ` +
        `${f2(fc.p50Ms)} / ${f2(vn.p50Ms)} / ${f2(origin.p50Ms)} | ${ratio(roundRatio(fc, vn, 'p50Ms'))} | ` +
        `${f2(fc.p99Ms)} / ${f2(vn.p99Ms)} / ${f2(origin.p99Ms)} |`,
    )
  }
  if (notes.length > 0) lines.push('', ...notes.map((n) => `- Not trusted: ${n}.`))
  return lines.join('\n')
}

/** The caches' own counts over the measured runs: every request should have been a hit. */
function hitTable(checks: HitCheck[]): string {
  const lines = [
    '| value | cache | requests wrk completed | hits the cache counted | misses the cache counted |',
    '|--:|---|--:|--:|--:|',
    ...checks.map((c) => `| ${c.size} B | ${NAMES[c.target]} | ${f0(c.requests)} | ${f0(c.hits)} | ${f0(c.misses)} |`),
  ]
  return lines.join('\n')
}

function roundsTable(cells: Cell[]): string {
  const lines = [
    '| value | scenario | target | req/s of each round | p50 ms of each round | p99 ms of each round |',
    '|--:|---|---|---|---|---|',
  ]
  const each = (c: Cell, show: (round: Cell['rounds'][number]) => string) => c.rounds.map(show).join(', ')
  for (const c of cells) {
    lines.push(
      `| ${c.size} B | ${DIST_TITLES[c.dist]} | ${NAMES[c.target]} | ${each(c, (r) => f0(r.rps))} | ${each(c, (r) => f2(r.p50Ms))} | ${each(c, (r) => f2(r.p99Ms))} |`,
    )
  }
  return lines.join('\n')
}

export function renderReport(report: Report): string {
  const { info, cells } = report
  const load = info.load
  const targets = targetLines(report)
  const out: string[] = [
    ...runHeader('Proxy benchmark: fastcache’s read-through proxy against Varnish and the origin', info, [info.varnish]),
    '',
    `Each cell: \`wrk -t${load.threads} -c${load.connections} -d${load.durationS}s\` on 127.0.0.1, ${info.rounds} round(s) with the three targets taking turns ` +
      `in a rotating order; req/s, p50 and p99 are medians of the rounds, each on its own. ${f0(info.keys)} keys, each warmed into both caches before the runs.`,
    'Ratios are medians of the per-round ratios, so they need not equal the quotient of the medians shown: ' +
      'the targets of one round run back to back, which cancels most of a shared machine’s slow spells.',
    'wrk shares the machine’s cores with the target under test (the origin stays up but idle while the caches answer hits), so absolute numbers are low; the ratios are the point.',
  ]
  const noise = noiseLine(cells, info.rounds)
  if (noise) out.push(noise)
  out.push(
    '',
    '## Target',
    '',
    '| target | measured | holds |',
    '|---|---|---|',
    ...targets.map((t) => `| ${t.title} | ${t.measured} | ${t.holds === undefined ? 'not measured' : t.holds ? '**yes**' : '**no**'} |`),
  )
  for (const size of info.sizes) out.push('', `## Throughput and latency, ${size}-byte bodies`, '', throughputTable(cells, size))
  out.push(
    '',
    '## Were the cached GETs hits?',
    '',
    'Each cache’s own counters over the measured runs of a size (fastcache: `proxy.hits` / `proxy.misses` of `/v1/stats`; Varnish: `MAIN.cache_hit` /',
    '`MAIN.cache_miss` of `varnishstat`). Hits exceed the completed requests by those still in flight when wrk stopped.',
    '',
    hitTable(report.checks),
    '',
    '## What is measured',
    '',
    '- **origin**: `bench/proxy/origin-server.ts`, a `Bun.serve` (`reusePort: false`) answering `GET /item/<n>` with a fixed body of the',
    '  given size (`"<n>:"` repeated), `Cache-Control: public, max-age=3600`, `Content-Type: application/octet-stream` and an `ETag`.',
    '  It builds each body once, so **origin direct** is a fast origin: about what a Bun server answering from memory can do.',
    '- **fastcache**: `dist/fastcache --max-memory 1gb --log-level warn --upstream origin=http://127.0.0.1:<origin>`, built by this run',
    '  (`bun run build`), read through `GET /proxy/origin/item/<n>`; a hit answers `Cache-Status: fastcache; hit; ttl=…`.',
    '- **Varnish**: `varnishd -F -a 127.0.0.1:<port> -s malloc,1g` with a `vcl 4.1` that only declares the origin as its backend, so the',
    '  built-in VCL caches for the origin’s max-age; otherwise Varnish’s defaults (thread pools and all). A hit carries two ids in `X-Varnish`.',
    '- Each value size gets a fresh origin and fresh caches. Before the runs every key is requested once through each cache, a few keys',
    '  are checked to be hits with the origin’s exact bytes, and each target gets an untimed 1 s warm-up. Keys are drawn uniformly over',
    '  the key set, or Zipf(0.99) with the hot ranks scattered over it (`bench/http/lua/get.lua`).',
    '- A run with socket errors or non-2xx answers, or a cache that counted misses during the runs, is marked as not trusted and left',
    '  out of the target.',
    '',
    '## Every round',
    '',
    roundsTable(cells),
    '',
  )
  return out.join('\n')
}

/** The headline for the terminal: the tables and the target. */
export function headline(report: Report): string {
  const lines = report.info.sizes.map((size) => `${size}-byte bodies\n${throughputTable(report.cells, size)}`)
  lines.push(hitTable(report.checks))
  for (const t of targetLines(report)) lines.push(`${t.holds === undefined ? '  -' : t.holds ? ' ok' : 'NOT'} ${t.title}: ${t.measured}`)
  return lines.join('\n\n')
}
