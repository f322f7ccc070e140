// Renders bench/RESULTS-http.md: the targets and whether each holds, then the tables behind them.
import { f0, f2, ratio } from './format'
import type { MemoryResult } from './memory'
import { noiseLine, runHeader } from './run-header'
import type { RoundsSettings } from './rounds'
import type { RunInfo as CommonRunInfo } from './run-info'
import { BATCH_GETS, SCENARIOS, type ScenarioId } from './scenarios'
import type { TargetName } from './servers'
import type { StartupResult } from './startup'
import type { Cell } from './throughput'
import { median } from './stats'
import type { WrkResult } from './wrk'

export interface RunInfo extends CommonRunInfo, RoundsSettings {
  redis: string
  webdis: string
}

export interface Report {
  info: RunInfo
  cells: Cell[]
  memory?: MemoryResult
  startup?: StartupResult
}

interface Check {
  target: string
  measured: string
  holds: boolean | undefined
}

const NAMES: Record<TargetName, string> = { fastcache: 'fastcache', limit: 'runtime limit', webdis: 'Webdis' }
const title = (id: ScenarioId) => SCENARIOS.find((s) => s.id === id)!.title
const verdict = (holds: boolean | undefined) => (holds === undefined ? 'not measured' : holds ? '**yes**' : '**no**')

/**
 * fastcache's figure over another target's, as the median of the per-round ratios: each round runs
 * the targets back to back, so a slow spell of a shared machine hits both sides of a ratio, where a
 * ratio of two medians could pair a slow round with a fast one.
 */
function paired(fc: Cell, other: Cell, metric: (r: WrkResult) => number): number {
  const n = Math.min(fc.rounds.length, other.rounds.length)
  return median(Array.from({ length: n }, (_, i) => metric(fc.rounds[i]!) / metric(other.rounds[i]!)))
}
const rpsRatio = (fc: Cell, other: Cell) => paired(fc, other, (r) => r.rps)
const p99Ratio = (fc: Cell, other: Cell) => paired(fc, other, (r) => r.p99Ms)

function find(cells: Cell[], scenario: ScenarioId, size: number, target: TargetName): Cell | undefined {
  return cells.find((c) => c.scenario === scenario && c.size === size && c.target === target)
}

interface Pair {
  label: string
  value: number
}

/**
 * The worst (smallest, or with `largest` the greatest) value of `metric` over the given scenarios at every
 * size, skipping cells whose runs had errors. undefined when nothing was measured.
 */
function worst(
  cells: Cell[],
  scenarios: ScenarioId[],
  sizes: number[],
  metric: (fc: Cell, other: Cell) => number,
  other: TargetName,
  largest = false,
): Pair | undefined {
  let result: Pair | undefined
  for (const id of scenarios) {
    for (const size of sizes) {
      const fc = find(cells, id, size, 'fastcache')
      const o = find(cells, id, size, other)
      if (!fc || !o || fc.problem || o.problem) continue
      const value = metric(fc, o)
      if (result === undefined || (largest ? value > result.value : value < result.value))
        result = { label: `${title(id)}, ${size} B`, value }
    }
  }
  return result
}

function checks(report: Report): Check[] {
  const { cells, memory, startup } = report
  const sizes = report.info.sizes
  const rps = rpsRatio
  const p99 = p99Ratio
  const gets: ScenarioId[] = ['get-uniform', 'get-zipf']
  const all = SCENARIOS.map((s) => s.id)
  const list: Check[] = []
  const atLeast = (target: string, pair: Pair | undefined, bound: number) =>
    list.push({
      target,
      measured: pair ? `worst ${ratio(pair.value)} (${pair.label})` : 'n/a',
      holds: pair ? pair.value >= bound : undefined,
    })
  atLeast('GET hit ≥ 0.9× runtime limit (req/s)', worst(cells, gets, sizes, rps, 'limit'), 0.9)
  atLeast('PUT ≥ 0.8× runtime limit (req/s)', worst(cells, ['put'], sizes, rps, 'limit'), 0.8)
  atLeast('GET hit ≥ 1.5× Webdis (req/s)', worst(cells, gets, sizes, rps, 'webdis'), 1.5)
  atLeast('PUT ≥ 1.5× Webdis (req/s)', worst(cells, ['put'], sizes, rps, 'webdis'), 1.5)
  const tail = worst(cells, all, sizes, p99, 'limit', true)
  list.push({
    target: 'p99 ≤ 1.5× the runtime limit’s p99 (every scenario)',
    measured: tail ? `worst ${ratio(tail.value)} (${tail.label})` : 'n/a',
    holds: tail ? tail.value <= 1.5 : undefined,
  })
  list.push({
    target: 'RSS per key ≤ Redis’s',
    measured: memory
      ? `${f0(memory.fastcache.bytesPerKey)} B vs ${f0(memory.redis.bytesPerKey)} B (${ratio(memory.fastcache.bytesPerKey / memory.redis.bytesPerKey)})`
      : 'n/a',
    holds: memory ? memory.fastcache.bytesPerKey <= memory.redis.bytesPerKey : undefined,
  })
  list.push({
    target: 'first 200 on /health ≤ 100 ms',
    measured: startup ? `${startup.medianFirstOkMs} ms (median of ${startup.runs})` : 'n/a',
    holds: startup ? startup.medianFirstOkMs <= 100 : undefined,
  })
  list.push({
    target: 'idle RSS < 60 MiB',
    measured: startup ? `${startup.medianIdleRssMiB} MiB` : 'n/a',
    holds: startup ? startup.medianIdleRssMiB < 60 : undefined,
  })
  return list
}

/** One table per value size: req/s of each target, fastcache's ratios, and latencies. */
export function throughputTable(cells: Cell[], size: number): string {
  const lines = [
    '| scenario | fastcache req/s | runtime limit req/s | Webdis req/s | fastcache ÷ limit | fastcache ÷ Webdis | p50 ms (fc / limit / Webdis) | p99 ms (fc / limit / Webdis) | p99 ÷ limit |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|',
  ]
  const notes: string[] = []
  for (const scenario of SCENARIOS) {
    const fc = find(cells, scenario.id, size, 'fastcache')
    const limit = find(cells, scenario.id, size, 'limit')
    const webdis = find(cells, scenario.id, size, 'webdis')
    if (!fc || !limit || !webdis) continue
    for (const c of [fc, limit, webdis]) if (c.problem) notes.push(`${NAMES[c.target]}, ${scenario.title}: ${c.problem}`)
    lines.push(
      `| ${scenario.title} | ${f0(fc.rps)} | ${f0(limit.rps)} | ${f0(webdis.rps)} | ${ratio(rpsRatio(fc, limit))} | ${ratio(rpsRatio(fc, webdis))} | ` +
        `${f2(fc.p50Ms)} / ${f2(limit.p50Ms)} / ${f2(webdis.p50Ms)} | ${f2(fc.p99Ms)} / ${f2(limit.p99Ms)} / ${f2(webdis.p99Ms)} | ${ratio(p99Ratio(fc, limit))} |`,
    )
  }
  if (notes.length > 0) lines.push('', ...notes.map((n) => `- Not trusted: ${n}.`))
  return lines.join('\n')
}

/** The spread behind each median, so a noisy cell is visible. */
function roundsTable(cells: Cell[]): string {
  const lines = ['| value | scenario | target | req/s of each round | p99 ms of each round |', '|--:|---|---|---|---|']
  for (const c of cells) {
    lines.push(
      `| ${c.size} B | ${title(c.scenario)} | ${NAMES[c.target]} | ${c.rounds.map((r) => f0(r.rps)).join(', ')} | ${c.rounds.map((r) => f2(r.p99Ms)).join(', ')} |`,
    )
  }
  return lines.join('\n')
}

function memorySection(m: MemoryResult): string {
  const mib = (kb: number) => (kb / 1024).toFixed(1)
  const row = (name: string, x: MemoryResult['fastcache'], reported: string) =>
    `| ${name} | ${mib(x.beforeKb)} | ${mib(x.afterKb)} | **${f0(x.bytesPerKey)}** | ${reported} | ${x.loadSeconds.toFixed(1)} s |`
  return [
    `${f0(m.keys)} keys (\`key:0\` … \`key:${m.keys - 1}\`), ${m.size}-byte values, into a fresh server each; RSS from \`/proc/PID/status\`, sampled until it settles.`,
    '',
    '| server | RSS before (MiB) | RSS after (MiB) | RSS per key (B) | the server’s own count | load time |',
    '|---|--:|--:|--:|--:|--:|',
    row('fastcache (HTTP PUT, octet-stream)', m.fastcache, `${f0(m.fastcache.reportedBytes / m.keys)} B/key charged`),
    row('redis-server (SET via `redis-cli --pipe`)', m.redis, `${f0(m.redis.reportedBytes / m.keys)} B/key \`used_memory\``),
  ].join('\n')
}

function startupSection(s: StartupResult): string {
  return [
    'From `bench/startup.ts` (run by this benchmark): exec of `dist/fastcache` to the first 200 on `/health`.',
    '',
    '| measure | value |',
    '|---|--:|',
    `| first 200 on \`/health\`, median of ${s.runs} | ${s.medianFirstOkMs} ms (min ${s.minFirstOkMs} ms) |`,
    `| idle RSS after start, median | ${s.medianIdleRssMiB} MiB |`,
    `| binary size | ${s.binaryMiB} MiB |`,
  ].join('\n')
}

export function renderReport(report: Report): string {
  const { info, cells } = report
  const load = info.load
  const out: string[] = [
    ...runHeader('HTTP benchmark: fastcache against the runtime limit and Webdis', info, [info.redis, `webdis ${info.webdis}`]),
    '',
    `Each cell: \`wrk -t${load.threads} -c${load.connections} -d${load.durationS}s\` on 127.0.0.1, ${info.rounds} round(s) with the three servers taking turns ` +
      `in a rotating order; req/s, p50 and p99 are medians of the rounds, each on its own. ${f0(info.keys)} keys preloaded into each server.`,
    'Ratios (÷ columns and targets) are medians of the per-round ratios, so they need not equal the quotient of the medians shown: ' +
      'the targets of one round run back to back, which cancels most of a shared machine’s slow spells.',
    'wrk shares the machine’s cores with the server under test (and Webdis with its redis-server), so absolute numbers are low; the ratios are the point.',
  ]
  const noise = noiseLine(cells, info.rounds)
  if (noise) out.push(noise)
  out.push(
    '',
    '## Targets',
    '',
    '| target | measured | holds |',
    '|---|---|---|',
    ...checks(report).map((c) => `| ${c.target} | ${c.measured} | ${verdict(c.holds)} |`),
  )
  for (const size of info.sizes) {
    out.push('', `## Throughput and latency, ${size}-byte values`, '', throughputTable(cells, size))
  }
  if (report.memory) out.push('', '## Memory per key', '', memorySection(report.memory))
  if (report.startup) out.push('', '## Start-up', '', startupSection(report.startup))
  out.push(
    '',
    '## What is measured',
    '',
    '- **fastcache**: `dist/fastcache --max-memory 2gb --log-level warn`, built by this run (`bun run build`).',
    '- **runtime limit**: `bench/http/baseline-server.ts`, a `Bun.serve` (`reusePort: false`, native `routes`) over a `Map` that answers the',
    '  same statuses, headers and body shapes as fastcache (GET hit: `ETag` and `Content-Type`; PUT: 201/200 JSON with `ETag`; miss: 404 JSON;',
    '  batch: the same results array with base64 values) and does nothing else: no validation, metrics, eviction or memory accounting.',
    '- **Webdis**: `webdis` (one worker thread per core) over `redis-server --save "" --appendonly no`. GET is',
    '  `/GET/key?type=application/octet-stream` (the stored bytes, not JSON-wrapped), PUT is `PUT /SET/key` with the value as the body,',
    `  the batch is \`/MGET/k1/…/k${BATCH_GETS}\` (JSON array). Its data is preloaded with \`redis-cli --pipe\`.`,
    '- Values are ASCII bytes stored as `application/octet-stream` (preloaded with PUT), so fastcache’s batch answers them in base64,',
    '  and so does the runtime limit’s. PUT and the mix overwrite existing keys with values of the same size; the miss scenario runs once (it',
    '  does not depend on the values). Keys are drawn uniformly over the whole key set, or Zipf(0.99) with the hot ranks scattered over it.',
    '- Lua scripts: `bench/http/lua/` (each prints a JSON summary from `done()`); a run with socket errors or unexpected non-2xx',
    '  answers is marked as not trusted and left out of the targets.',
    '',
    '## Every round',
    '',
    roundsTable(cells),
    '',
  )
  return out.join('\n')
}

/** The headline for the terminal: req/s and ratios per scenario and size. */
export function headline(report: Report): string {
  const lines = report.info.sizes.map((size) => `${size}-byte values\n${throughputTable(report.cells, size)}`)
  lines.push(
    checks(report)
      .map((c) => `${c.holds === undefined ? '  -' : c.holds ? ' ok' : 'NOT'} ${c.target}: ${c.measured}`)
      .join('\n'),
  )
  return lines.join('\n\n')
}
